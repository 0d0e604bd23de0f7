/**
 * Hand-made .BTF and .BTF.ext bytes for the cases no compiler produces: cycles, bad
 * offsets, absurd counts, the kind_flag-less bitfield encoding, newer header lengths.
 * Records are given as raw u32 words so that any malformation can be spelled out.
 */

export interface RawType {
  readonly name?: string;
  readonly kind: number;
  readonly vlen?: number;
  readonly kflag?: boolean;
  readonly sizeOrType?: number;
  /** Trailing u32 words (members, params, ...). */
  readonly words?: readonly number[];
}

export interface BuildOptions {
  readonly littleEndian?: boolean;
  readonly hdrLen?: number;
  /** Raw override of the string section (for bad-string cases). */
  readonly strings?: Uint8Array;
}

/** Interns strings: `s('x')` is the offset of "x" in the string section being built. */
function stringTable(): { s: (text: string) => number; bytes: () => Uint8Array } {
  const offsets = new Map<string, number>([['', 0]]);
  const parts: number[] = [0];
  const s = (text: string): number => {
    const known = offsets.get(text);
    if (known !== undefined) return known;
    const off = parts.length;
    for (const c of text) parts.push(c.charCodeAt(0));
    parts.push(0);
    offsets.set(text, off);
    return off;
  };
  return { s, bytes: () => Uint8Array.from(parts) };
}

function words(ws: readonly number[], littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const v = new DataView(out.buffer);
  ws.forEach((w, i) => v.setUint32(i * 4, w >>> 0, littleEndian));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A .BTF section from types built with the string interner `s`. */
export function buildBtf(make: (s: (text: string) => number) => readonly RawType[], opts: BuildOptions = {}): Uint8Array {
  const le = opts.littleEndian ?? true;
  const st = stringTable();
  const types = make(st.s);
  const typeWords: number[] = [];
  for (const t of types) {
    const info = ((t.kflag ? 1 : 0) << 31) | ((t.kind & 0x7f) << 24) | ((t.vlen ?? 0) & 0xffffff);
    typeWords.push(st.s(t.name ?? ''), info >>> 0, t.sizeOrType ?? 0, ...(t.words ?? []));
  }
  const typeBytes = words(typeWords, le);
  const strBytes = opts.strings ?? st.bytes();
  const hdrLen = opts.hdrLen ?? 24;
  const header = new Uint8Array(hdrLen);
  const hv = new DataView(header.buffer);
  hv.setUint16(0, 0xeb9f, le);
  hv.setUint8(2, 1);
  hv.setUint32(4, hdrLen, le);
  hv.setUint32(8, 0, le);
  hv.setUint32(12, typeBytes.length, le);
  hv.setUint32(16, typeBytes.length, le);
  hv.setUint32(20, strBytes.length, le);
  return concat([header, typeBytes, strBytes]);
}

/**
 * A .BTF.ext section. Each info sub-section is given as its u32 words after the header
 * (record_size, then per ELF section: name offset, count, records).
 */
export function buildBtfExt(
  sub: { funcInfo?: readonly number[]; lineInfo?: readonly number[]; coreRelo?: readonly number[] },
  opts: { littleEndian?: boolean; hdrLen?: number } = {},
): Uint8Array {
  const le = opts.littleEndian ?? true;
  const hdrLen = opts.hdrLen ?? 32;
  const f = words(sub.funcInfo ?? [], le);
  const l = words(sub.lineInfo ?? [], le);
  const c = words(sub.coreRelo ?? [], le);
  const header = new Uint8Array(hdrLen);
  const hv = new DataView(header.buffer);
  hv.setUint16(0, 0xeb9f, le);
  hv.setUint8(2, 1);
  hv.setUint32(4, hdrLen, le);
  hv.setUint32(8, 0, le);
  hv.setUint32(12, f.length, le);
  hv.setUint32(16, f.length, le);
  hv.setUint32(20, l.length, le);
  if (hdrLen >= 32) {
    hv.setUint32(24, f.length + l.length, le);
    hv.setUint32(28, c.length, le);
  }
  return concat([header, f, l, hdrLen >= 32 ? c : new Uint8Array(0)]);
}

/** BTF kind numbers, for readable test cases. */
export const K = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10,
  RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;

/** INT trailing word: encoding, bit offset, bits. */
export function intWord(encoding: number, bitOffset: number, bits: number): number {
  return ((encoding & 0xf) << 24) | ((bitOffset & 0xff) << 16) | (bits & 0xff);
}
