import { bin, foldBin, foldUn, un, type Sym } from './sym.js';

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

/**
 * `compile` over doubles instead of bigints (about 20 times faster): exact while every
 * value stays in 0..2^53; outside it (a wrapping subtraction, a signed shift) the closure
 * throws NotNumeric and the caller falls back to the bigint form.
 */
export function compileNumeric(s: Sym, leaf: (leaf: Extract<Sym, { kind: 'scalar' }>) => ((inputs: readonly number[]) => number) | undefined): ((inputs: readonly number[]) => number) | undefined {
  switch (s.kind) {
    case 'const': {
      if (s.value >= BigInt(LIMIT)) return () => { throw new NotNumeric(); };
      const v = Number(s.value);
      return () => v;
    }
    case 'scalar':
      return leaf(s);
    case 'un': {
      const a = compileNumeric(s.a, leaf);
      if (!a) return undefined;
      switch (s.op) {
        case 'zext8':
          return (x) => a(x) % 256;
        case 'zext16':
          return (x) => a(x) % 65536;
        case 'zext32':
          return (x) => low32(a(x));
        case 'bswap16':
          return (x) => {
            const v = a(x) % 65536;
            return ((v & 0xff) << 8) | (v >> 8);
          };
        case 'bswap32':
          return (x) => {
            const v = low32(a(x));
            return (((v & 0xff) << 24) >>> 0) + ((v >>> 8) & 0xff) * 65536 + ((v >>> 16) & 0xff) * 256 + (v >>> 24);
          };
        default:
          return () => { throw new NotNumeric(); };
      }
    }
    case 'bin': {
      const a = compileNumeric(s.a, leaf);
      const b = compileNumeric(s.b, leaf);
      if (!a || !b) return undefined;
      const bitwise = (f: (p: number, q: number) => number) => (x: readonly number[]) => {
        const p = a(x);
        const q = b(x);
        if (p >= 2 ** 32 || q >= 2 ** 32) throw new NotNumeric();
        return f(p, q) >>> 0;
      };
      switch (s.op) {
        case 'add':
          return (x) => checked(a(x) + b(x));
        case 'sub':
          return (x) => checked(a(x) - b(x));
        case 'mul':
          return (x) => checked(a(x) * b(x));
        case 'div':
          return (x) => {
            const q = b(x);
            return q === 0 ? 0 : Math.floor(a(x) / q);
          };
        case 'mod':
          return (x) => {
            const q = b(x);
            return q === 0 ? a(x) : a(x) % q;
          };
        case 'and':
          return bitwise((p, q) => p & q);
        case 'or':
          return bitwise((p, q) => p | q);
        case 'xor':
          return bitwise((p, q) => p ^ q);
        case 'lsh':
          return (x) => {
            const q = b(x);
            if (q >= 64) throw new NotNumeric();
            return checked(a(x) * 2 ** q);
          };
        case 'rsh':
          return (x) => {
            const q = b(x);
            if (q >= 64) throw new NotNumeric();
            return Math.floor(a(x) / 2 ** q);
          };
        default:
          return () => { throw new NotNumeric(); };
      }
    }
    default:
      return undefined;
  }
}
