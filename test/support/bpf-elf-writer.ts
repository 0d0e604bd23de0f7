/**
 * A tiny writer of relocatable EM_BPF ELF64 objects, for tests only: it wraps raw
 * instruction bytes (and optionally symbols and relocations) into a file that
 * llvm-objdump accepts, so that instructions no compiler emits can be shown to the peer.
 *
 * Layout: ELF header, then each section's bytes (8-aligned), then the section header
 * table. Section 1 is `.strtab` (shared for section and symbol names, as clang does),
 * then the caller's sections, then `.rel<name>` for each section with relocations, then
 * `.symtab` last.
 */

/** One raw instruction slot, before byte-order encoding. */
export interface RawInsn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

/**
 * Eight bytes of one slot. Little-endian puts dst in the low nibble of byte 1;
 * big-endian puts it in the high nibble, and off/imm are big-endian.
 */
export function encodeRawInsn(insn: RawInsn, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  out[0] = insn.code & 0xff;
  out[1] = littleEndian
    ? ((insn.src & 0xf) << 4) | (insn.dst & 0xf)
    : ((insn.dst & 0xf) << 4) | (insn.src & 0xf);
  view.setInt16(2, insn.off, littleEndian);
  view.setInt32(4, insn.imm | 0, littleEndian);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface SymbolSpec {
  readonly name: string;
  /** Index into `ObjectSpec.sections`. */
  readonly section: number;
  readonly value: number;
  readonly size?: number;
  readonly type: 'func' | 'notype' | 'object';
  readonly binding: 'local' | 'global';
}

export interface RelocationSpec {
  /** Byte offset within the section. */
  readonly offset: number;
  /** Name of a symbol from `ObjectSpec.symbols`. */
  readonly symbol: string;
  /** R_BPF_* number: 1 = R_BPF_64_64, 10 = R_BPF_64_32. */
  readonly type: number;
}

export interface SectionSpec {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly relocations?: readonly RelocationSpec[];
}

export interface ObjectSpec {
  readonly littleEndian: boolean;
  readonly sections: readonly SectionSpec[];
  readonly symbols?: readonly SymbolSpec[];
}

const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_REL = 9;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const SHF_INFO_LINK = 0x40;
const EM_BPF = 247;

interface SectionHeader {
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

function stringTable(): { bytes: () => Uint8Array; add: (s: string) => number } {
  const parts: number[] = [0];
  const seen = new Map<string, number>();
  return {
    add(s: string): number {
      const known = seen.get(s);
      if (known !== undefined) return known;
      const at = parts.length;
      for (const ch of Buffer.from(s, 'latin1')) parts.push(ch);
      parts.push(0);
      seen.set(s, at);
      return at;
    },
    bytes: () => Uint8Array.from(parts),
  };
}

/** Builds the object file described by `spec`. */
export function writeBpfElf(spec: ObjectSpec): Uint8Array {
  const le = spec.littleEndian;
  const strtab = stringTable();
  const symbols = spec.symbols ?? [];
  // Section header indexes: 0 null, 1 .strtab, 2.. caller sections, then rel sections, then symtab.
  const firstUser = 2;
  const relSections = spec.sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => (s.relocations ?? []).length > 0);
  const symtabIndex = firstUser + spec.sections.length + relSections.length;

  // Symbols: null, one SECTION symbol per caller section, then locals, then globals.
  const ordered = [...symbols.filter((s) => s.binding === 'local'), ...symbols.filter((s) => s.binding === 'global')];
  const symBytes: Uint8Array[] = [new Uint8Array(24)];
  const symIndex = new Map<string, number>();
  const writeSym = (name: number, info: number, shndx: number, value: number, size: number): Uint8Array => {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint32(0, name, le);
    b[4] = info;
    b[5] = 0;
    v.setUint16(6, shndx, le);
    v.setBigUint64(8, BigInt(value), le);
    v.setBigUint64(16, BigInt(size), le);
    return b;
  };
  spec.sections.forEach((_, i) => symBytes.push(writeSym(0, 0x03, firstUser + i, 0, 0)));
  for (const s of ordered) {
    const type = s.type === 'func' ? 2 : s.type === 'object' ? 1 : 0;
    const bind = s.binding === 'global' ? 1 : 0;
    symIndex.set(s.name, symBytes.length);
    symBytes.push(writeSym(strtab.add(s.name), (bind << 4) | type, firstUser + s.section, s.value, s.size ?? 0));
  }
  const firstGlobal = 1 + spec.sections.length + ordered.filter((s) => s.binding === 'local').length;

  const relBytes = relSections.map(({ s }) =>
    concatBytes(
      (s.relocations ?? []).map((r) => {
        const b = new Uint8Array(16);
        const v = new DataView(b.buffer);
        const idx = symIndex.get(r.symbol);
        if (idx === undefined) throw new Error(`relocation names unknown symbol ${r.symbol}`);
        v.setBigUint64(0, BigInt(r.offset), le);
        v.setBigUint64(8, (BigInt(idx) << 32n) | BigInt(r.type), le);
        return b;
      }),
    ),
  );

  const headers: SectionHeader[] = [
    { name: 0, type: 0, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
  ];
  const blobs: { at: number; bytes: Uint8Array }[] = [];
  let cursor = 64;
  const place = (bytes: Uint8Array, h: Omit<SectionHeader, 'offset' | 'size'>): void => {
    cursor = (cursor + 7) & ~7;
    headers.push({ ...h, offset: cursor, size: bytes.length });
    blobs.push({ at: cursor, bytes });
    cursor += bytes.length;
  };
  // .strtab is filled last (names of later sections go into it), so reserve its slot.
  headers.push({ name: strtab.add('.strtab'), type: SHT_STRTAB, flags: 0, offset: 0, size: 0, link: 0, info: 0, align: 1, entsize: 0 });
  for (const s of spec.sections) {
    place(s.bytes, { name: strtab.add(s.name), type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, link: 0, info: 0, align: 8, entsize: 0 });
  }
  relSections.forEach(({ s, i }, k) => {
    place(relBytes[k], { name: strtab.add(`.rel${s.name}`), type: SHT_REL, flags: SHF_INFO_LINK, link: symtabIndex, info: firstUser + i, align: 8, entsize: 16 });
  });
  place(concatBytes(symBytes), { name: strtab.add('.symtab'), type: SHT_SYMTAB, flags: 0, link: 1, info: firstGlobal, align: 8, entsize: 24 });
  const strBytes = strtab.bytes();
  headers[1] = { ...headers[1], offset: cursor, size: strBytes.length };
  blobs.push({ at: cursor, bytes: strBytes });
  cursor += strBytes.length;
  const shoff = (cursor + 7) & ~7;

  const out = new Uint8Array(shoff + headers.length * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1, 0], 0);
  v.setUint16(16, 1, le); // ET_REL
  v.setUint16(18, EM_BPF, le);
  v.setUint32(20, 1, le);
  v.setBigUint64(40, BigInt(shoff), le);
  v.setUint16(52, 64, le);
  v.setUint16(58, 64, le);
  v.setUint16(60, headers.length, le);
  v.setUint16(62, 1, le);
  for (const b of blobs) out.set(b.bytes, b.at);
  headers.forEach((h, i) => {
    const at = shoff + i * 64;
    v.setUint32(at, h.name, le);
    v.setUint32(at + 4, h.type, le);
    v.setBigUint64(at + 8, BigInt(h.flags), le);
    v.setBigUint64(at + 24, BigInt(h.offset), le);
    v.setBigUint64(at + 32, BigInt(h.size), le);
    v.setUint32(at + 40, h.link, le);
    v.setUint32(at + 44, h.info, le);
    v.setBigUint64(at + 48, BigInt(h.align), le);
    v.setBigUint64(at + 56, BigInt(h.entsize), le);
  });
  return out;
}
