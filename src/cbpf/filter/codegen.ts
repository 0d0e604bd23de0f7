/**
 * The decision DAG to blocks of straight-line code, each ending in a conditional jump to
 * two other blocks (by id) or in a ret. Blocks are laid out in a topological order
 * (reverse postorder, false successor first after its test, so or-chains fall through)
 * and the two verdicts come last. What A and X hold on entry to a block is what every
 * predecessor leaves there; a block skips loading what is already in place.
 */
import type { JumpCond, CbpfInsn } from '../types.js';
import type { DagNode } from './dag.js';
import { emitTest, type CodeOptions, type Regs } from './value-code.js';

export type BlockEnd =
  | { readonly kind: 'jump'; readonly cond: JumpCond; readonly src: 'k' | 'x'; readonly k: number; readonly t: string; readonly f: string }
  | { readonly kind: 'ret'; readonly k: number };

export interface Block {
  readonly id: string;
  readonly code: readonly CbpfInsn[];
  readonly end: BlockEnd;
}

export interface Verdicts {
  /** The ret value of a match: a snap length, so the largest. */
  readonly match: number;
}

type TestNode = Extract<DagNode, { kind: 'test' }>;

export function generateBlocks(root: DagNode, verdicts: Verdicts, opts: CodeOptions): Block[] {
  const order = layout(root);
  const preds = new Map<string, string[]>();
  for (const n of order) for (const s of [n.t, n.f]) preds.set(s.id, [...(preds.get(s.id) ?? []), n.id]);
  const exits = new Map<string, Regs>();
  const blocks: Block[] = [];
  for (const n of order) {
    const entry = (preds.get(n.id) ?? []).map((p) => exits.get(p) ?? {}).reduce<Regs | undefined>((acc, r) => (acc ? meet(acc, r) : r), undefined) ?? {};
    const code = emitTest(n.test, entry, opts);
    exits.set(n.id, code.regs);
    const k = code.src === 'k' ? (n.test.rhs as Extract<typeof n.test.rhs, { kind: 'const' }>).k : 0;
    blocks.push({ id: n.id, code: code.code, end: { kind: 'jump', cond: n.test.cond, src: code.src, k, t: n.t.id, f: n.f.id } });
  }
  const used = new Set(order.flatMap((n) => [n.t.id, n.f.id]));
  if (root.kind === 'leaf') used.add(root.id);
  for (const leaf of ['match', 'nomatch']) {
    if (used.has(leaf)) blocks.push({ id: leaf, code: [], end: { kind: 'ret', k: leaf === 'match' ? verdicts.match : 0 } });
  }
  return blocks;
}

/** Both registers keep a value only if every way in leaves the same one there. */
function meet(a: Regs, b: Regs): Regs {
  return { a: a.a === b.a ? a.a : undefined, x: a.x === b.x ? a.x : undefined };
}

/** The test nodes in reverse postorder: every jump goes forward. */
function layout(root: DagNode): TestNode[] {
  const post: TestNode[] = [];
  const seen = new Set<string>();
  // Iterative DFS: long or-chains would overflow the stack recursively.
  const stack: { node: TestNode; next: 0 | 1 | 2 }[] = [];
  const push = (n: DagNode): void => {
    if (n.kind === 'leaf' || seen.has(n.id)) return;
    seen.add(n.id);
    stack.push({ node: n, next: 0 });
  };
  push(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next === 0) { top.next = 1; push(top.node.t); continue; }
    if (top.next === 1) { top.next = 2; push(top.node.f); continue; }
    stack.pop();
    post.push(top.node);
  }
  return post.reverse();
}
