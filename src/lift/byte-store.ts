import { bin, konst, maxValue, orTerms, U64, type Sym } from './sym.js';
import type { KeyPiece } from './types.js';

/**
 * Symbolic memory addressed by constant byte offsets: a stack frame, or the bytes of the
 * packet / a map value a path has written. Each chunk holds one symbolic value of
 * `size` bytes as the program stored it (object byte order); loads of a whole chunk give
 * the value back, loads of a part of one give a shifted and masked value, loads across
 * chunks are assembled from their parts.
 *
 * Copy on fork: chunks are immutable records, the array is copied.
 */
export interface Chunk {
  readonly offset: number;
  readonly size: number;
  readonly value: Sym;
}

export type ByteStore = readonly Chunk[];

export const EMPTY_STORE: ByteStore = [];

const mask = (size: number): bigint => (1n << BigInt(size * 8)) - 1n;

/** The `size` bytes at `offset` inside chunk `c`, as a value of that size. */
function slice(c: Chunk, offset: number, size: number, littleEndian: boolean): Sym {
  if (offset === c.offset && size === c.size) return c.value;
  const shiftBytes = littleEndian ? offset - c.offset : c.offset + c.size - (offset + size);
  const shifted = shiftBytes === 0 ? c.value : bin('rsh', c.value, konst(BigInt(shiftBytes * 8)));
  return bin('and', shifted, konst(mask(size)));
}

export function store(mem: ByteStore, offset: number, size: number, value: Sym, littleEndian: boolean): ByteStore {
  const split = parts(value, size, littleEndian);
  if (split) return split.reduce((m, p) => store(m, offset + p.at, p.size, p.value, littleEndian), mem);
  const out: Chunk[] = [];
  const end = offset + size;
  for (const c of mem) {
    const cEnd = c.offset + c.size;
    if (cEnd <= offset || c.offset >= end) {
      out.push(c);
      continue;
    }
    // Keep the parts of an overlapped chunk that stick out on either side.
    if (c.offset < offset) out.push({ offset: c.offset, size: offset - c.offset, value: slice(c, c.offset, offset - c.offset, littleEndian) });
    if (cEnd > end) out.push({ offset: end, size: cEnd - end, value: slice(c, end, cEnd - end, littleEndian) });
  }
  out.push({ offset, size, value: trimTo(value, size) });
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * A value assembled from byte-aligned parts (`a | b << 32`: what `join` builds when a
 * program copies a struct eight bytes at a time, as -O1 code does) as those parts, each
 * with its place among the `size` bytes (bytes no part covers are zero). Stored apart, each
 * part stays what it was (a header field, a member of a looked-up value) instead of
 * becoming one wide value nobody can name. Undefined when the value is not such an `or`.
 */
function parts(value: Sym, size: number, littleEndian: boolean): { at: number; size: number; value: Sym }[] | undefined {
  if (value.kind !== 'bin' || value.op !== 'or' || size < 2) return undefined;
  const terms = orTerms(value);
  // Each term as (shift in bytes from the least significant end, width in bytes, value).
  const placed: { shift: number; width: number; value: Sym }[] = [];
  for (const t of terms) {
    let shift = 0;
    let inner = t;
    if (t.kind === 'bin' && t.op === 'lsh' && t.b.kind === 'const' && t.b.value % 8n === 0n && t.b.value < 64n) {
      shift = Number(t.b.value / 8n);
      inner = t.a;
    } else if (t.kind === 'const') {
      if (t.value === 0n) continue;
      while (((t.value >> BigInt(8 * shift)) & 0xffn) === 0n) shift++;
      inner = konst(t.value >> BigInt(8 * shift));
    }
    const max = maxValue(inner);
    if (max === U64 && shift > 0) return undefined;
    const width = max === 0n ? 0 : Math.ceil(max.toString(2).length / 8);
    if (width === 0) continue;
    if (shift + width > size) return undefined;
    placed.push({ shift, width, value: inner });
  }
  placed.sort((a, b) => a.shift - b.shift);
  const out: { at: number; size: number; value: Sym }[] = [];
  let next = 0;
  const put = (shift: number, width: number, v: Sym): void => {
    out.push({ at: littleEndian ? shift : size - shift - width, size: width, value: v });
  };
  for (const p of placed) {
    if (p.shift < next) return undefined; // overlapping terms: not a plain assembly of parts
    if (p.shift > next) put(next, p.shift - next, konst(0n));
    put(p.shift, p.width, p.value);
    next = p.shift + p.width;
  }
  if (next < size) put(next, size - next, konst(0n));
  return out.length > 1 ? out : undefined;
}

function trimTo(value: Sym, size: number): Sym {
  if (size >= 8) return value;
  return bin('and', value, konst(mask(size)));
}

/**
 * The pieces that cover [offset, offset + size): stored chunks (sliced to fit) and, for
 * bytes never written, a scalar from `missing` (an unknown for the stack, the original
 * packet bytes for the packet).
 */
export function pieces(
  mem: ByteStore,
  offset: number,
  size: number,
  littleEndian: boolean,
  missing: (offset: number, size: number) => Sym,
): KeyPiece[] {
  const out: KeyPiece[] = [];
  let at = offset;
  const end = offset + size;
  for (const c of mem) {
    const cEnd = c.offset + c.size;
    if (cEnd <= at || c.offset >= end) continue;
    if (c.offset > at) {
      out.push({ offset: at - offset, size: c.offset - at, value: missing(at, c.offset - at) });
      at = c.offset;
    }
    const to = Math.min(cEnd, end);
    out.push({ offset: at - offset, size: to - at, value: slice(c, at, to - at, littleEndian) });
    at = to;
  }
  if (at < end) out.push({ offset: at - offset, size: end - at, value: missing(at, end - at) });
  return out;
}

/** Joins pieces back into one value of their total size (object byte order). */
export function join(ps: readonly KeyPiece[], littleEndian: boolean): Sym {
  if (ps.length === 1) return ps[0].value;
  const total = ps.reduce((n, p) => n + p.size, 0);
  let acc: Sym = konst(0n);
  for (const p of ps) {
    const shiftBytes = littleEndian ? p.offset : total - p.offset - p.size;
    const part = shiftBytes === 0 ? p.value : bin('lsh', p.value, konst(BigInt(shiftBytes * 8)));
    acc = bin('or', acc, part);
  }
  return acc;
}

export function load(mem: ByteStore, offset: number, size: number, littleEndian: boolean, missing: (offset: number, size: number) => Sym): Sym {
  return join(pieces(mem, offset, size, littleEndian, missing), littleEndian);
}

/** Whether any byte of [offset, offset + size) was written. */
export function touches(mem: ByteStore, offset: number, size: number): boolean {
  return mem.some((c) => c.offset < offset + size && c.offset + c.size > offset);
}
