/**
 * Continuations: "evaluate this predicate, then go on with t if it holds, f if not", or
 * a verdict. They are interned (one object per predicate occurrence and successors), so
 * that ids are stable across the passes of one compile and a continuation reached on
 * two paths is recognisably the same: it plays the part of a block in libpcap's flow
 * graph. One table per compile; nothing here outlives it.
 */
import { decide, type Knowledge } from './knowledge.js';
import { subValues, type Pred, type Test } from './pred.js';

export type DagNode =
  | { readonly kind: 'leaf'; readonly match: boolean; readonly id: string }
  | { readonly kind: 'test'; readonly test: Test; readonly t: DagNode; readonly f: DagNode; readonly id: string };

export const MATCH: DagNode = { kind: 'leaf', match: true, id: 'match' };
export const NO_MATCH: DagNode = { kind: 'leaf', match: false, id: 'nomatch' };

export type Cont =
  | { readonly kind: 'ret'; readonly node: DagNode; readonly id: number }
  | { readonly kind: 'eval'; readonly pred: Pred; readonly t: Cont; readonly f: Cont; readonly id: number };

/** A continuation that starts with a test the knowledge leaves open. */
export interface Head {
  readonly kind: 'head';
  /** The continuation whose predicate is the test. */
  readonly cont: Cont;
  readonly test: Test;
  readonly t: Cont;
  readonly f: Cont;
}

/** A continuation that, with what is known, is already a verdict. */
export interface Done {
  readonly kind: 'done';
  readonly node: DagNode;
  readonly cont: Cont;
}

export class ContTable {
  readonly match: Cont = { kind: 'ret', node: MATCH, id: 0 };
  readonly noMatch: Cont = { kind: 'ret', node: NO_MATCH, id: 1 };
  private readonly predIds = new Map<Pred, number>();
  private readonly conts = new Map<string, Cont>();
  private readonly expansions = new Map<number, Cont>();
  private readonly predKeySets = new Map<number, ReadonlySet<string>>();
  private readonly contKeySets = new Map<number, ReadonlySet<string>>();
  private nextId = 2;

  cont(pred: Pred, t: Cont, f: Cont): Cont {
    const key = `${this.predId(pred)}|${t.id}|${f.id}`;
    let c = this.conts.get(key);
    if (!c) {
      c = { kind: 'eval', pred, t, f, id: this.nextId++ };
      this.conts.set(key, c);
    }
    return c;
  }

  /** Rewrites the continuation until it starts with a test the knowledge leaves open. */
  head(c: Cont, k: Knowledge): Head | Done {
    let cur = c;
    for (;;) {
      if (cur.kind === 'ret') return { kind: 'done', node: cur.node, cont: cur };
      const p = cur.pred;
      switch (p.kind) {
        case 'true': cur = cur.t; break;
        case 'false': cur = cur.f; break;
        case 'not': case 'and': case 'or': cur = this.expand(cur, p); break;
        case 'test': {
          const d = decide(p.test, k);
          if (d === undefined) return { kind: 'head', cont: cur, test: p.test, t: cur.t, f: cur.f };
          cur = d ? cur.t : cur.f;
          break;
        }
        default: return unreachable(p);
      }
    }
  }

  /** The value and test keys a continuation may still look at. */
  keysOf(c: Cont): ReadonlySet<string> {
    if (c.kind === 'ret') return new Set();
    const known = this.contKeySets.get(c.id);
    if (known) return known;
    const out = new Set(this.predKeys(c.pred));
    for (const s of [this.keysOf(c.t), this.keysOf(c.f)]) for (const key of s) out.add(key);
    this.contKeySets.set(c.id, out);
    return out;
  }

  private predId(pred: Pred): number {
    let pid = this.predIds.get(pred);
    if (pid === undefined) {
      pid = this.predIds.size;
      this.predIds.set(pred, pid);
    }
    return pid;
  }

  /** `not`, `and`, `or` as continuations of their parts (the same every time: cached). */
  private expand(c: Extract<Cont, { kind: 'eval' }>, p: Extract<Pred, { kind: 'not' | 'and' | 'or' }>): Cont {
    const known = this.expansions.get(c.id);
    if (known) return known;
    let out: Cont;
    if (p.kind === 'not') out = this.cont(p.arg, c.f, c.t);
    else if (p.kind === 'and') out = this.cont(p.left, this.cont(p.right, c.t, c.f), c.f);
    else out = this.cont(p.left, c.t, this.cont(p.right, c.t, c.f));
    this.expansions.set(c.id, out);
    return out;
  }

  private predKeys(p: Pred): ReadonlySet<string> {
    const id = this.predId(p);
    const known = this.predKeySets.get(id);
    if (known) return known;
    const out = new Set<string>();
    switch (p.kind) {
      case 'test': out.add(p.test.key); subValues(p.test.value, out); subValues(p.test.rhs, out); break;
      case 'and': case 'or': for (const key of this.predKeys(p.left)) out.add(key); for (const key of this.predKeys(p.right)) out.add(key); break;
      case 'not': for (const key of this.predKeys(p.arg)) out.add(key); break;
      default: break;
    }
    this.predKeySets.set(id, out);
    return out;
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled predicate ${JSON.stringify(x)}`);
}
