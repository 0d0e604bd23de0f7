/**
 * Writes corpus/hostile/: malformed objects made from valid corpus objects, each with
 * the error code bpf2pf must answer it with in `<name>.expect` next to it.
 *
 *   npm run corpus:hostile
 *
 * Each case changes one thing, so that exactly one check of the reader should fire;
 * the expected code is chosen here by what the change breaks, not by running the reader.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../src/errors.js';
import { readElf, sectionByName } from '../src/elf/read-elf.js';
import { STT, type ElfFile, type ElfRelocation } from '../src/elf/types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** corpus/hostile, or the folder given as the first argument (the freshness test uses one). */
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'corpus/hostile');

const SOURCES = {
  coppice: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o',
  coppiceBig: 'corpus/coppice/obj/mvmtap.bpfeb.v3.O2.o',
  plain: 'corpus/idioms/obj/ipv6_nexthdr.bpfel.o',
  legacy: 'corpus/idioms/obj/legacy_elf_map.bpfel.o',
} as const;
type SourceName = keyof typeof SOURCES;

interface HostileCase {
  readonly name: string;
  readonly source: SourceName | 'none';
  readonly expect: ErrorCode;
  readonly why: string;
  readonly make: (bytes: Uint8Array, elf: ElfFile | undefined) => Uint8Array;
}

// ---- byte editing ---------------------------------------------------------------------

function editor(bytes: Uint8Array, littleEndian: boolean) {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  return {
    out,
    u8: (off: number, v: number) => view.setUint8(off, v),
    u16: (off: number, v: number) => view.setUint16(off, v, littleEndian),
    u32: (off: number, v: number) => view.setUint32(off, v >>> 0, littleEndian),
    i32: (off: number, v: number) => view.setInt32(off, v, littleEndian),
    u64: (off: number, v: bigint) => view.setBigUint64(off, v, littleEndian),
    getU32: (off: number) => view.getUint32(off, littleEndian),
  };
}

const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`hostile generator: ${what} not found in the source object`);
  return v;
};

const shdr = (elf: ElfFile, index: number): number => elf.header.shoff + index * 64;
const symtabOffset = (elf: ElfFile): number => need(elf.sections.find((s) => s.type === 2), 'symtab').offset;
const sectionIndex = (elf: ElfFile, name: string): number => need(sectionByName(elf, name), name).index;

/** The relocation section for a code section, and one of its entries matching `pick`. */
function relocation(elf: ElfFile, target: string, pick: (r: ElfRelocation) => boolean) {
  const sec = need(elf.relocations.find((r) => r.target === sectionIndex(elf, target)), `relocations of ${target}`);
  const k = sec.entries.findIndex(pick);
  if (k < 0) throw new Error(`hostile generator: no matching relocation in ${sec.name}`);
  const header = elf.sections[sec.index];
  return { entry: sec.entries[k], at: header.offset + k * 16, section: header };
}

const inSection = (elf: ElfFile, name: string) => (r: ElfRelocation) => elf.symbols[r.symbol].shndx === sectionIndex(elf, name);

// ---- BTF record positions ---------------------------------------------------------------

interface BtfRecordPos {
  readonly id: number;
  readonly at: number; // file offset of the 12-byte record
  readonly kind: number;
  readonly vlen: number;
  readonly name: string;
}

/** Where each BTF type record sits in the file: record sizes by kind (reference §6.2). */
function btfRecords(bytes: Uint8Array, elf: ElfFile) {
  const btf = need(sectionByName(elf, '.BTF'), '.BTF');
  const le = elf.header.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset + btf.offset, btf.size);
  const hdrLen = view.getUint32(4, le);
  const typeOff = hdrLen + view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = hdrLen + view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const str = (off: number): string => {
    let s = '';
    for (let i = strOff + off; view.getUint8(i) !== 0; i++) s += String.fromCharCode(view.getUint8(i));
    return s;
  };
  const extra = (kind: number, vlen: number): number =>
    [0, 4, 0, 12, 12 * vlen, 12 * vlen, 8 * vlen, 0, 0, 0, 0, 0, 0, 8 * vlen, 4, 12 * vlen, 0, 4, 0, 12 * vlen][kind];
  const records: BtfRecordPos[] = [];
  for (let p = typeOff, id = 1; p < typeOff + typeLen; id++) {
    const info = view.getUint32(p + 4, le);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    records.push({ id, at: btf.offset + p, kind, vlen, name: str(view.getUint32(p, le)) });
    p += 12 + extra(kind, vlen);
  }
  const stringOffset = (s: string): number => {
    const bytesOf = new TextEncoder().encode(`${s}\0`);
    for (let i = 0; i < strLen; i++) {
      if ((i === 0 || view.getUint8(strOff + i - 1) === 0) && bytesOf.every((b, k) => view.getUint8(strOff + i + k) === b)) return i;
    }
    throw new Error(`hostile generator: no string ${s}`);
  };
  return { records, strLen, stringOffset, hdrLen };
}

const KIND = { int: 1, ptr: 2, struct: 4, typedef: 8, var: 14, datasec: 15 };

// ---- the cases --------------------------------------------------------------------------

function seededBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out[0] = 0x4d; // never the ELF magic
  return out;
}

const CASES: readonly HostileCase[] = [
  { name: 'empty', source: 'none', expect: 'ELF_NOT_ELF', why: 'a zero-byte file', make: () => new Uint8Array(0) },
  { name: 'not-elf-text', source: 'none', expect: 'ELF_NOT_ELF', why: 'a text file', make: () => new TextEncoder().encode('this is not an eBPF object\n') },
  { name: 'not-elf-random', source: 'none', expect: 'ELF_NOT_ELF', why: '4 KiB of random bytes', make: () => seededBytes(4096, 0x5eed) },
  { name: 'truncated-in-ident', source: 'coppice', expect: 'ELF_TRUNCATED', why: 'cut after 10 bytes, inside e_ident', make: (b) => b.slice(0, 10) },
  { name: 'truncated-in-header', source: 'coppice', expect: 'ELF_TRUNCATED', why: 'cut after 40 bytes, inside the ELF header', make: (b) => b.slice(0, 40) },
  { name: 'truncated-half', source: 'coppice', expect: 'ELF_TRUNCATED', why: 'cut in half: the section header table is gone', make: (b) => b.slice(0, b.length >> 1) },
  { name: 'truncated-last-byte', source: 'coppice', expect: 'ELF_TRUNCATED', why: 'the last byte of the section header table missing', make: (b) => b.slice(0, b.length - 1) },
  { name: 'big-endian-truncated-half', source: 'coppiceBig', expect: 'ELF_TRUNCATED', why: 'a big-endian object cut in half', make: (b) => b.slice(0, b.length >> 1) },
  { name: 'elf32', source: 'coppice', expect: 'ELF_UNSUPPORTED_CLASS', why: 'EI_CLASS says ELF32', make: (b, e) => edit(b, e, (w) => w.u8(4, 1)) },
  { name: 'bad-data-encoding', source: 'coppice', expect: 'ELF_BAD_ENCODING', why: 'EI_DATA is 3', make: (b, e) => edit(b, e, (w) => w.u8(5, 3)) },
  { name: 'wrong-machine-x86-64', source: 'coppice', expect: 'ELF_WRONG_MACHINE', why: 'e_machine is EM_X86_64 (62)', make: (b, e) => edit(b, e, (w) => w.u16(0x12, 62)) },
  { name: 'not-relocatable', source: 'coppice', expect: 'ELF_NOT_RELOCATABLE', why: 'e_type is ET_EXEC', make: (b, e) => edit(b, e, (w) => w.u16(0x10, 2)) },
  { name: 'shentsize-wrong', source: 'coppice', expect: 'ELF_BAD_HEADER', why: 'e_shentsize is 40', make: (b, e) => edit(b, e, (w) => w.u16(0x3a, 40)) },
  { name: 'shnum-absurd', source: 'coppice', expect: 'ELF_TRUNCATED', why: 'e_shnum is 65535: the table would run past the file', make: (b, e) => edit(b, e, (w) => w.u16(0x3c, 0xffff)) },
  { name: 'shstrndx-out-of-range', source: 'coppice', expect: 'ELF_BAD_INDEX', why: 'e_shstrndx names no section', make: (b, e) => edit(b, e, (w, elf) => w.u16(0x3e, elf.sections.length + 3)) },
  { name: 'section-offset-past-end', source: 'coppice', expect: 'ELF_SECTION_RANGE', why: '.BTF sh_offset beyond the end of the file', make: (b, e) => edit(b, e, (w, elf) => w.u64(shdr(elf, sectionIndex(elf, '.BTF')) + 24, BigInt(b.length + 100))) },
  { name: 'section-size-past-end', source: 'coppice', expect: 'ELF_SECTION_RANGE', why: 'the program section claims 2 GiB', make: (b, e) => edit(b, e, (w, elf) => w.u64(shdr(elf, sectionIndex(elf, 'tc')) + 32, 0x7fffffffn)) },
  { name: 'section-name-out-of-range', source: 'coppice', expect: 'ELF_BAD_STRING', why: 'a section name offset past the name table', make: (b, e) => edit(b, e, (w, elf) => w.u32(shdr(elf, 3), 0xffffff)) },
  { name: 'symbol-name-out-of-range', source: 'coppice', expect: 'ELF_BAD_STRING', why: 'a symbol name offset past the string table', make: (b, e) => edit(b, e, (w, elf) => w.u32(symtabOffset(elf) + 5 * 24, 0xfffff0)) },
  {
    name: 'symbol-section-out-of-range', source: 'coppice', expect: 'ELF_BAD_INDEX', why: "a map symbol's st_shndx names no section",
    make: (b, e) => edit(b, e, (w, elf) => {
      const sym = need(elf.symbols.find((s) => s.shndx === sectionIndex(elf, '.maps')), 'map symbol');
      w.u16(symtabOffset(elf) + sym.index * 24 + 6, elf.sections.length + 10);
    }),
  },
  { name: 'symtab-entsize-wrong', source: 'coppice', expect: 'ELF_BAD_SYMBOL', why: 'the symbol table entry size is 16', make: (b, e) => edit(b, e, (w, elf) => w.u64(shdr(elf, need(elf.sections.find((s) => s.type === 2), 'symtab').index) + 56, 16n)) },
  {
    name: 'reloc-symbol-out-of-range', source: 'coppice', expect: 'ELF_BAD_RELOCATION', why: 'a relocation names a symbol past the end of the symbol table',
    make: (b, e) => edit(b, e, (w, elf) => w.u32(relocation(elf, 'tc', () => true).at + 8 + (elf.header.littleEndian ? 4 : 0), elf.symbols.length + 5)),
  },
  {
    name: 'big-endian-reloc-symbol-out-of-range', source: 'coppiceBig', expect: 'ELF_BAD_RELOCATION', why: 'as reloc-symbol-out-of-range, big endian',
    make: (b, e) => edit(b, e, (w, elf) => w.u32(relocation(elf, 'tc', () => true).at + 8 + (elf.header.littleEndian ? 4 : 0), elf.symbols.length + 5)),
  },
  { name: 'reloc-offset-past-section', source: 'coppice', expect: 'ELF_BAD_RELOCATION', why: 'a relocation outside the section it patches', make: (b, e) => edit(b, e, (w, elf) => { const r = relocation(elf, 'tc', () => true); w.u64(r.at, BigInt(sectionByName(elf, 'tc')!.size + 64)); }) },
  { name: 'reloc-unknown-type', source: 'coppice', expect: 'ELF_BAD_RELOCATION', why: 'relocation type 77', make: (b, e) => edit(b, e, (w, elf) => w.u32(relocation(elf, 'tc', () => true).at + 8 + (elf.header.littleEndian ? 0 : 4), 77)) },
  { name: 'rel-link-not-symtab', source: 'coppice', expect: 'ELF_BAD_INDEX', why: ".reltc's sh_link names the string table", make: (b, e) => edit(b, e, (w, elf) => w.u32(shdr(elf, relocation(elf, 'tc', () => true).section.index) + 40, 1)) },
  {
    name: 'reloc-to-file-symbol', source: 'coppice', expect: 'OBJ_BAD_REFERENCE', why: 'an lddw relocated against the FILE symbol',
    make: (b, e) => edit(b, e, (w, elf) => {
      const file = need(elf.symbols.find((s) => s.type === STT.FILE), 'FILE symbol');
      w.u32(relocation(elf, 'tc', inSection(elf, '.maps')).at + 8 + (elf.header.littleEndian ? 4 : 0), file.index);
    }),
  },
  {
    name: 'reloc-inside-lddw', source: 'coppice', expect: 'OBJ_BAD_REFERENCE', why: 'a map relocation moved onto the second half of its lddw',
    make: (b, e) => edit(b, e, (w, elf) => { const r = relocation(elf, 'tc', inSection(elf, '.maps')); w.u64(r.at, BigInt(r.entry.offset + 8)); }),
  },
  {
    name: 'map-reference-off-by-4', source: 'coppice', expect: 'OBJ_BAD_REFERENCE', why: 'an lddw addend that points 4 bytes into a map definition',
    make: (b, e) => edit(b, e, (w, elf) => { const r = relocation(elf, 'tc', inSection(elf, '.maps')); w.i32(sectionByName(elf, 'tc')!.offset + r.entry.offset + 4, 4); }),
  },
  {
    name: 'call-into-middle-of-function', source: 'coppice', expect: 'OBJ_BAD_REFERENCE', why: 'a bpf-to-bpf call whose target is not the start of a function',
    make: (b, e) => edit(b, e, (w, elf) => {
      const r = relocation(elf, 'tc', (x) => elf.symbols[x.symbol].shndx === sectionIndex(elf, '.text') && b[sectionByName(elf, 'tc')!.offset + x.offset] === 0x85);
      const immAt = sectionByName(elf, 'tc')!.offset + r.entry.offset + 4;
      w.i32(immAt, w.getU32(immAt) + 1);
    }),
  },
  { name: 'empty-function-symbol', source: 'coppice', expect: 'OBJ_BAD_PROGRAM', why: 'the program symbol from_cube has size 0', make: (b, e) => edit(b, e, (w, elf) => w.u64(symtabOffset(elf) + need(elf.symbols.find((s) => s.type === STT.FUNC && s.shndx === sectionIndex(elf, 'tc') && s.size > 400), 'big program').index * 24 + 16, 0n)) },
  { name: 'empty-program-section', source: 'plain', expect: 'OBJ_BAD_PROGRAM', why: 'the program section is emptied while its function symbol remains', make: (b, e) => edit(b, e, (w, elf) => w.u64(shdr(elf, sectionIndex(elf, 'tc')) + 32, 0n)) },
  { name: 'invalid-opcode', source: 'plain', expect: 'INSN_INVALID', why: 'the first instruction has opcode 0xff', make: (b, e) => edit(b, e, (w, elf) => w.u8(sectionByName(elf, 'tc')!.offset, 0xff)) },
  {
    name: 'lddw-truncated', source: 'plain', expect: 'INSN_INVALID', why: 'the last instruction is the first half of an lddw',
    make: (b, e) => edit(b, e, (w, elf) => { const tc = sectionByName(elf, 'tc')!; w.u8(tc.offset + tc.size - 8, 0x18); }),
  },
  { name: 'legacy-map-too-small', source: 'legacy', expect: 'OBJ_BAD_MAP', why: 'a legacy map definition of 12 bytes', make: (b, e) => edit(b, e, (w, elf) => w.u64(symtabOffset(elf) + need(elf.symbols.find((s) => s.shndx === sectionIndex(elf, 'maps') && s.type === STT.OBJECT), 'legacy map').index * 24 + 16, 12n)) },
  { name: 'btf-bad-magic', source: 'coppice', expect: 'BTF_BAD_HEADER', why: '.BTF magic overwritten', make: (b, e) => edit(b, e, (w, elf) => w.u16(sectionByName(elf, '.BTF')!.offset, 0)) },
  { name: 'btf-lengths-past-end', source: 'coppice', expect: 'BTF_RANGE', why: '.BTF type_len larger than the section', make: (b, e) => edit(b, e, (w, elf) => w.u32(sectionByName(elf, '.BTF')!.offset + 12, 0x7fffffff)) },
  { name: 'btf-type-cycle', source: 'coppice', expect: 'BTF_TYPE_CYCLE', why: 'typedef __u32 made to name itself', make: (b, e) => typedefSelfLoop(b, e!) },
  { name: 'big-endian-btf-type-cycle', source: 'coppiceBig', expect: 'BTF_TYPE_CYCLE', why: 'typedef __u32 made to name itself, big endian', make: (b, e) => typedefSelfLoop(b, e!) },
  {
    name: 'btf-struct-contains-itself', source: 'coppice', expect: 'BTF_TYPE_CYCLE', why: "struct session_key's first member made a session_key",
    make: (b, e) => edit(b, e, (w, elf) => { const r = btfRecord(b, elf, (x) => x.kind === KIND.struct && x.name === 'session_key'); w.u32(r.at + 12 + 4, r.id); }),
  },
  {
    name: 'btf-string-offset-past-end', source: 'coppice', expect: 'BTF_BAD_STRING', why: 'a type name offset past the string section',
    make: (b, e) => edit(b, e, (w, elf) => { const t = btfRecords(b, elf); w.u32(t.records.find((x) => x.name !== '')!.at, t.strLen + 1000); }),
  },
  {
    name: 'btf-vlen-absurd', source: 'coppice', expect: 'BTF_BAD_COUNT', why: 'a struct claims 65535 members',
    make: (b, e) => edit(b, e, (w, elf) => { const r = btfRecord(b, elf, (x) => x.kind === KIND.struct && x.name === 'session_key'); w.u32(r.at + 4, (KIND.struct << 24) | 0xffff); }),
  },
  {
    name: 'btf-type-id-out-of-range', source: 'coppice', expect: 'BTF_BAD_TYPE', why: 'a pointer to type 2^31-1',
    make: (b, e) => edit(b, e, (w, elf) => w.u32(btfRecord(b, elf, (x) => x.kind === KIND.ptr).at + 8, 0x7fffffff)),
  },
  {
    name: 'btf-unknown-kind', source: 'coppice', expect: 'BTF_BAD_TYPE', why: 'a type of kind 31',
    make: (b, e) => edit(b, e, (w, elf) => { const r = btfRecord(b, elf, (x) => x.kind === KIND.typedef); w.u32(r.at + 4, 31 << 24); }),
  },
  {
    name: 'btf-map-without-type', source: 'coppice', expect: 'OBJ_BAD_MAP', why: "a map definition's 'type' member renamed",
    make: (b, e) => edit(b, e, (w, elf) => {
      const t = btfRecords(b, elf);
      const typeName = t.stringOffset('type');
      const def = need(t.records.find((r) => r.kind === KIND.struct && r.name === '' && memberNames(w, r).includes(typeName)), 'map definition');
      const k = memberNames(w, def).indexOf(typeName);
      w.u32(def.at + 12 + k * 12, t.stringOffset('version'));
    }),
  },
  {
    name: 'btf-ext-count-absurd', source: 'coppice', expect: 'BTF_BAD_COUNT', why: 'line_info claims 2^31 records for its first section',
    make: (b, e) => edit(b, e, (w, elf) => { const x = btfExtLineInfo(b, elf); w.u32(x.firstSecAt + 4, 0x7fffffff); }),
  },
  {
    name: 'btf-ext-line-past-code', source: 'coppice', expect: 'BTF_EXT_BAD', why: 'a line record for an instruction past the end of its section',
    make: (b, e) => edit(b, e, (w, elf) => { const x = btfExtLineInfo(b, elf); w.u32(x.firstSecAt + 8, (sectionByName(elf, x.section)!.size / 8 + 10) * 8); }),
  },
];

type Editor = ReturnType<typeof editor>;

function edit(bytes: Uint8Array, elf: ElfFile | undefined, change: (w: Editor, elf: ElfFile) => void): Uint8Array {
  const e = need(elf, 'ELF');
  const w = editor(bytes, e.header.littleEndian);
  change(w, e);
  return w.out;
}

function btfRecord(bytes: Uint8Array, elf: ElfFile, pick: (r: BtfRecordPos) => boolean): BtfRecordPos {
  return need(btfRecords(bytes, elf).records.find(pick), 'BTF type');
}

function memberNames(w: Editor, r: BtfRecordPos): number[] {
  return Array.from({ length: r.vlen }, (_, k) => w.getU32(r.at + 12 + k * 12));
}

function typedefSelfLoop(bytes: Uint8Array, elf: ElfFile): Uint8Array {
  return edit(bytes, elf, (w) => {
    const r = btfRecord(bytes, elf, (x) => x.kind === KIND.typedef && x.name === '__u32');
    w.u32(r.at + 8, r.id);
  });
}

/** The first line_info section header inside .BTF.ext: its name and where it sits. */
function btfExtLineInfo(bytes: Uint8Array, elf: ElfFile): { firstSecAt: number; section: string } {
  const ext = need(sectionByName(elf, '.BTF.ext'), '.BTF.ext');
  const le = elf.header.littleEndian;
  const view = new DataView(bytes.buffer, bytes.byteOffset + ext.offset, ext.size);
  const hdrLen = view.getUint32(4, le);
  const lineOff = hdrLen + view.getUint32(16, le);
  const firstSecAt = ext.offset + lineOff + 4; // past record_size
  const t = btfRecords(bytes, elf);
  const nameOff = view.getUint32(lineOff + 4, le);
  const btf = need(sectionByName(elf, '.BTF'), '.BTF');
  const bview = new DataView(bytes.buffer, bytes.byteOffset + btf.offset, btf.size);
  const strOff = t.hdrLen + bview.getUint32(16, le);
  let section = '';
  for (let i = strOff + nameOff; bview.getUint8(i) !== 0; i++) section += String.fromCharCode(bview.getUint8(i));
  return { firstSecAt, section };
}

function main(): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const sources = new Map<string, { bytes: Uint8Array; elf: ElfFile }>();
  for (const [k, path] of Object.entries(SOURCES)) {
    const bytes = new Uint8Array(readFileSync(join(root, path)));
    sources.set(k, { bytes, elf: readElf(bytes) });
  }
  for (const c of CASES) {
    const src = c.source === 'none' ? undefined : sources.get(c.source)!;
    const bytes = c.make(src?.bytes ?? new Uint8Array(0), src?.elf);
    const file = join(outDir, `${c.name}.o`);
    writeFileSync(`${file}.tmp`, bytes);
    renameSync(`${file}.tmp`, file);
    const from = c.source === 'none' ? '(made from scratch)' : SOURCES[c.source];
    writeFileSync(join(outDir, `${c.name}.expect`), `${c.expect}\n${c.why}\nfrom: ${from}\n`);
  }
  const count = readdirSync(outDir).filter((f) => f.endsWith('.o')).length;
  process.stdout.write(`wrote ${count} hostile objects to ${outDir}\n`);
}

main();
