/**
 * One decision DAG (dag.ts runs the passes): every inner node is one test with a true
 * and a false successor, the leaves are "match" and "no match". Built top down along
 * each path with what the path knows (knowledge.ts), so that:
 *
 * - a test the path has already decided is skipped (`tcp port 80` tests the EtherType
 *   once, not once per alternative);
 * - equal nodes are shared (hash-consing), so common suffixes are emitted once; a node
 *   whose two successors are the same is dropped when its test cannot fail;
 * - in a chain of alternatives that all lead to the same place (a or b or c ...), or a
 *   chain of conditions that all fail to the same place (a and b and c ...), a later
 *   test of the value the previous test left in A is tested first. This is libpcap's
 *   or_pullup/and_pullup: it saves a reload per test (`host A or host B` tests both
 *   source addresses, then both destinations) and, since loads can fail on short
 *   packets, the verdicts on those depend on it: so it is done exactly where libpcap
 *   does it (flow.ts), no more;
 * - a test whose paths all meet again before any verdict is dropped with the tests
 *   between, judged with what libpcap knows at each block (join, mustReach).
 *
 * Work is memoised on (continuation, what is in A, the knowledge that matters to the
 * continuation), which keeps long chains linear.
 */
import { fail } from '../../errors.js';
import type { Cont, ContTable, DagNode, Head } from './continuations.js';
import type { FlowFacts, FlowRecorder } from './flow.js';
import { describeKnowledge, EMPTY_KNOWLEDGE, learn, meetKnowledge, type Knowledge } from './knowledge.js';
import type { Test, Value } from './pred.js';

/** Whether computing the value can end the program: a packet load, or a division by a value. */
function mayFail(v: Value): boolean {
  switch (v.kind) {
    case 'const': case 'len': return false;
    case 'load': case 'iphlen': return true;
    case 'neg': return mayFail(v.arg);
    case 'alu': return mayFail(v.left) || mayFail(v.right) || ((v.op === 'div' || v.op === 'mod') && v.right.kind !== 'const');
    default: return true;
  }
}

/** What a generalised continuation is built with: what every way into it knows. */
export interface Generalised {
  readonly known: Knowledge;
  readonly inA: string | undefined;
}

/** What a pass does besides building: record the flow, or use it; generalise some continuations. */
export interface BuildMode {
  readonly record?: FlowRecorder;
  readonly flow?: FlowFacts;
  readonly generalise?: ReadonlyMap<number, Generalised>;
}

/** How far down a chain to look for a test to pull up. */
const PULL_WINDOW = 256;
/** How many test states the search for a meeting point (join) may look at. */
const JOIN_BUDGET = 32;
/** Beyond this many memo entries an expression is refused rather than compiled slowly. */
const MAX_STATES = 200_000;

/**
 * The state of one build: its nodes (hash-consed) and memo; the continuations are the
 * compile's shared table. Created per pass and dropped after it.
 */
export class DagBuilder {
  private readonly nodes = new Map<string, DagNode>();
  private readonly memo = new Map<string, DagNode>();
  private readonly mustReachMemo = new Map<string, ReadonlyMap<number, Cont>>();
  private readonly variants = new Map<number, { readonly ways: Generalised[]; readonly nodes: Set<string> }>();
  private readonly generalise: ReadonlyMap<number, Generalised>;

  constructor(private readonly table: ContTable, private readonly mode: BuildMode) {
    this.generalise = mode.generalise ?? new Map();
  }

  build(root: Cont): DagNode {
    return this.visit(root, EMPTY_KNOWLEDGE, undefined, undefined);
  }

  /**
   * A test node. One whose two successors came out the same on this path is dropped
   * only if it cannot end the program (no packet load, no division by a packet value),
   * or before flow facts exist: a load that may fail is what libpcap's program does
   * there too, unless its block has both exits at one place on every way in, which
   * join() finds first.
   */
  private node(test: Test, t: DagNode, f: DagNode): DagNode {
    if (t === f && (!this.mode.flow || !mayFail(test.value) && !mayFail(test.rhs))) return t;
    const id = `${test.key}|${t.id}|${f.id}`;
    let n = this.nodes.get(id);
    if (!n) {
      n = { kind: 'test', test, t, f, id: `n${this.nodes.size}` };
      this.nodes.set(id, n);
    }
    return n;
  }

  /** The DAG for continuation c on a path that knows k and last left `inA` in A. */
  private visit(c: Cont, known: Knowledge, inA: string | undefined, from: number | undefined): DagNode {
    const h = this.table.head(c, known);
    if (h.kind === 'done') return h.node;
    if (this.mode.record) {
      this.mode.record.node(h.cont.id, h.test.value.key, known);
      if (from !== undefined) this.mode.record.edge(from, h.cont.id);
    }
    // A generalised continuation is built with only what every way into it knows (not
    // when a pull-up comes back to it: that would forget the test just pulled).
    const general = from === h.cont.id ? undefined : this.generalise.get(h.cont.id);
    const k = general ? meetKnowledge(known, general.known) : known;
    const a = general && general.inA !== inA ? undefined : inA;
    const memoKey = `${h.cont.id}|${a ?? ''}|${describeKnowledge(k, this.table.keysOf(h.cont))}`;
    const done = this.memo.get(memoKey);
    if (done) return done;
    if (this.memo.size >= MAX_STATES) {
      fail('CBPF_UNSUPPORTED', `the expression needs more than ${MAX_STATES} decision states; split it into several filters`);
    }
    const join = this.join(h, k);
    const result = join ? this.visit(join, k, a, from) : this.pulled(h, k, a) ?? this.branch(h, k);
    this.memo.set(memoKey, result);
    this.record(h.cont.id, k, a, result);
    return result;
  }

  /** Notes one way into a continuation, for the next pass to generalise it. */
  private record(id: number, k: Knowledge, inA: string | undefined, result: DagNode): void {
    const seen = this.variants.get(id);
    if (!seen) this.variants.set(id, { ways: [{ known: k, inA }], nodes: new Set([result.id]) });
    else {
      seen.ways.push({ known: k, inA });
      seen.nodes.add(result.id);
    }
  }

  /**
   * The continuations that came out as different DAGs on different ways in, with what
   * those ways have in common: what the next pass generalises.
   */
  specialised(): Map<number, Generalised> {
    const out = new Map(this.generalise);
    for (const [id, v] of this.variants) {
      if (v.nodes.size < 2) continue;
      const before = out.get(id);
      out.set(id, [...(before ? [before] : []), ...v.ways].reduce((m, w) => ({
        known: meetKnowledge(m.known, w.known), inA: m.inA === w.inA ? m.inA : undefined,
      })));
    }
    return out;
  }

  /**
   * Where every path from the head's test meets again, if they all do before reaching
   * a verdict: then the test, and every test between it and the meeting point, decides
   * nothing (`tcp[13] == 2 and not ip or X` once the packet is known to be IPv4: all
   * ways lead to X). libpcap's optimizer drops such tests (each ends up with both exits
   * at the same block), and so do we, by going straight to the meeting point.
   */
  private join(h: Head, pathKnows: Knowledge): Cont | undefined {
    // What libpcap knows at the block: what every way into it knows, not just this path.
    const atBlock = this.mode.flow?.knownOnEntry(h.cont.id);
    const k = atBlock ? meetKnowledge(pathKnows, atBlock) : pathKnows;
    const budget = { left: JOIN_BUDGET };
    const onTrue = this.mustReach(h.t, learn(h.test, true, k), budget);
    const onFalse = onTrue && this.mustReach(h.f, learn(h.test, false, k), budget);
    if (!onTrue || !onFalse) return undefined;
    // The meeting points lie on every path in one order; the first is where the
    // false side's first path gets to one.
    let cur = h.f;
    let known = learn(h.test, false, k);
    for (;;) {
      const n = this.table.head(cur, known);
      if (onTrue.has(n.cont.id) && onFalse.has(n.cont.id)) return n.cont;
      if (n.kind === 'done') return undefined;
      known = learn(n.test, false, known);
      cur = n.f;
    }
  }

  /**
   * The continuations every path from c passes through (c's own head included), or
   * undefined when that takes more than the budget to find out.
   */
  private mustReach(c: Cont, pathKnows: Knowledge, budget: { left: number }): ReadonlyMap<number, Cont> | undefined {
    const h = this.table.head(c, pathKnows);
    if (h.kind === 'done') return new Map([[h.cont.id, h.cont]]);
    // Each block's exits go where what every way into it knows sends them (libpcap).
    const atBlock = this.mode.flow?.knownOnEntry(h.cont.id);
    const k = atBlock ? meetKnowledge(pathKnows, atBlock) : pathKnows;
    const key = `${h.cont.id}|${describeKnowledge(k, this.table.keysOf(h.cont))}`;
    const known = this.mustReachMemo.get(key);
    if (known) return known;
    if (--budget.left < 0) return undefined;
    const t = this.mustReach(h.t, learn(h.test, true, k), budget);
    const f = t && this.mustReach(h.f, learn(h.test, false, k), budget);
    if (!t || !f) return undefined;
    const out = new Map<number, Cont>([[h.cont.id, h.cont]]);
    for (const [id, cont] of t) if (f.has(id)) out.set(id, cont);
    this.mustReachMemo.set(key, out);
    return out;
  }

  private branch(h: Head, k: Knowledge): DagNode {
    const a = h.test.value.key;
    return this.node(h.test, this.visit(h.t, learn(h.test, true, k), a, h.cont.id), this.visit(h.f, learn(h.test, false, k), a, h.cont.id));
  }

  /**
   * or_pullup / and_pullup: when A holds `inA` and the next test looks at something
   * else, a test of `inA` further down the same or-chain (same true exit) or and-chain
   * (same false exit) is done first. The chain itself is then followed unchanged: the
   * pulled test is decided there by the knowledge and skipped.
   */
  private pulled(h: Head, k: Knowledge, inA: string | undefined): DagNode | undefined {
    const flow = this.mode.flow;
    if (!flow || inA === undefined || h.test.value.key === inA || !flow.enteredAfter(h.cont.id, inA)) return undefined;
    const from = h.cont.id;
    const orPull = this.findInChain(h, k, inA, 'or', flow);
    if (orPull) {
      return this.node(orPull.test, this.visit(h.t, learn(orPull.test, true, k), inA, orPull.cont.id),
        this.visit(h.cont, learn(orPull.test, false, k), inA, from));
    }
    const andPull = this.findInChain(h, k, inA, 'and', flow);
    if (andPull) {
      return this.node(andPull.test, this.visit(h.cont, learn(andPull.test, true, k), inA, from),
        this.visit(h.f, learn(andPull.test, false, k), inA, andPull.cont.id));
    }
    return undefined;
  }

  /**
   * The first test of `value` down the chain that shares the head's exit, if every
   * test on the way there is dominated by the head (libpcap's conditions), else none.
   */
  private findInChain(h: Head, k: Knowledge, value: string, kind: 'or' | 'and', flow: FlowFacts): Head | undefined {
    const exit = kind === 'or' ? h.t : h.f;
    let cur: Head = h;
    let known = k;
    for (let steps = 0; steps < PULL_WINDOW; steps++) {
      // Down the chain: an or-chain goes on when a test fails, an and-chain when it holds.
      known = learn(cur.test, kind === 'and', known);
      const next = this.table.head(kind === 'or' ? cur.f : cur.t, known);
      if (next.kind === 'done') return undefined;
      if ((kind === 'or' ? next.t : next.f) !== exit || !flow.dominates(h.cont.id, next.cont.id)) return undefined;
      if (next.test.value.key === value) return next;
      cur = next;
    }
    return undefined;
  }
}

