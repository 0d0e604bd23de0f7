/**
 * Whether two IR rules can match the same packet. Sound in one direction only: `false`
 * means provably disjoint (no packet matches both), `true` means "maybe". Used to move a
 * family's rules next to each other (disjoint rules commute under first match) and to
 * decide whether a 14.x legacy translation, which runs before every filter rule, can
 * change what an earlier rule sees.
 *
 * Interfaces: rules are compared by the profile's logical interfaces. Distinct logical
 * interfaces where at least one is not a group are taken to be distinct FreeBSD
 * interfaces (context.ts refuses an instance on a non-group interface of the profile);
 * two different groups may share members. Rules on family instance interfaces are
 * compared as if for the same instance (the only case where they can meet).
 */
import type { IrAddressMatch, IrFamily, IrInterface, IrMatch, IrPortMatch, IrRule } from '../../ir/types.js';
import { parsePrefix, prefixesOverlap } from './address.js';

export interface OverlapContext {
  readonly interfaces: ReadonlyMap<string, IrInterface>;
  readonly families: ReadonlyMap<string, IrFamily>;
}

/** Where a rule is evaluated: on a family instance's own interface, or a logical one. */
export type RuleSite = { readonly kind: 'instance'; readonly family: string } | { readonly kind: 'logical'; readonly name: string };

/**
 * A family rule on the family's interface (its group) runs on each instance's interface;
 * a family rule on another logical interface (a per-instance port forward on the NIC)
 * runs there, once per instance.
 */
export function ruleSite(rule: IrRule, families: ReadonlyMap<string, IrFamily>): RuleSite {
  if (rule.scope.kind === 'family' && families.get(rule.scope.family)?.interface === rule.interface) {
    return { kind: 'instance', family: rule.scope.family };
  }
  return { kind: 'logical', name: rule.interface };
}

function interfacesMayOverlap(a: IrRule, b: IrRule, ctx: OverlapContext): boolean {
  const sa = ruleSite(a, ctx.families);
  const sb = ruleSite(b, ctx.families);
  if (sa.kind === 'instance' && sb.kind === 'instance') return true; // same family: same instance; different: unknown
  if (sa.kind === 'instance' || sb.kind === 'instance') {
    // An instance interface is a member of a group; only another group may hold it.
    const other = ctx.interfaces.get(sa.kind === 'logical' ? sa.name : sb.kind === 'logical' ? sb.name : '');
    return !other || other.group;
  }
  if (sa.name === sb.name) return true;
  const ia = ctx.interfaces.get(sa.name);
  const ib = ctx.interfaces.get(sb.name);
  if (!ia || !ib) return true;
  if (!ia.group && !ib.group) return ia.freebsd === ib.freebsd;
  // Two groups may share members; a group and a plain interface are apart (see above).
  return ia.group && ib.group;
}

/** Closed intervals a port criterion accepts; null for "unknown" (a family port set). */
function portIntervals(p: IrPortMatch): [number, number][] | null {
  switch (p.op) {
    case 'eq': return [[p.port, p.port]];
    case 'ne': return [[0, p.port - 1], [p.port + 1, 65535]].filter(([lo, hi]) => lo <= hi) as [number, number][];
    case 'lt': return [[0, p.port - 1]];
    case 'le': return [[0, p.port]];
    case 'gt': return [[p.port + 1, 65535]];
    case 'ge': return [[p.port, 65535]];
    case 'range': return [[p.from, p.to]];
    case 'familySet': return null;
  }
}

function portsMayOverlap(a: IrPortMatch | undefined, b: IrPortMatch | undefined): boolean {
  if (!a || !b) return true;
  const ia = portIntervals(a);
  const ib = portIntervals(b);
  if (!ia || !ib) return true;
  return ia.some(([l1, h1]) => ib.some(([l2, h2]) => l1 <= h2 && l2 <= h1));
}

function addressesMayOverlap(a: IrAddressMatch | undefined, b: IrAddressMatch | undefined): boolean {
  if (!a || !b || a.negate || b.negate) return true;
  const x = a.address;
  const y = b.address;
  if (x.kind !== 'cidr' || y.kind !== 'cidr') return true; // tables and instance values: unknown here
  const px = parsePrefix(x.cidr);
  const py = parsePrefix(y.cidr);
  return !px || !py || prefixesOverlap(px, py);
}

function matchesMayOverlap(a: IrMatch, b: IrMatch): boolean {
  if (a.af && b.af && a.af !== b.af) return false;
  if (a.proto && b.proto && a.proto.length > 0 && b.proto.length > 0 && !a.proto.some((p) => b.proto?.includes(p))) return false;
  if (!addressesMayOverlap(a.src, b.src) || !addressesMayOverlap(a.dst, b.dst)) return false;
  if (!portsMayOverlap(a.srcPort, b.srcPort) || !portsMayOverlap(a.dstPort, b.dstPort)) return false;
  if (a.tcpFlags && b.tcpFlags) {
    const common = a.tcpFlags.mask & b.tcpFlags.mask;
    if ((a.tcpFlags.set & common) !== (b.tcpFlags.set & common)) return false;
  }
  if (a.icmpType && b.icmpType) {
    if (a.icmpType.type !== b.icmpType.type) return false;
    if (a.icmpType.code !== undefined && b.icmpType.code !== undefined && a.icmpType.code !== b.icmpType.code) return false;
  }
  if (a.tagged && b.tagged) {
    // A packet carries at most one tag.
    if (a.tagged.tag === b.tagged.tag && a.tagged.negate !== b.tagged.negate) return false;
    if (a.tagged.tag !== b.tagged.tag && !a.tagged.negate && !b.tagged.negate) return false;
  }
  if (a.fragment !== undefined && b.fragment !== undefined && a.fragment !== b.fragment) return false;
  return true;
}

export function mayOverlap(a: IrRule, b: IrRule, ctx: OverlapContext): boolean {
  if (a.direction !== b.direction) return false;
  if (!interfacesMayOverlap(a, b, ctx)) return false;
  return matchesMayOverlap(a.match, b.match);
}

/**
 * True when swapping two adjacent rules cannot change any packet's outcome under first
 * match: no packet matches both, and neither changes the packet (tag, translation) for
 * the rules after it unless it decides (a quick pass or block ends evaluation).
 */
export function commutes(a: IrRule, b: IrRule, ctx: OverlapContext): boolean {
  const contained = (r: IrRule): boolean => (r.quick && r.action !== 'match') || (r.tag === undefined && r.translations.length === 0);
  return contained(a) && contained(b) && !mayOverlap(a, b, ctx);
}
