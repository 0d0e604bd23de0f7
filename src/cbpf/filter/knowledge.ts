/**
 * What the tests passed so far on one path say about values: exact values, excluded
 * values, ranges and bits known clear, per value key, plus the outcome of every test
 * taken. A test it decides can be skipped: its value was loaded on this path already,
 * so skipping it never skips a load that could have failed.
 *
 * Nothing is assumed without a test: not even that a byte load is below 256, because
 * deciding `ip proto 300` false without loading would turn a short packet's "no match"
 * into a match under `not`.
 */
import { foldAlu, holds, type Test, type Value } from './pred.js';

/** Excluded values as a shared list: learning one more copies nothing (chains learn hundreds). */
interface Excluded {
  readonly value: number;
  readonly rest?: Excluded;
}

interface Facts {
  readonly eq?: number;
  readonly ne?: Excluded;
  /** The excluded values in the order learnt, as text: part of the memo key. */
  readonly neText: string;
  readonly lo: number;
  readonly hi: number;
  /** Bits known to be 0 (from a jset that did not jump). */
  readonly clear: number;
  /** Masks known to have a bit set (from a jset that jumped). */
  readonly someSet: readonly number[];
}

const NOTHING: Facts = { neText: '', lo: 0, hi: 0xffffffff, clear: 0, someSet: [] };

function excludes(f: Facts, v: number): boolean {
  for (let e = f.ne; e; e = e.rest) if (e.value === v) return true;
  return false;
}

/**
 * Facts by value key, and the outcomes of tests against a non-constant (by test key;
 * tests against constants are decided from the facts). Immutable: learn() returns a
 * new one.
 */
export interface Knowledge {
  readonly values: ReadonlyMap<string, Facts>;
  readonly tests: ReadonlyMap<string, boolean>;
}

export const EMPTY_KNOWLEDGE: Knowledge = { values: new Map(), tests: new Map() };

/** The value if the knowledge pins it down. */
export function knownValue(v: Value, k: Knowledge): number | undefined {
  if (v.kind === 'const') return v.k;
  const f = k.values.get(v.key);
  if (f?.eq !== undefined) return f.eq;
  if (v.kind === 'alu') {
    const l = knownValue(v.left, k);
    const r = l === undefined ? undefined : knownValue(v.right, k);
    return l === undefined || r === undefined ? undefined : foldAlu(v.op, l, r);
  }
  if (v.kind === 'neg') {
    const a = knownValue(v.arg, k);
    return a === undefined ? undefined : (-a) >>> 0;
  }
  return undefined;
}

/** true or false if the test's outcome follows from the knowledge, else undefined. */
export function decide(t: Test, k: Knowledge): boolean | undefined {
  const taken = k.tests.get(t.key);
  if (taken !== undefined) return taken;
  const rhs = knownValue(t.rhs, k);
  if (rhs === undefined) return undefined;
  const v = knownValue(t.value, k);
  if (v !== undefined) return holds(t.cond, v, rhs);
  const f = k.values.get(t.value.key);
  if (!f) return undefined;
  switch (t.cond) {
    case 'jeq': return excludes(f, rhs) || rhs < f.lo || rhs > f.hi ? false : undefined;
    case 'jgt': return f.lo > rhs ? true : f.hi <= rhs ? false : undefined;
    case 'jge': return f.lo >= rhs ? true : f.hi < rhs ? false : undefined;
    case 'jset':
      if ((f.clear & rhs) >>> 0 === rhs) return false;
      return f.someSet.some((m) => (m & ~rhs) === 0) ? true : undefined;
    default: return undefined;
  }
}

/** The knowledge after the test came out as `outcome`. */
export function learn(t: Test, outcome: boolean, k: Knowledge): Knowledge {
  if (t.rhs.kind !== 'const') return { values: k.values, tests: new Map(k.tests).set(t.key, outcome) };
  const c = t.rhs.k;
  const f = k.values.get(t.value.key) ?? NOTHING;
  let next: Facts = f;
  switch (t.cond) {
    case 'jeq': next = outcome ? { ...f, eq: c, lo: c, hi: c } : { ...f, ne: { value: c, rest: f.ne }, neText: `${f.neText},${c}` }; break;
    case 'jgt': next = outcome ? { ...f, lo: Math.max(f.lo, c + 1) } : { ...f, hi: Math.min(f.hi, c) }; break;
    case 'jge': next = outcome ? { ...f, lo: Math.max(f.lo, c) } : { ...f, hi: Math.min(f.hi, c - 1) }; break;
    case 'jset': next = outcome ? { ...f, someSet: [...f.someSet, c] } : { ...f, clear: (f.clear | c) >>> 0 }; break;
    default: break;
  }
  if (next.eq === undefined && next.lo === next.hi) next = { ...next, eq: next.lo };
  return { values: new Map(k.values).set(t.value.key, next), tests: k.tests };
}

/**
 * A text of the knowledge about the given keys: equal texts decide alike. (Not quite
 * canonical: excluded values keep the order they were learnt in, which only costs a
 * memo hit now and then.)
 */
export function describeKnowledge(k: Knowledge, keys: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const [key, f] of k.values) {
    if (!keys.has(key)) continue;
    parts.push(`${key}=${f.eq ?? ''}/${f.neText}/${f.lo}-${f.hi}/${f.clear}/${f.someSet.join(',')}`);
  }
  for (const [key, v] of k.tests) if (keys.has(key)) parts.push(`${key}:${v}`);
  return parts.sort().join(';');
}

/** What both know: the facts that hold either way (for a continuation reached on both). */
export function meetKnowledge(a: Knowledge, b: Knowledge): Knowledge {
  if (a === b) return a;
  const values = new Map<string, Facts>();
  for (const [key, fa] of a.values) {
    const fb = b.values.get(key);
    if (fb) values.set(key, meetFacts(fa, fb));
  }
  const tests = new Map<string, boolean>();
  for (const [key, v] of a.tests) if (b.tests.get(key) === v) tests.set(key, v);
  return { values, tests };
}

function meetFacts(a: Facts, b: Facts): Facts {
  if (a === b) return a;
  const values: number[] = [];
  for (let e = a.ne; e; e = e.rest) if (excludes(b, e.value) || (b.eq !== undefined && b.eq !== e.value)) values.push(e.value);
  for (let e = b.ne; e; e = e.rest) if (a.eq !== undefined && a.eq !== e.value && !values.includes(e.value)) values.push(e.value);
  values.sort((x, y) => x - y);
  let ne: Excluded | undefined;
  for (let i = values.length - 1; i >= 0; i--) ne = { value: values[i], rest: ne };
  return {
    eq: a.eq !== undefined && a.eq === b.eq ? a.eq : undefined,
    ne,
    neText: values.map((v) => `,${v}`).join(''),
    lo: Math.min(a.lo, b.lo),
    hi: Math.max(a.hi, b.hi),
    clear: (a.clear & b.clear) >>> 0,
    someSet: a.someSet.filter((m) => b.someSet.includes(m)),
  };
}
