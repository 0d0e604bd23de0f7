import { fullSet, intersect, isSubset, union, type ValueSet } from '../value-set.js';
import type { FieldId } from '../view/packet-layout.js';
import { difficulty } from './match.js';
import { stepKey, type NormPath, type Step } from './steps.js';

type RulePath = Extract<NormPath, { kind: 'rule' }>;

interface Node {
  readonly children: Map<string, { readonly step: Step; readonly node: Node }>;
  readonly leaves: RulePath[];
}

/** One rule to write: the conditions it keeps, and the paths it stands for. */
export interface Draft {
  readonly steps: readonly Step[];
  readonly paths: readonly RulePath[];
  /** Conditions left out because earlier rules already took the packets they exclude. */
  readonly implied: readonly Step[];
}

function node(): Node {
  return { children: new Map(), leaves: [] };
}

/**
 * The paths as a decision tree (a trie over their steps, in execution order), written
 * out as a first-match rule list. Siblings are complementary outcomes of one test; the
 * one hardest to state goes last and loses its condition, because the rules before it
 * already took every packet the condition excludes. Nothing falls through: each subtree
 * ends in rules for every leaf.
 */
export function draftRules(paths: readonly RulePath[]): Draft[] {
  const root = node();
  for (const p of paths) {
    let at = root;
    for (const s of p.steps) {
      const k = stepKey(s);
      let next = at.children.get(k);
      if (!next) {
        next = { step: s, node: node() };
        at.children.set(k, next);
      }
      at = next.node;
    }
    at.leaves.push(p);
  }
  const out: Draft[] = [];
  walk(root, [], [], new Map(), out);
  return out;
}

function walk(n: Node, kept: readonly Step[], implied: readonly Step[], context: ReadonlyMap<FieldId, ValueSet>, out: Draft[]): void {
  const children = [...n.children.values()];
  // Ties go by what the step tests, not by which path came first: another build of the
  // program meets the same tests in another order and must give the same rules.
  const ordered = children
    .map((c) => ({ c, k: stepKey(c.step), d: difficulty(c.step, context) }))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.c);
  const dropLast = ordered.length > 1 && complementary(ordered.map((c) => c.step), context);
  ordered.forEach((c, i) => {
    const drop = dropLast && i === ordered.length - 1;
    const ctx = new Map(context);
    if (c.step.kind === 'field') ctx.set(c.step.field, intersect(context.get(c.step.field) ?? fullSet(c.step.set.bits), c.step.set));
    walk(c.node, drop ? kept : [...kept, c.step], drop ? [...implied, c.step] : implied, ctx, out);
  });
  if (n.leaves.length > 0) out.push({ steps: kept, paths: n.leaves, implied });
}

/** Whether sibling steps cover every packet that reaches their node. */
function complementary(steps: readonly Step[], context: ReadonlyMap<FieldId, ValueSet>): boolean {
  const first = steps[0];
  switch (first.kind) {
    case 'field': {
      if (!steps.every((s) => s.kind === 'field' && s.field === first.field)) return false;
      const all = steps.reduce((acc, s) => (s.kind === 'field' ? union(acc, s.set) : acc), { bits: first.set.bits, ranges: [] } as ValueSet);
      return isSubset(context.get(first.field) ?? fullSet(first.set.bits), all);
    }
    case 'family':
    case 'set':
    case 'entry':
    case 'setValue': {
      const same = steps.every((s) => s.kind === first.kind && stepKey(s).slice(0, -1) === stepKey(first).slice(0, -1));
      const yes = (s: Step): boolean => ('hit' in s ? s.hit : 'holds' in s ? s.holds : false);
      return same && steps.some(yes) && steps.some((s) => !yes(s));
    }
    case 'opaque':
      // Both outcomes of one test the translator cannot state.
      return steps.length === 2 && steps.every((s) => s.kind === 'opaque' && s.slot.section === first.slot.section && s.slot.slot === first.slot.slot);
  }
}
