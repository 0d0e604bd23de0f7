/**
 * The flow between continuations (the tests of the predicate, as blocks) that a build
 * took, with each path jumping past the tests it had decided, like libpcap's flow graph
 * after jump threading; and its dominators. libpcap pulls a test up a chain only where
 * the block it starts from dominates the chain and every way into it compared the
 * value being pulled; and it drops a test only when all its exits meet, with what is
 * known at the block on every way in, not on one path. These are the facts for that.
 */
import { meetKnowledge, type Knowledge } from './knowledge.js';

export interface FlowFacts {
  /** What every recorded way into a continuation knows (libpcap's knowledge at a block). */
  knownOnEntry(id: number): Knowledge | undefined;
  /** Whether every way from the start to `b` passes through `a`. */
  dominates(a: number, b: number): boolean;
  /** Whether every recorded way into `id` comes from a test of the value `value`. */
  enteredAfter(id: number, value: string): boolean;
}

/** Edges between continuation ids, recorded during a build; then analysed once. */
export class FlowRecorder {
  private readonly known = new Map<number, Knowledge>();
  private readonly preds = new Map<number, Set<number>>();
  private readonly succs = new Map<number, Set<number>>();
  private readonly values = new Map<number, string>();
  private root: number | undefined;

  /** A test continuation reached knowing `k`, and the value its test compares. */
  node(id: number, value: string, k: Knowledge): void {
    this.values.set(id, value);
    const before = this.known.get(id);
    this.known.set(id, before ? meetKnowledge(before, k) : k);
    this.root ??= id;
  }

  edge(from: number, to: number): void {
    if (!this.preds.has(to)) this.preds.set(to, new Set());
    this.preds.get(to)?.add(from);
    if (!this.succs.has(from)) this.succs.set(from, new Set());
    this.succs.get(from)?.add(to);
  }

  facts(): FlowFacts {
    const idom = this.root === undefined ? new Map<number, number>() : immediateDominators(this.root, this.succs, this.preds);
    const values = this.values;
    const preds = this.preds;
    const known = this.known;
    return {
      knownOnEntry: (id) => known.get(id),
      dominates(a, b) {
        for (let n: number | undefined = b; n !== undefined; n = idom.get(n) === n ? undefined : idom.get(n)) {
          if (n === a) return true;
        }
        return false;
      },
      enteredAfter(id, value) {
        const ins = preds.get(id);
        return ins !== undefined && ins.size > 0 && [...ins].every((p) => values.get(p) === value);
      },
    };
  }
}

/** Immediate dominators of an acyclic graph (Cooper, Harvey and Kennedy), by node id. */
function immediateDominators(root: number, succs: ReadonlyMap<number, ReadonlySet<number>>, preds: ReadonlyMap<number, ReadonlySet<number>>): Map<number, number> {
  // Reverse postorder, iteratively (chains can be long).
  const post: number[] = [];
  const seen = new Set<number>([root]);
  const stack: { id: number; next: number[] }[] = [{ id: root, next: [...(succs.get(root) ?? [])] }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const n = top.next.pop();
    if (n === undefined) {
      post.push(top.id);
      stack.pop();
    } else if (!seen.has(n)) {
      seen.add(n);
      stack.push({ id: n, next: [...(succs.get(n) ?? [])] });
    }
  }
  const order = new Map(post.map((id, i) => [id, i]));
  const idom = new Map<number, number>([[root, root]]);
  const intersect = (a: number, b: number): number => {
    let x = a;
    let y = b;
    while (x !== y) {
      while ((order.get(x) ?? 0) < (order.get(y) ?? 0)) x = idom.get(x) ?? root;
      while ((order.get(y) ?? 0) < (order.get(x) ?? 0)) y = idom.get(y) ?? root;
    }
    return x;
  };
  // Acyclic: one sweep in reverse postorder sees every predecessor first.
  for (let i = post.length - 1; i >= 0; i--) {
    const n = post[i];
    if (n === root) continue;
    let d: number | undefined;
    for (const p of preds.get(n) ?? []) {
      if (!idom.has(p)) continue;
      d = d === undefined ? p : intersect(p, d);
    }
    if (d !== undefined) idom.set(n, d);
  }
  return idom;
}
