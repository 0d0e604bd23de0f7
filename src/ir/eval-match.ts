/**
 * Does one rule match one packet? pf's criteria, as the IR states them:
 * - direction, then where: a global rule on the packet's logical interface; a family
 *   rule on an instance of its family, the one whose ifindex is the packet's (the
 *   packet is on that instance's interface; no instance, no match);
 * - af, proto, fragment / not fragment;
 * - a fragment never matches a rule with ports, TCP flags or an ICMP type (pf without
 *   reassembly, pf.md §7);
 * - a literal address (cidr, a family value) fixes the rule's address family, as pfctl
 *   does: `from ! 10.0.0.0/8` does not match IPv6; tables and `(if)` do not;
 * - tables by longest prefix with negated entries ("no match"), `! <t>` negating that;
 * - ports by operator (range inclusive, pf's `a:b`), a family port list by membership;
 * - TCP flags: (flags & mask) == set; ICMP type and optional code;
 * - tagged: the tag as it stands now (set before this rule by any matching rule).
 */
import { prefixContains, parsePrefix, type IpAddress } from './cidr.js';
import { instanceKey, type EvalContext, type PreparedTable } from './eval-context.js';
import type { IpPacketView } from './eval-packet.js';
import { lpmMatch } from './lpm.js';
import type { IrAddressMatch, IrFamilyInstance, IrPortMatch, IrRule } from './types.js';

export interface PacketPlace {
  readonly ifindex: number;
  readonly direction: 'in' | 'out';
  readonly interface: string;
}

/** The instance a family rule applies to for this packet, or null (global rule: undefined). */
export function ruleInstance(ctx: EvalContext, rule: IrRule, place: PacketPlace): IrFamilyInstance | null | undefined {
  if (rule.scope.kind === 'global') return undefined;
  return ctx.instances.get(rule.scope.family)?.get(place.ifindex) ?? null;
}

export function ruleMatches(ctx: EvalContext, rule: IrRule, place: PacketPlace, view: IpPacketView, tag: string | undefined): boolean {
  if (rule.direction !== place.direction) return false;
  const instance = ruleInstance(ctx, rule, place);
  if (instance === null) return false;
  if (instance === undefined && rule.interface !== place.interface) return false;
  const m = rule.match;
  if (m.af && (m.af === 'inet') !== (view.family === 'ipv4')) return false;
  if (m.proto && !m.proto.includes(view.proto)) return false;
  if (m.fragment !== undefined && m.fragment !== view.fragment) return false;
  if (view.fragment && (m.srcPort || m.dstPort || m.tcpFlags || m.icmpType)) return false;
  if (m.src && !addressMatches(ctx, rule, instance, m.src, view.src)) return false;
  if (m.dst && !addressMatches(ctx, rule, instance, m.dst, view.dst)) return false;
  if (m.srcPort && !portMatches(ctx, rule, instance, m.srcPort, view.ports?.src)) return false;
  if (m.dstPort && !portMatches(ctx, rule, instance, m.dstPort, view.ports?.dst)) return false;
  if (m.tcpFlags && (view.tcpFlags === undefined || (view.tcpFlags & m.tcpFlags.mask) !== m.tcpFlags.set)) return false;
  if (m.icmpType) {
    if (!view.icmp || view.icmp.type !== m.icmpType.type) return false;
    if (m.icmpType.code !== undefined && view.icmp.code !== m.icmpType.code) return false;
  }
  if (m.tagged && (tag === m.tagged.tag) === m.tagged.negate) return false;
  return true;
}

function addressMatches(ctx: EvalContext, rule: IrRule, instance: IrFamilyInstance | undefined, am: IrAddressMatch, addr: IpAddress): boolean {
  const a = am.address;
  let hit: boolean;
  switch (a.kind) {
    case 'any':
      hit = true;
      break;
    case 'cidr':
    case 'familyValue': {
      const text = a.kind === 'cidr' ? a.cidr : instance?.values[a.field];
      const p = text === undefined ? null : parsePrefix(text);
      // A literal makes the rule single-family, negated or not.
      if (!p || p.family !== addr.family) return false;
      hit = prefixContains(p, addr);
      break;
    }
    case 'set': {
      const table = tableFor(ctx, rule, instance, a.set);
      hit = table !== undefined && lpmMatch(table.lookup, addr);
      break;
    }
    case 'interface':
      hit = (ctx.interfaceAddresses.get(a.interface) ?? []).some((x) => x.family === addr.family && x.value === addr.value);
      break;
    default: {
      const never: never = a;
      return never;
    }
  }
  return hit !== am.negate;
}

/** A set in the rule's scope: the instance's contents for a family set, else the global table. */
export function tableFor(ctx: EvalContext, rule: IrRule, instance: IrFamilyInstance | undefined, set: string): PreparedTable | undefined {
  if (instance && rule.scope.kind === 'family') {
    const own = ctx.instanceTables.get(instanceKey(rule.scope.family, instance.name))?.get(set);
    if (own) return own;
  }
  return ctx.globalTables.get(set);
}

function portMatches(ctx: EvalContext, rule: IrRule, instance: IrFamilyInstance | undefined, pm: IrPortMatch, port: number | undefined): boolean {
  if (port === undefined) return false;
  switch (pm.op) {
    case 'eq':
      return port === pm.port;
    case 'ne':
      return port !== pm.port;
    case 'lt':
      return port < pm.port;
    case 'le':
      return port <= pm.port;
    case 'gt':
      return port > pm.port;
    case 'ge':
      return port >= pm.port;
    case 'range':
      return port >= pm.from && port <= pm.to;
    case 'familySet': {
      if (!instance || rule.scope.kind !== 'family') return false;
      return ctx.portLists.get(instanceKey(rule.scope.family, instance.name))?.get(pm.set)?.has(port) ?? false;
    }
    default: {
      const never: never = pm;
      return never;
    }
  }
}
