import { bin, foldBin, foldUn, un, type BinOp, type Sym, type UnOp } from './sym.js';

/** A value for each leaf (scalar) of an expression, or undefined when it has none. */
export type LeafValue = (leaf: Extract<Sym, { kind: 'scalar' }>) => bigint | undefined;

/**
 * The concrete 64-bit value of an expression when every leaf it reaches has a value:
 * the lifter's arithmetic replayed on numbers, so a guard can be tried on every value of
 * the packet field it reads.
 */
export function evaluate(s: Sym, leaf: LeafValue): bigint | undefined {
  switch (s.kind) {
    case 'const':
      return s.value;
    case 'scalar':
      return leaf(s);
    case 'un': {
      const a = evaluate(s.a, leaf);
      return a === undefined ? undefined : foldUn(s.op, a);
    }
    case 'bin': {
      const a = evaluate(s.a, leaf);
      if (a === undefined) return undefined;
      const b = evaluate(s.b, leaf);
      return b === undefined ? undefined : BigInt.asUintN(64, foldBin(s.op, a, b));
    }
    default:
      return undefined;
  }
}

/** Every distinct leaf of an expression, by key, in first-seen order. */
export function leaves(s: Sym, out: Map<string, Extract<Sym, { kind: 'scalar' }>> = new Map()): Map<string, Extract<Sym, { kind: 'scalar' }>> {
  switch (s.kind) {
    case 'scalar':
      if (!out.has(s.key)) out.set(s.key, s);
      return out;
    case 'un':
      return leaves(s.a, out);
    case 'bin':
      leaves(s.a, out);
      return leaves(s.b, out);
    default:
      return out;
  }
}

/**
 * The expression with leaves replaced (where `replace` returns a symbol), rebuilt through
 * the simplifying constructors: `bswap32(bswap32(n))` comes back as `n`.
 */
export function substitute(s: Sym, replace: (leaf: Extract<Sym, { kind: 'scalar' }>) => Sym | undefined): Sym {
  switch (s.kind) {
    case 'scalar':
      return replace(s) ?? s;
    case 'un': {
      const a = substitute(s.a, replace);
      return a === s.a ? s : un(s.op, a);
    }
    case 'bin': {
      const a = substitute(s.a, replace);
      const b = substitute(s.b, replace);
      return a === s.a && b === s.b ? s : bin(s.op, a, b);
    }
    default:
      return s;
  }
}

/** A leaf's value given the inputs of a compiled expression (see `compile`). */
export type CompiledLeaf = (leaf: Extract<Sym, { kind: 'scalar' }>) => ((inputs: readonly bigint[]) => bigint) | undefined;

/**
 * `evaluate` turned into one closure per expression, for guards tried on every value of a
 * 16-bit field: the tree is walked once instead of 65,536 times.
 */
export function compile(s: Sym, leaf: CompiledLeaf): ((inputs: readonly bigint[]) => bigint) | undefined {
  switch (s.kind) {
    case 'const': {
      const v = s.value;
      return () => v;
    }
    case 'scalar':
      return leaf(s);
    case 'un': {
      const a = compile(s.a, leaf);
      const op = s.op;
      return a && ((x) => foldUn(op, a(x)));
    }
    case 'bin': {
      const a = compile(s.a, leaf);
      const b = compile(s.b, leaf);
      const op = s.op;
      return a && b && ((x) => BigInt.asUintN(64, foldBin(op, a(x), b(x))));
    }
    default:
      return undefined;
  }
}

/** Thrown by a numeric closure when a value leaves the range doubles hold exactly. */
export class NotNumeric extends Error {}

const LIMIT = 2 ** 53;

function checked(v: number): number {
  if (!(v >= 0 && v < LIMIT)) throw new NotNumeric();
  return v;
}

function low32(v: number): number {
  return v % 2 ** 32;
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) >>> 0) + ((v >>> 8) & 0xff) * 65536 + ((v >>> 16) & 0xff) * 256 + (v >>> 24);
}

/**
 * A compiled value made ready to compare: a bswap64 can leave an exact value above 2^53,
 * where signed and unsigned comparisons part; such values go to the bigint form.
 */
export function exact(v: number): number {
  return checked(v);
}

/** A unary operation over doubles, exact or NotNumeric (see `evaluateColumn`). */
function unNumber(op: UnOp, v: number): number {
  switch (op) {
    case 'zext8':
      return v % 256;
    case 'zext16':
      return v % 65536;
    case 'zext32':
      return low32(v);
    case 'bswap16': {
      const w = v % 65536;
      return ((w & 0xff) << 8) | (w >> 8);
    }
    case 'bswap32':
      return swap32(low32(v));
    case 'bswap64':
      // Of a value below 2^32 the swap is that value's four bytes swapped, times 2^32:
      // at most 32 significant bits, so exact though above 2^53 (see `exact`).
      if (v >= 2 ** 32) throw new NotNumeric();
      return swap32(v) * 2 ** 32;
    default:
      throw new NotNumeric();
  }
}

/** A binary operation over doubles, exact or NotNumeric (see `evaluateColumn`). */
function binNumber(op: BinOp, p: number, q: number): number {
  switch (op) {
    case 'add':
      return checked(p + q);
    case 'sub':
      return checked(p - q);
    case 'mul':
      return checked(p * q);
    case 'div':
      return q === 0 ? 0 : Math.floor(checked(p) / q);
    case 'mod':
      return q === 0 ? p : p % q;
    case 'and':
      if (p >= 2 ** 32 || q >= 2 ** 32) throw new NotNumeric();
      return (p & q) >>> 0;
    case 'or':
      if (p >= 2 ** 32 || q >= 2 ** 32) throw new NotNumeric();
      return (p | q) >>> 0;
    case 'xor':
      if (p >= 2 ** 32 || q >= 2 ** 32) throw new NotNumeric();
      return (p ^ q) >>> 0;
    case 'lsh':
      if (q >= 64) throw new NotNumeric();
      return checked(p * 2 ** q);
    case 'rsh':
      if (q >= 64) throw new NotNumeric();
      return Math.floor(p / 2 ** q);
    default:
      throw new NotNumeric();
  }
}

/** Values of an expression for every input at once: one number when it is the same for all. */
export type Column = Float64Array | number;

/**
 * `evaluate` for every value of a field at once, over doubles instead of bigints (a guard
 * on a 16-bit field is tried on all 65,536 values): one pass per operation. Exact while
 * every value stays in 0..2^53; outside it (a wrapping subtraction, a signed shift) it
 * throws NotNumeric and the caller falls back to the bigint form. The one exception is a
 * bswap64, exact up to 2^64: a result is compared only after `exact`. Undefined when a
 * leaf has no column.
 */
export function evaluateColumn(s: Sym, leaf: (leaf: Extract<Sym, { kind: 'scalar' }>) => Column | undefined, n: number): Column | undefined {
  switch (s.kind) {
    case 'const':
      if (s.value >= BigInt(LIMIT)) throw new NotNumeric();
      return Number(s.value);
    case 'scalar':
      return leaf(s);
    case 'un': {
      const a = evaluateColumn(s.a, leaf, n);
      if (a === undefined) return undefined;
      if (typeof a === 'number') return unNumber(s.op, a);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = unNumber(s.op, a[i]);
      return out;
    }
    case 'bin': {
      const a = evaluateColumn(s.a, leaf, n);
      const b = evaluateColumn(s.b, leaf, n);
      if (a === undefined || b === undefined) return undefined;
      if (typeof a === 'number' && typeof b === 'number') return binNumber(s.op, a, b);
      const out = new Float64Array(n);
      if (typeof a === 'number') for (let i = 0; i < n; i++) out[i] = binNumber(s.op, a, (b as Float64Array)[i]);
      else if (typeof b === 'number') for (let i = 0; i < n; i++) out[i] = binNumber(s.op, a[i], b);
      else for (let i = 0; i < n; i++) out[i] = binNumber(s.op, a[i], b[i]);
      return out;
    }
    default:
      return undefined;
  }
}
