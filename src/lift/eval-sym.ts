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
