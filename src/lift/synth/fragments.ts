import { fullSet, intersect, isEmpty, isSubset, type ValueSet } from '../value-set.js';
import type { PathView } from '../view/path-view.js';
import { FRAGMENTS } from './match.js';
import type { NormPath, Step } from './steps.js';
import type { Draft } from './tree.js';

type RulePath = Extract<NormPath, { kind: 'rule' }>;

function fragSet(steps: readonly { readonly kind: string; readonly field?: string; readonly set?: ValueSet }[]): ValueSet {
  let s = fullSet(16);
  for (const x of steps) if (x.kind === 'field' && x.field === 'ip4.frag' && x.set) s = intersect(s, x.set);
  return s;
}

/** Whether packets pf calls fragments can take this path (its IPv4 fragment field allows one). */
export function touchesFragments(view: PathView): boolean {
  return !isEmpty(intersect(fragSet(view.atoms), FRAGMENTS));
}

/**
 * Fragments first. pf without reassembly sees a fragment (MF set or a non-zero offset:
 * the first fragment is one too) by its IP header only: no ports, no state. When every
 * path a fragment can take ends the same way, one `fragment` rule ahead of the others
 * stands for all of them, and the later rules need not test the fragment field: the
 * packets it excludes are taken. Otherwise the paths stay as they are (and a rule that
 * tests part of the fragments is closed to a block of all of them).
 *
 * `outcomeKey` says how a path ends, or null when it ends in something a fragment rule
 * cannot do (a translation, an unwritten outcome). `stateTakesFragments`: some path pf
 * state would stand for lets fragments in, and fragments never match state.
 */
export function fragmentsFirst(paths: readonly RulePath[], outcomeKey: (p: RulePath) => string | null, stateTakesFragments: boolean): { first: Draft | null; rest: readonly RulePath[] } {
  const sets = paths.map((p) => fragSet(p.steps));
  const touching = paths.filter((_, i) => !isEmpty(intersect(sets[i], FRAGMENTS)));
  const pure = paths.filter((_, i) => isSubset(sets[i], FRAGMENTS) && !isEmpty(sets[i]));
  if (stateTakesFragments || pure.length === 0) return { first: null, rest: paths };
  const keys = new Set(touching.map(outcomeKey));
  if (keys.size !== 1 || keys.has(null)) return { first: null, rest: paths };
  const slot = pure[0].steps.find((s) => s.kind === 'field' && s.field === 'ip4.frag')!.slot;
  const step: Step = { kind: 'field', field: 'ip4.frag', set: FRAGMENTS, slot };
  const rest = paths
    .filter((p) => !pure.includes(p))
    .map((p) => ({ ...p, steps: p.steps.filter((s) => !(s.kind === 'field' && s.field === 'ip4.frag')) }));
  return { first: { steps: [step], paths: pure, implied: [] }, rest };
}
