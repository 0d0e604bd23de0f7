import { contains, fullSet, intersect } from '../value-set.js';
import type { PathView } from '../view/path-view.js';
import type { Outcome } from './outcome.js';

const ETH_P_IPV6 = 0x86dd;

/** Whether an IPv6 frame can take this path (its EtherType tests let 0x86dd through). */
export function carriesIpv6(view: PathView): boolean {
  if (view.shape.l3 === 'ip6') return true;
  let types = fullSet(16);
  for (const a of view.atoms) if (a.kind === 'field' && a.field === 'eth.type') types = intersect(types, a.set);
  return view.shape.l3 !== 'ip4' && view.shape.l3 !== 'arp' && contains(types, ETH_P_IPV6);
}

/**
 * What pf must do with IPv6, which it filters as it does IPv4: the translator writes no
 * IPv6 rules, so without one pf's default pass would let through what the program drops.
 * Every IPv6 path drops: one exact block. Every one passes untouched: nothing to write
 * (pf's default passes it too). Anything else: a block, closed, with the reason.
 */
export function ipv6Decision(outcomes: readonly Outcome[]): { action: 'block'; exact: boolean; reason: string } | undefined {
  if (outcomes.length === 0) return undefined;
  if (outcomes.every((o) => o.action === 'block')) return { action: 'block', exact: true, reason: 'the program drops every IPv6 frame' };
  const plain = (o: Outcome): boolean => o.action === 'pass' && o.problems.length === 0 && o.translations.length === 0 && o.route === undefined && o.tag === undefined;
  if (outcomes.every(plain)) return undefined;
  return { action: 'block', exact: false, reason: 'the program treats IPv6 frames in ways the translator does not write (no IPv6 rules yet)' };
}
