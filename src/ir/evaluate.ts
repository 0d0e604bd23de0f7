/**
 * The IR evaluator: what the translation claims a packet's fate is, one packet, one pass
 * over the rules on one interface in one direction (a forwarded packet is two calls: in
 * on the ingress interface, out on the egress one, the tag carried from the first to the
 * second in `tags`). Stateless: it models the rule pass of a packet that matches no
 * state, as the first packet of every flow does.
 *
 * Semantics (pf, FreeBSD 15.0 filter-rule translation; pf.md §1.3, §2.2, §2.8, §7):
 * - rules in order; a matching pass/block rule becomes the decision, a quick one ends
 *   the pass (otherwise the last matching pass/block rule decides);
 * - a matching `match` rule decides nothing but applies at once: its translations
 *   rewrite the packet that later rules see, its dnpipe is kept unless a later applied
 *   rule sets one;
 * - the tag of every matching rule (match, pass or block, deciding or not) is set when
 *   it matches, and `tagged` sees it from the next rule on;
 * - the deciding pass rule's translations apply after matching (its criteria and
 *   earlier rules saw the addresses before them), then its route-to and dnpipe;
 * - no deciding rule: 'nomatch' (pf's default is pass; the caller decides), with the
 *   match rules' effects;
 * - fragments: matched on IP header criteria only and never translated (pf without
 *   reassembly neither reads their ports nor keeps state, which translation needs); with
 *   reassembly (IrState.reassemble) a fragment is held, not filtered ('held');
 * - a translation with no address for the packet's family drops the packet, as pf does.
 * What it does not model: states, `allow-opts` (pf drops packets with IP options on pass
 * rules that lack it; `ipOptions` says when that applies), legacy 14.x nat/rdr rules
 * (the emitter's job is to make them mean the same).
 */
import { prepareIr, type EvalContext, type IrEvalSetup } from './eval-context.js';
import { ruleInstance, ruleMatches, type PacketPlace } from './eval-match.js';
import { parseFrame, type IpPacketView } from './eval-packet.js';
import { applyTranslation, type IrAppliedTranslation } from './eval-translate.js';
import type { Fidelity, IrRule, PolicyIR } from './types.js';

export type { IrAppliedTranslation } from './eval-translate.js';
export type { IrEvalSetup } from './eval-context.js';

export interface IrPacket extends PacketPlace {
  /** An Ethernet frame. */
  readonly bytes: Uint8Array;
  /** The interface it arrived on (in) or is leaving by (out): selects family instances. */
  readonly ifindex: number;
  readonly direction: 'in' | 'out';
  /** The logical interface name (IrInterface.name), for global rules. */
  readonly interface: string;
}

export interface IrEvalOptions extends IrEvalSetup {
  /** The tag already on the packet (one; pf tags are single strings). */
  readonly tags?: string;
}

export type IrVerdict = IrNotIpVerdict | IrHeldVerdict | IrIpVerdict;

/** pf never sees it: an ng_bpf classifier would have to handle it. */
export interface IrNotIpVerdict {
  readonly action: 'notIp';
}

/** A fragment pf holds for reassembly (IrState.reassemble): its datagram is decided whole, later. */
export interface IrHeldVerdict {
  readonly action: 'held';
}

export interface IrIpVerdict {
  readonly action: 'pass' | 'block' | 'nomatch';
  /** The deciding rule, or the rule whose translation failed. */
  readonly rule?: string;
  readonly fidelity?: Fidelity;
  /** Why the packet was dropped without a deciding block rule. */
  readonly reason?: 'malformed' | 'short' | 'rh0' | 'translation';
  readonly detail?: string;
  /** Every rule that matched, in order. */
  readonly matched: readonly string[];
  /** The frame as it leaves: translated for pass and nomatch, as it came otherwise. */
  readonly bytes: Uint8Array;
  readonly translations: readonly IrAppliedTranslation[];
  readonly route?: IrRouteTarget;
  readonly tag?: string;
  readonly dnpipe?: number;
  readonly fragment: boolean;
  /**
   * IPv4 options or IPv6 hop-by-hop/destination options: pf passes these only on a rule
   * with allow-opts (`IrRule.allowOpts`); the caller applies that to the deciding rule.
   */
  readonly ipOptions: boolean;
}

export interface IrRouteTarget {
  /** The logical interface; for a family instance's own interface, its FreeBSD name. */
  readonly interface: string;
  readonly ifindex?: number;
  readonly nexthop?: string;
  /** `family/instance` when the route is to the instance's interface. */
  readonly instance?: string;
}

export type IrEvaluator = (packet: IrPacket, tags?: string) => IrVerdict;

/** Prepares the IR once (tables, instances) for many packets. Expects a validated IR. */
export function createIrEvaluator(ir: PolicyIR, setup: IrEvalSetup = {}): IrEvaluator {
  const ctx = prepareIr(ir, setup);
  return (packet, tags) => evaluatePrepared(ctx, packet, tags);
}

export function evaluateIr(ir: PolicyIR, packet: IrPacket, options: IrEvalOptions = {}): IrVerdict {
  return createIrEvaluator(ir, options)(packet, options.tags);
}

function evaluatePrepared(ctx: EvalContext, packet: IrPacket, initialTag: string | undefined): IrVerdict {
  const parsed = parseFrame(packet.bytes);
  if (parsed.kind === 'notIp') return { action: 'notIp' };
  const original = packet.bytes.slice();
  if (parsed.kind === 'dropped') {
    return { action: 'block', reason: parsed.reason, detail: parsed.detail, matched: [], bytes: original, translations: [], fragment: false, ipOptions: false, ...(initialTag !== undefined && { tag: initialTag }) };
  }
  if (ctx.ir.state.reassemble && parsed.view.fragment) return { action: 'held' };
  let view: IpPacketView = parsed.view;
  let bytes: Uint8Array = original;
  let tag = initialTag;
  let dnpipe: number | undefined;
  let decider: IrRule | undefined;
  const matched: string[] = [];
  const applied: IrAppliedTranslation[] = [];
  const common = (): Pick<IrIpVerdict, 'matched' | 'fragment' | 'ipOptions' | 'tag'> => ({
    matched,
    fragment: view.fragment,
    ipOptions: view.ipOptions,
    ...(tag !== undefined && { tag }),
  });
  /** Applies a rule's translations to the packet; a failure is the verdict. */
  const translate = (rule: IrRule): IrIpVerdict | null => {
    if (view.fragment) return null;
    const instance = ruleInstance(ctx, rule, packet) ?? undefined;
    for (const t of rule.translations) {
      const r = applyTranslation(ctx, rule, instance, t, view, bytes);
      if (!r.ok) return { action: 'block', rule: rule.id, fidelity: rule.fidelity, reason: 'translation', detail: r.detail, bytes: original, translations: [], ...common() };
      view = r.view;
      bytes = r.bytes;
      applied.push(r.applied);
    }
    return null;
  };

  for (const rule of ctx.ir.rules) {
    if (!ruleMatches(ctx, rule, packet, view, tag)) continue;
    matched.push(rule.id);
    if (rule.tag !== undefined) tag = rule.tag;
    if (rule.action === 'match') {
      if (rule.dnpipe !== undefined) dnpipe = rule.dnpipe;
      const failed = translate(rule);
      if (failed) return failed;
      continue;
    }
    decider = rule;
    if (rule.quick) break;
  }

  if (!decider) return { action: 'nomatch', bytes, translations: applied, ...(dnpipe !== undefined && { dnpipe }), ...common() };
  if (decider.action === 'block') return { action: 'block', rule: decider.id, fidelity: decider.fidelity, bytes: original, translations: [], ...common() };
  const failed = translate(decider);
  if (failed) return failed;
  if (decider.dnpipe !== undefined) dnpipe = decider.dnpipe;
  const route = routeTarget(ctx, decider, packet);
  return {
    action: 'pass',
    rule: decider.id,
    fidelity: decider.fidelity,
    bytes,
    translations: applied,
    ...(route && { route }),
    ...(dnpipe !== undefined && { dnpipe }),
    ...common(),
  };
}

function routeTarget(ctx: EvalContext, rule: IrRule, packet: IrPacket): IrRouteTarget | undefined {
  const r = rule.routeTo;
  if (!r) return undefined;
  const nexthop = r.nexthop !== undefined ? { nexthop: r.nexthop } : {};
  switch (r.interface.kind) {
    case 'interface': {
      const ifindex = ctx.interfaces.get(r.interface.name)?.ifindex;
      return { interface: r.interface.name, ...(ifindex !== null && ifindex !== undefined && { ifindex }), ...nexthop };
    }
    case 'familyInterface': {
      const instance = ruleInstance(ctx, rule, packet);
      if (!instance || rule.scope.kind !== 'family') return undefined;
      return { interface: instance.interface, ifindex: instance.ifindex, instance: `${rule.scope.family}/${instance.name}`, ...nexthop };
    }
    case 'instance': {
      const ifindex = r.interface.ifindex;
      for (const f of ctx.ir.families) {
        const instance = f.instances.find((i) => i.ifindex === ifindex);
        if (instance) return { interface: instance.interface, ifindex, instance: `${f.name}/${instance.name}`, ...nexthop };
      }
      return undefined;
    }
    default: {
      const never: never = r.interface;
      return never;
    }
  }
}
