/**
 * FreeBSD 14.x has no nat-to/rdr-to: translation is a separate ruleset evaluated before
 * any filter rule, and filter rules then see the translated packet (pf.md §1.3). A rule
 * `pass in ... to X port 80 rdr-to Y port 8080` becomes
 *
 *     rdr on IF ... to X port = 80 tag "b2p-rdr-ID" -> Y port 8080
 *     pass in quick on IF ... to Y port = 8080 tagged "b2p-rdr-ID" ...
 *
 * The tag is what keeps the pair exact: the filter rule matches the packets the rdr rule
 * translated and nothing else (a packet sent to Y directly carries no tag). The legacy
 * rule can only test what legacy rules can (interface, family, protocol, addresses,
 * ports), so a rule with more criteria is refused: its translation would apply to
 * packets the IR rule does not match. Because legacy translation runs before every
 * filter rule, an earlier rule that may see the same packets must not depend on what
 * the translation changes (or on tags), nor let the packet through, nor translate it
 * (except as another legacy pair of the same kind, which comes first in the translation
 * section just as it comes first in the filter section).
 *
 * A source translation on an inbound rule that routes the packet (the sandbox's SNAT:
 * `pass in on TAP route-to (NIC gw) ... nat-to <pool>`) is the one case where the order
 * turns around. pf hands a packet routed from the inbound path to the route-to interface
 * after running that interface's outbound rules on it, legacy nat included (pf.md §2.9,
 * pf_route), so the pair is
 *
 *     pass in quick on TAP route-to (NIC gw) ... tag "b2p-nat-ID"
 *     nat on NIC ... tagged "b2p-nat-ID" -> <pool>
 *
 * The filter rule decides first and tags what it passed; the nat rule translates exactly
 * those packets on their way out. Nothing runs before the filter rule, so earlier rules
 * need no check; the filter rule must not carry a tag of its own.
 */
import { fail } from '../../errors.js';
import { fitName } from '../../ir/names.js';
import { isRoutedNat, rivalNat } from '../../ir/routed-nat.js';
import type { IrRule } from '../../ir/types.js';
import type { EmitContext } from './context.js';
import type { PfFilterRule, PfLegacyTranslation, PfPort } from './model.js';
import { mayOverlap } from './overlap.js';

const TCP = 6;
const UDP = 17;

function unsupported(rule: IrRule, why: string): never {
  fail('EMIT_UNSUPPORTED', `rule ${rule.id}: FreeBSD 14.x cannot express it: ${why}`);
}

/**
 * The tag joining a legacy translation rule to its filter rule: one per rule and family
 * instance, since the instances of a family rule on a shared interface (port forwards
 * on the NIC) rewrite to the same inner address and must not take each other's packets.
 */
export function legacyTag(rule: IrRule, instance: string | null): string {
  const kind = rule.translations[0]?.kind ?? 'nat';
  return fitName('tag', `b2p-${kind}-${rule.id}${instance === null ? '' : `-${instance}`}`);
}

/**
 * Refuses (EMIT_UNSUPPORTED) a translating rule 14.x cannot express exactly; `index` is
 * its position in `ctx.ir.rules`. Rules without translations pass unchanged.
 */
export function checkLegacyRule(ctx: EmitContext, index: number): void {
  const rule = ctx.ir.rules[index];
  if (rule.translations.length === 0) return;
  if (rule.translations.length > 1) unsupported(rule, 'legacy nat applies to outbound and rdr to inbound packets; one rule cannot do both');
  const t = rule.translations[0];
  if (isRoutedNat(rule)) {
    if (rule.action !== 'pass' || !rule.quick) unsupported(rule, 'only a deciding (pass quick) rule can carry a legacy translation');
    if (rule.tag !== undefined) unsupported(rule, `its nat happens on the route-to interface, on the packets the rule tags, and the rule sets tag ${rule.tag} already`);
    // Legacy nat is first-match on that interface: another rule's nat there could take
    // the routed packets first.
    const rival = rivalNat(rule, ctx.ir.rules);
    if (rival) unsupported(rule, `its nat happens on the way out of the route-to interface, where rule ${rival.id} translates outbound packets too`);
    checkTagsFree(ctx, rule);
    return;
  }
  if (t.kind === 'binat') {
    unsupported(rule, 'legacy binat also rewrites inbound packets to the external address before filtering, which the IR rule does not describe');
  }
  if (t.kind === 'rdr' && rule.direction !== 'in') unsupported(rule, 'legacy rdr applies to inbound packets only');
  if (t.kind === 'nat' && rule.direction !== 'out') unsupported(rule, 'legacy nat applies to outbound packets only');
  if (rule.action !== 'pass' || !rule.quick) unsupported(rule, 'only a deciding (pass quick) rule can carry a legacy translation');
  const m = rule.match;
  if ((m.tcpFlags && m.tcpFlags.mask !== 0) || m.icmpType || m.fragment !== undefined) {
    unsupported(rule, `the legacy ${t.kind} rule cannot test TCP flags, icmp-type or fragments, so it would translate packets this rule does not match`);
  }
  if (m.tagged) unsupported(rule, `the legacy ${t.kind} rule tags the packets it translates, which would replace the tag this rule tests`);
  if (t.kind === 'rdr' && m.dstPort && !['eq', 'range', 'familySet'].includes(m.dstPort.op)) {
    unsupported(rule, `legacy rdr accepts only = and : destination ports, not ${m.dstPort.op}`);
  }
  checkTagsFree(ctx, rule);
  const rewritesDst = t.kind === 'rdr';
  for (let i = 0; i < index; i++) {
    const e = ctx.ir.rules[i];
    if (!mayOverlap(e, rule, ctx)) continue;
    // An earlier translating rule of the same kind is itself a legacy pair, printed first:
    // legacy translation is first-match too, so it takes the packets it would have decided.
    if (e.action === 'pass' && e.quick && e.translations.length === 1 && e.translations[0].kind === t.kind) continue;
    const reads = rewritesDst ? e.match.dst !== undefined || e.match.dstPort !== undefined : e.match.src !== undefined || e.match.srcPort !== undefined;
    const why =
      e.action === 'pass' ? 'may pass them first, with the translation applied'
      : e.translations.length > 0 ? 'translates them too'
      : e.tag !== undefined || e.match.tagged ? 'sets or tests tags'
      : e.routeTo ? 'routes them'
      : reads ? `tests the ${rewritesDst ? 'destination' : 'source'} the translation rewrites`
      : null;
    if (why !== null) unsupported(rule, `its ${t.kind} runs before rule ${e.id}, which may see the same packets and ${why}`);
  }
}

/** No rule of the IR may set or test the tags joining this rule's legacy pairs. */
function checkTagsFree(ctx: EmitContext, rule: IrRule): void {
  const instances = rule.scope.kind === 'family' ? (ctx.families.get(rule.scope.family)?.instances ?? []).map((i) => i.name) : [null];
  const tags = new Set(instances.map((i) => legacyTag(rule, i)));
  for (const r of ctx.ir.rules) {
    for (const used of [r.tag, r.match.tagged?.tag]) {
      if (used !== undefined && tags.has(used)) fail('EMIT_BAD_IR', `rule ${r.id} uses tag ${used}, which the 14.x translation of rule ${rule.id} needs`);
    }
  }
}

function portRange(from: number, to: number): PfPort {
  return from === to ? { op: '=', port: from } : { op: ':', from, to };
}

/** The legacy translation rule and the filter rule that follows it, for one instance. */
export function toLegacy(rule: IrRule, built: PfFilterRule, instance: string | null): { translation: PfLegacyTranslation; filter: PfFilterRule } {
  const option = built.translations[0];
  const tag = legacyTag(rule, instance);
  const criteria = {
    on: built.on,
    ...(built.af ? { af: built.af } : {}),
    ...(built.proto ? { proto: built.proto } : {}),
    from: built.from,
    ...(built.fromPort ? { fromPort: built.fromPort } : {}),
    to: built.to,
    ...(built.toPort ? { toPort: built.toPort } : {}),
  };
  if (isRoutedNat(rule) && option.kind === 'nat-to') {
    if (!built.routeTo) unsupported(rule, 'its filter rule lost the route-to its nat depends on');
    const translation: PfLegacyTranslation = {
      kind: 'legacy', type: 'nat', ...criteria, on: built.routeTo.iface, link: { kind: 'tests', tag }, pool: option.pool,
      ...(option.ports ? { poolPort: { from: option.ports.from, to: option.ports.to } } : {}),
      ...(option.staticPort ? { staticPort: true } : {}),
    };
    // Nothing is rewritten before the filter rule decides: it keeps its criteria and tags.
    return { translation, filter: { ...built, translations: [], tag } };
  }
  const base: PfFilterRule = { ...built, translations: [], tagged: { tag, negate: false } };
  switch (option.kind) {
    case 'rdr-to': {
      const translation: PfLegacyTranslation = {
        kind: 'legacy', type: 'rdr', ...criteria, link: { kind: 'sets', tag }, pool: option.pool,
        ...(option.port !== undefined ? { poolPort: { from: option.port } } : {}),
      };
      const toPort = option.port !== undefined ? { op: '=' as const, port: option.port } : built.toPort;
      const { toPort: _dropped, ...rest } = base;
      return { translation, filter: { ...rest, to: { host: option.pool, negate: false }, ...(toPort ? { toPort } : {}) } };
    }
    case 'nat-to': {
      const translation: PfLegacyTranslation = {
        kind: 'legacy', type: 'nat', ...criteria, link: { kind: 'sets', tag }, pool: option.pool,
        ...(option.ports ? { poolPort: { from: option.ports.from, to: option.ports.to } } : {}),
        ...(option.staticPort ? { staticPort: true } : {}),
      };
      // The filter sees the translated source; its port is only known when nat was given
      // a range, and a port criterion needs the rule to be tcp/udp only.
      const portsApply = option.ports && built.proto?.every((p) => p === TCP || p === UDP);
      const { fromPort: _dropped, ...rest } = base;
      return {
        translation,
        filter: { ...rest, from: { host: option.pool, negate: false }, ...(portsApply && option.ports ? { fromPort: portRange(option.ports.from, option.ports.to) } : {}) },
      };
    }
    case 'binat-to':
      return unsupported(rule, 'binat');
  }
}
