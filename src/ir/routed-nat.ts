import type { IrRule } from './types.js';

/**
 * A source translation on an inbound rule that routes the packet (the sandbox's SNAT:
 * `pass in on TAP route-to (NIC gw) ... nat-to <pool>`). FreeBSD 14.x has no nat-to, but
 * pf runs the route-to interface's outbound rules on a packet routed from the inbound
 * path, so a legacy `nat on` that interface can translate it there (src/emit/pf/legacy.ts).
 * Shared by the lifter's 14.x check, which blocks with a finding what cannot be written,
 * and the emitter, which refuses the same.
 */
export function isRoutedNat(rule: IrRule): boolean {
  return rule.direction === 'in' && rule.routeTo !== undefined && rule.translations.length === 1 && rule.translations[0].kind === 'nat';
}

/** The logical interface a rule routes to, or null when it is a family instance's own. */
export function logicalRouteTarget(rule: IrRule): string | null {
  return rule.routeTo?.interface.kind === 'interface' ? rule.routeTo.interface.name : null;
}

/**
 * Another rule whose legacy nat would act on packets leaving the route-to interface of
 * `rule`: legacy nat is first-match there, so it could take the routed packets first.
 * When the target is a family instance's interface, any outbound nat counts.
 */
export function rivalNat(rule: IrRule, rules: readonly IrRule[]): IrRule | undefined {
  const target = logicalRouteTarget(rule);
  return rules.find((r) => r !== rule && r.direction === 'out' && r.translations.some((x) => x.kind === 'nat') && (target === null || r.interface === target));
}
