import type { BinOp, Sym, UnOp } from '../sym.js';
import type { CmpOp } from '../types.js';
import { complement, type ValueSet } from '../value-set.js';

/**
 * A 64-bit value as what each of its bits is: a constant, or one bit of the tested field
 * value v. Most field tests the compiler emits only move, mask and swap bits
 * (`bswap16(load) & 0x1fff`, `(b << 8) | a`, `(x >> 61) & 1`); for those, `a == c` is
 * a condition on some bits of v, and its set of values can be written down instead of
 * tried on all 65,536 values of v.
 *
 * Bit i of the array is bit i of the value: ZERO, ONE, or k >= 0 for bit k of v.
 */
type Bits = readonly number[];

const ZERO = -1;
const ONE = -2;

/** Where each byte of a leaf comes from: leaf byte j (as loaded) is v's bits from[j]..from[j]+7. */
export interface LeafBytes {
  readonly from: readonly number[];
  /** Byte j's place in the loaded value: its bits at[j]..at[j]+7. */
  readonly at: readonly number[];
}

function constBits(value: bigint): Bits {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) out.push((value >> BigInt(i)) & 1n ? ONE : ZERO);
  return out;
}

function leafBits(bytes: LeafBytes): Bits {
  const out: number[] = new Array(64).fill(ZERO);
  bytes.from.forEach((from, j) => {
    for (let b = 0; b < 8; b++) out[bytes.at[j] + b] = from + b;
  });
  return out;
}

function isConst(bits: Bits): boolean {
  return bits.every((b) => b < 0);
}

function constValue(bits: Bits): bigint {
  let v = 0n;
  for (let i = 63; i >= 0; i--) v = (v << 1n) | (bits[i] === ONE ? 1n : 0n);
  return v;
}

/** Bytes 0..n-1 reversed, everything above them zero (foldUn's bswap). */
function swapped(a: Bits, n: number): Bits {
  return a.map((_, i) => (i < 8 * n ? a[8 * (n - 1 - Math.floor(i / 8)) + (i % 8)] : ZERO));
}

function unBits(op: UnOp, a: Bits): Bits | undefined {
  const low = (w: number): Bits => a.map((b, i) => (i < w ? b : ZERO));
  const signed = (w: number): Bits => a.map((b, i) => (i < w ? b : a[w - 1]));
  switch (op) {
    case 'zext8':
      return low(8);
    case 'zext16':
      return low(16);
    case 'zext32':
      return low(32);
    case 'sext8':
      return signed(8);
    case 'sext16':
      return signed(16);
    case 'sext32':
      return signed(32);
    case 'bswap16':
      return swapped(a, 2);
    case 'bswap32':
      return swapped(a, 4);
    case 'bswap64':
      return swapped(a, 8);
    case 'neg':
      return undefined;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function andBit(p: number, q: number): number | undefined {
  if (p === ZERO || q === ZERO) return ZERO;
  if (p === ONE) return q;
  if (q === ONE) return p;
  return p === q ? p : undefined;
}

function orBit(p: number, q: number): number | undefined {
  if (p === ONE || q === ONE) return ONE;
  if (p === ZERO) return q;
  if (q === ZERO) return p;
  return p === q ? p : undefined;
}

function xorBit(p: number, q: number): number | undefined {
  if (p === ZERO) return q;
  if (q === ZERO) return p;
  if (p === ONE && q === ONE) return ZERO;
  return undefined;
}

function pointwise(a: Bits, b: Bits, f: (p: number, q: number) => number | undefined): Bits | undefined {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) {
    const bit = f(a[i], b[i]);
    if (bit === undefined) return undefined;
    out.push(bit);
  }
  return out;
}

function binBits(op: BinOp, a: Bits, b: Bits): Bits | undefined {
  switch (op) {
    case 'and':
      return pointwise(a, b, andBit);
    case 'or':
      return pointwise(a, b, orBit);
    case 'xor':
      return pointwise(a, b, xorBit);
    case 'lsh':
    case 'rsh': {
      if (!isConst(b)) return undefined;
      // foldBin shifts by the low six bits of the amount.
      const s = Number(constValue(b) & 63n);
      return op === 'lsh' ? a.map((_, i) => (i >= s ? a[i - s] : ZERO)) : a.map((_, i) => (i + s < 64 ? a[i + s] : ZERO));
    }
    default:
      return undefined;
  }
}

/** The bits of an expression, or undefined when some operation mixes bits (add, a variable shift...). */
function bitsOf(s: Sym, leaf: (key: string) => LeafBytes | undefined): Bits | undefined {
  switch (s.kind) {
    case 'const':
      return constBits(s.value);
    case 'scalar': {
      const bytes = leaf(s.key);
      return bytes && leafBits(bytes);
    }
    case 'un': {
      const a = bitsOf(s.a, leaf);
      return a && unBits(s.op, a);
    }
    case 'bin': {
      const a = bitsOf(s.a, leaf);
      const b = a && bitsOf(s.b, leaf);
      return b && binBits(s.op, a!, b);
    }
    default:
      return undefined;
  }
}

/**
 * {v : a(v) == b(v)} as v & mask == want, or null when no v satisfies it; undefined when
 * equality is not a condition on single bits (both sides vary in one bit position).
 */
function equalBits(a: Bits, b: Bits): { mask: number; want: number } | null | undefined {
  let mask = 0;
  let want = 0;
  for (let i = 0; i < 64; i++) {
    let p = a[i];
    let q = b[i];
    if (p < 0 && q < 0) {
      if (p !== q) return null;
      continue;
    }
    if (p >= 0 && q >= 0) {
      if (p !== q) return undefined;
      continue;
    }
    if (p < 0) [p, q] = [q, p];
    const bit = 2 ** p;
    const value = q === ONE ? bit : 0;
    if (mask & bit) {
      if ((want & bit) !== value) return null;
    } else {
      mask |= bit;
      want |= value;
    }
  }
  return { mask, want };
}

/** {v < 2^bits : v & mask == want} as sorted, non-adjacent ranges. */
function maskedSet(bits: number, mask: number, want: number): ValueSet {
  if (mask === 0) return { bits, ranges: [[0, 2 ** bits - 1]] };
  // The free bits below the lowest fixed one make each range; the free bits above it
  // pick the range, in increasing order as their count goes up.
  let low = 0;
  while (!(mask & (2 ** low))) low++;
  const free: number[] = [];
  for (let i = low + 1; i < bits; i++) if (!(mask & (2 ** i))) free.push(i);
  const ranges: [number, number][] = [];
  for (let n = 0; n < 2 ** free.length; n++) {
    let start = want;
    free.forEach((bit, j) => {
      if (n & (2 ** j)) start |= 2 ** bit;
    });
    ranges.push([start, start + 2 ** low - 1]);
  }
  return { bits, ranges };
}

/**
 * The values v of a field test `a op b` over `bits` bits (at most 16), written down when
 * the test only moves, masks and swaps bits and compares for equality or tests bits;
 * undefined when the values must be tried one by one. `op` is one of the operators a test
 * is enumerated as (eq, set, and the orders, which are left to enumeration).
 */
export function bitTestSet(op: CmpOp, a: Sym, b: Sym, bits: number, leaf: (key: string) => LeafBytes | undefined): ValueSet | undefined {
  if (op !== 'eq' && op !== 'ne' && op !== 'set' && op !== 'clear') return undefined;
  const x = bitsOf(a, leaf);
  const y = x && bitsOf(b, leaf);
  if (!x || !y) return undefined;
  // `set`: some bit of a & b is one, the complement of a & b == 0.
  const [p, q] = op === 'eq' || op === 'ne' ? [x, y] : [pointwise(x, y, andBit), constBits(0n)];
  if (!p) return undefined;
  const eq = equalBits(p, q);
  if (eq === undefined) return undefined;
  const holds = eq === null ? { bits, ranges: [] } : maskedSet(bits, eq.mask, eq.want);
  return op === 'eq' || op === 'clear' ? holds : complement(holds);
}
