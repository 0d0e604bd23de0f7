import { bin, knownBits, konst, maxValue, un, U64, type Sym } from './sym.js';
import type { CmpOp } from './types.js';

/**
 * What a path has learnt about its symbols from the branches it took: exact values,
 * excluded values and unsigned ranges, keyed by the symbol's canonical key. Enough to
 * decide a comparison an earlier branch already settled (the same protocol byte tested
 * twice, a bounds check implied by a stronger one) and to prune the impossible side.
 */
export interface Fact {
  readonly eq?: bigint;
  readonly ne: readonly bigint[];
  readonly min: bigint;
  readonly max: bigint;
}

export type Facts = ReadonlyMap<string, Fact>;

const ANY: Fact = { ne: [], min: 0n, max: U64 };

const ZEXT_LIMIT: Partial<Record<string, bigint>> = { zext8: 0xffn, zext16: 0xffffn, zext32: 0xffffffffn };

/**
 * What the facts say about a symbol, narrowed by what its width allows. A zero-extension
 * of a value the facts keep within the width is that value (a 32-bit move of a checked
 * length, `w4 = w8`, keeps its bound).
 */
export function factOf(facts: Facts, s: Sym): Fact {
  let f = facts.get(s.key);
  if (f === undefined && s.kind === 'un') {
    const limit = ZEXT_LIMIT[s.op];
    const inner = limit === undefined ? undefined : facts.get(s.a.key);
    if (inner && limit !== undefined && inner.max <= limit) f = inner;
  }
  f ??= ANY;
  const limit = maxValue(s);
  return limit < f.max ? { ...f, max: limit } : f;
}

/** Replaces symbols whose value a fact fixes, through arithmetic, so constants fold. */
export function resolve(s: Sym, facts: Facts): Sym {
  if (facts.size === 0) return s;
  switch (s.kind) {
    case 'scalar': {
      const f = facts.get(s.key);
      return f?.eq !== undefined ? konst(f.eq) : s;
    }
    case 'bin': {
      const a = resolve(s.a, facts);
      const b = resolve(s.b, facts);
      const r = a === s.a && b === s.b ? s : bin(s.op, a, b);
      const f = facts.get(r.key);
      return f?.eq !== undefined ? konst(f.eq) : r;
    }
    case 'un': {
      const a = resolve(s.a, facts);
      const r = a === s.a ? s : un(s.op, a);
      const f = facts.get(r.key);
      return f?.eq !== undefined ? konst(f.eq) : r;
    }
    default:
      return s;
  }
}

const SIGN = 1n << 63n;

function signed(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** `a op b` over 64-bit values (unsigned unless the operator is signed). */
export function decideConst(op: CmpOp, a: bigint, b: bigint): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'slt':
      return signed(a) < signed(b);
    case 'sle':
      return signed(a) <= signed(b);
    case 'sgt':
      return signed(a) > signed(b);
    case 'sge':
      return signed(a) >= signed(b);
    case 'set':
      return (a & b) !== 0n;
    case 'clear':
      return (a & b) === 0n;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Mirror of `a op b` as `b op' a`. */
export function swapOp(op: CmpOp): CmpOp {
  const m: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le', slt: 'sgt', sle: 'sge', sgt: 'slt', sge: 'sle', set: 'set', clear: 'clear' };
  return m[op];
}

export function negateOp(op: CmpOp): CmpOp {
  const m: Record<CmpOp, CmpOp> = { eq: 'ne', ne: 'eq', lt: 'ge', le: 'gt', gt: 'le', ge: 'lt', slt: 'sge', sle: 'sgt', sgt: 'sle', sge: 'slt', set: 'clear', clear: 'set' };
  return m[op];
}

/** true / false when the facts decide `a op b`, undefined when both ways are possible. */
export function decide(op: CmpOp, a: Sym, b: Sym, facts: Facts): boolean | undefined {
  const ra = resolve(a, facts);
  const rb = resolve(b, facts);
  if (ra.kind === 'const' && rb.kind === 'const') return decideConst(op, ra.value, rb.value);
  if (ra.key === rb.key) {
    if (op === 'eq' || op === 'le' || op === 'ge' || op === 'sle' || op === 'sge') return true;
    if (op === 'ne' || op === 'lt' || op === 'gt' || op === 'slt' || op === 'sgt') return false;
    return undefined;
  }
  if (ra.kind === 'const') return decide(swapOp(op), rb, ra, facts);
  if (rb.kind !== 'const') return undefined;
  const f = factOf(facts, ra);
  const c = rb.value;
  const bits = knownBits(ra);
  switch (op) {
    case 'eq':
      if ((c & ~bits.may) !== 0n || (bits.one & ~c) !== 0n) return false;
      if (f.ne.includes(c) || c < f.min || c > f.max) return false;
      return f.min === f.max && f.min === c ? true : undefined;
    case 'ne': {
      const eq = decide('eq', ra, rb, facts);
      return eq === undefined ? undefined : !eq;
    }
    case 'lt':
      return f.max < c ? true : f.min >= c ? false : undefined;
    case 'le':
      return f.max <= c ? true : f.min > c ? false : undefined;
    case 'gt':
      return f.min > c ? true : f.max <= c ? false : undefined;
    case 'ge':
      return f.min >= c ? true : f.max < c ? false : undefined;
    case 'slt':
    case 'sle':
    case 'sgt':
    case 'sge':
      // Only when the range stays on one side of the sign bit do signed and unsigned agree.
      if (f.max < SIGN && c < SIGN) return decide(op.slice(1) as CmpOp, ra, rb, facts);
      return undefined;
    case 'set':
      return (bits.may & c) === 0n ? false : (bits.one & c) !== 0n ? true : undefined;
    case 'clear':
      return (bits.may & c) === 0n ? true : (bits.one & c) !== 0n ? false : undefined;
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** The facts after learning that `a op b` holds. */
export function learn(op: CmpOp, a: Sym, b: Sym, facts: Facts): Facts {
  const ra = resolve(a, facts);
  const rb = resolve(b, facts);
  if (ra.kind === 'const' && rb.kind !== 'const') return learn(swapOp(op), rb, ra, facts);
  if (rb.kind !== 'const' || ra.kind === 'const') return facts;
  const f = factOf(facts, ra);
  const c = rb.value;
  let next: Fact;
  switch (op) {
    case 'eq':
      next = { eq: c, ne: f.ne, min: c, max: c };
      break;
    case 'ne':
      next = { ...f, ne: [...f.ne, c], min: f.min === c ? c + 1n : f.min, max: f.max === c ? c - 1n : f.max };
      break;
    case 'lt':
      next = { ...f, max: c - 1n < f.max ? c - 1n : f.max };
      break;
    case 'le':
      next = { ...f, max: c < f.max ? c : f.max };
      break;
    case 'gt':
      next = { ...f, min: c + 1n > f.min ? c + 1n : f.min };
      break;
    case 'ge':
      next = { ...f, min: c > f.min ? c : f.min };
      break;
    case 'sge':
    case 'sgt':
      // x >= 0 (signed) keeps x below the sign bit: a common "helper succeeded" test.
      if (c === 0n) next = { ...f, max: f.max < SIGN - 1n ? f.max : SIGN - 1n, ...(op === 'sgt' ? { min: f.min > 0n ? f.min : 1n } : {}) };
      else return facts;
      break;
    case 'slt':
      if (c === 0n) next = { ...f, min: f.min > SIGN ? f.min : SIGN };
      else return facts;
      break;
    default:
      return facts;
  }
  if (next.min === next.max && next.eq === undefined) next = { ...next, eq: next.min };
  const out = new Map(facts);
  out.set(ra.key, next);
  return out;
}

/** Whether the facts can still hold (no empty range). */
export function consistent(facts: Facts): boolean {
  for (const f of facts.values()) {
    if (f.min > f.max) return false;
    if (f.eq !== undefined && f.ne.includes(f.eq)) return false;
  }
  return true;
}
