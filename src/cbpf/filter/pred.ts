/**
 * What lowering produces and the decision DAG consumes: values computed from packet
 * bytes, tests comparing a value with a constant (or another value), and predicates
 * combining tests with and/or/not. Every value and test carries a `key`, a canonical
 * text of what it computes: two equal keys read the same bytes and compute the same
 * number, which is what lets the compiler reuse a load or decide a test from another.
 *
 * The smart constructors fold constants as libpcap's optimizer does (so `x * 0` loses
 * its load there as here) and never fold anything else.
 */
import type { AluOp, JumpCond, LoadSize } from '../types.js';

export type Value =
  | { readonly kind: 'const'; readonly k: number; readonly key: string }
  | { readonly kind: 'len'; readonly key: string }
  /** 4 * (P[at] & 0xf): an IPv4 header length, what `ldxb 4*([at]&0xf)` puts in X. */
  | { readonly kind: 'iphlen'; readonly at: number; readonly key: string }
  /** P[index + offset] (index absent: an absolute load). */
  | { readonly kind: 'load'; readonly size: LoadSize; readonly offset: number; readonly index?: Value; readonly key: string }
  | { readonly kind: 'alu'; readonly op: AluOp; readonly left: Value; readonly right: Value; readonly key: string }
  | { readonly kind: 'neg'; readonly arg: Value; readonly key: string };

/** `value cond rhs`, one conditional jump (jset: value & rhs != 0). */
export interface Test {
  readonly value: Value;
  readonly cond: JumpCond;
  readonly rhs: Value;
  readonly key: string;
}

export type Pred =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'test'; readonly test: Test }
  | { readonly kind: 'and' | 'or'; readonly left: Pred; readonly right: Pred }
  | { readonly kind: 'not'; readonly arg: Pred };

export const TRUE: Pred = { kind: 'true' };
export const FALSE: Pred = { kind: 'false' };

const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;

export function constant(k: number): Value {
  return { kind: 'const', k: k >>> 0, key: `#${hex(k)}` };
}

export const LEN: Value = { kind: 'len', key: 'len' };

export function iphlen(at: number): Value {
  return { kind: 'iphlen', at, key: `4*([${at}]&0xf)` };
}

/** P[index + offset]; a constant index is folded into the offset. */
export function load(size: LoadSize, offset: number, index?: Value): Value {
  if (index?.kind === 'const') return load(size, offset + index.k, undefined);
  const at = index ? `${index.key}+${offset}` : String(offset);
  return { kind: 'load', size, offset, index, key: `${size}[${at}]` };
}

const COMMUTATIVE: ReadonlySet<AluOp> = new Set(['add', 'mul', 'and', 'or', 'xor']);

/** A op B with libpcap's folds: constants, and `x op 0` (add/sub/or/shifts keep x; mul/and give 0). */
export function alu(op: AluOp, left: Value, right: Value): Value {
  // A constant goes on the right of a commutative operator: `alu #k` needs no X.
  if (left.kind === 'const' && right.kind !== 'const' && COMMUTATIVE.has(op)) return alu(op, right, left);
  if (left.kind === 'const' && right.kind === 'const') {
    const v = foldAlu(op, left.k, right.k);
    if (v !== undefined) return constant(v);
  }
  if (right.kind === 'const' && right.k === 0) {
    if (op === 'add' || op === 'sub' || op === 'or' || op === 'lsh' || op === 'rsh' || op === 'xor') return left;
    if (op === 'mul' || op === 'and') return constant(0);
  }
  return { kind: 'alu', op, left, right, key: `(${left.key} ${op} ${right.key})` };
}

export function neg(arg: Value): Value {
  if (arg.kind === 'const') return constant(-arg.k);
  return { kind: 'neg', arg, key: `-${arg.key}` };
}

/** A op B in u32 arithmetic; undefined for a division by zero. */
export function foldAlu(op: AluOp, a: number, b: number): number | undefined {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': return b === 0 ? undefined : Math.floor(a / b);
    case 'mod': return b === 0 ? undefined : a % b;
    case 'and': return (a & b) >>> 0;
    case 'or': return (a | b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return b >= 32 ? 0 : (a << b) >>> 0;
    case 'rsh': return b >= 32 ? 0 : a >>> b;
    default: return unreachable(op);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}

/** Whether `a cond b` holds. */
export function holds(cond: JumpCond, a: number, b: number): boolean {
  switch (cond) {
    case 'jeq': return a === b;
    case 'jgt': return a > b;
    case 'jge': return a >= b;
    case 'jset': return (a & b) !== 0;
    default: return unreachable(cond);
  }
}

/**
 * The predicate `value cond rhs`. Constants on both sides fold to true or false;
 * `(v & m) == 0` becomes `not (v jset m)` and `v - k == c` becomes `v == c + k`, each one
 * instruction shorter, as libpcap's optimizer does.
 */
export function test(cond: JumpCond, value: Value, rhs: Value): Pred {
  if (value.kind === 'const' && rhs.kind === 'const') return holds(cond, value.k, rhs.k) ? TRUE : FALSE;
  // Equality survives adding, subtracting or xor-ing a constant on both sides (mod 2^32).
  if (cond === 'jeq' && rhs.kind === 'const' && value.kind === 'alu' && value.right.kind === 'const') {
    const k = value.right.k;
    if (value.op === 'add') return test('jeq', value.left, constant(rhs.k - k));
    if (value.op === 'sub') return test('jeq', value.left, constant(rhs.k + k));
    if (value.op === 'xor') return test('jeq', value.left, constant(rhs.k ^ k));
  }
  if (cond === 'jeq' && rhs.kind === 'const' && rhs.k === 0 && value.kind === 'alu' && value.op === 'and' && value.right.kind === 'const') {
    return not(test('jset', value.left, value.right));
  }
  return { kind: 'test', test: { value, cond, rhs, key: `${value.key} ${cond} ${rhs.key}` } };
}

export function and(left: Pred, right: Pred): Pred {
  if (left.kind === 'true') return right;
  if (right.kind === 'true') return left;
  if (left.kind === 'false' || right.kind === 'false') return FALSE;
  return { kind: 'and', left, right };
}

export function or(left: Pred, right: Pred): Pred {
  if (left.kind === 'false') return right;
  if (right.kind === 'false') return left;
  if (left.kind === 'true' || right.kind === 'true') return TRUE;
  return { kind: 'or', left, right };
}

export function not(arg: Pred): Pred {
  if (arg.kind === 'true') return FALSE;
  if (arg.kind === 'false') return TRUE;
  if (arg.kind === 'not') return arg.arg;
  return { kind: 'not', arg };
}

/** and/or over a list, left to right (the order libpcap evaluates in). */
export function all(...ps: Pred[]): Pred {
  return ps.reduce(and, TRUE);
}

export function any(...ps: Pred[]): Pred {
  return ps.reduce(or, FALSE);
}

/** Every value a test reads, itself included: what knowledge about it can matter to. */
export function subValues(v: Value, out: Set<string> = new Set()): Set<string> {
  out.add(v.key);
  switch (v.kind) {
    case 'load': if (v.index) subValues(v.index, out); break;
    case 'alu': subValues(v.left, out); subValues(v.right, out); break;
    case 'neg': subValues(v.arg, out); break;
    default: break;
  }
  return out;
}
