/**
 * One IR rule (for one family instance, when it is a family rule) as a pf filter rule in
 * 15.0 form: translations are options of the rule. The 14.x form is derived from this
 * one by legacy.ts. Everything pfctl would refuse, or would read differently from the
 * IR, is an error here naming the rule.
 */
import { fail } from '../../errors.js';
import type { IrAddress, IrAddressMatch, IrPortMatch, IrRule, IrTranslation } from '../../ir/types.js';
import { checkAddress, checkPrefix, type AddressFamily } from './address.js';
import { familyOf, interfaceOf, type EmitContext, type InstanceRef } from './context.js';
import type { PfFilterRule, PfHost, PfHostMatch, PfIfRef, PfPort, PfTranslationOption } from './model.js';
import { ruleSite } from './overlap.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;
const ICMP = 1;
const ICMP6 = 58;

export type BuiltRule =
  | { readonly kind: 'rule'; readonly rule: PfFilterRule }
  /** The rule matches nothing for this instance (its port set is empty): printed as a comment. */
  | { readonly kind: 'empty'; readonly reason: string };

/** Where a rule is being instantiated, for messages. */
export function ruleWhere(rule: IrRule, inst: InstanceRef | null): string {
  return inst ? `rule ${rule.id} (${inst.family.name}/${inst.instance.name})` : `rule ${rule.id}`;
}

function unsupported(rule: IrRule, why: string): never {
  fail('EMIT_UNSUPPORTED', `rule ${rule.id}: ${why}`);
}

/** Notes the address family each address implies, so a rule mixing two is an error. */
type FamilyCheck = (af: AddressFamily, text: string) => void;

function familyCheck(what: string, declared: AddressFamily | undefined): FamilyCheck {
  let seen = declared;
  return (af, text) => {
    if (seen !== undefined && seen !== af) fail('EMIT_BAD_IR', `${what}: ${text} is ${af}, the rule is ${seen}`);
    seen = af;
  };
}

export function interfaceRef(ctx: EmitContext, logical: string, what: string): PfIfRef {
  interfaceOf(ctx, logical, what);
  return { kind: 'macro', name: logical };
}

export function resolveHost(ctx: EmitContext, a: IrAddress, inst: InstanceRef | null, what: string, afs?: FamilyCheck): PfHost {
  switch (a.kind) {
    case 'any': return { kind: 'any' };
    case 'cidr': {
      const p = checkPrefix(a.cidr, what);
      afs?.(p.af, a.cidr);
      return { kind: 'prefix', text: p.text };
    }
    case 'set': {
      const set = ctx.sets.get(a.set);
      if (!set) fail('EMIT_BAD_IR', `${what}: unknown set ${JSON.stringify(a.set)}`);
      if (set.scope.kind === 'family' && set.scope.family !== inst?.family.name) {
        fail('EMIT_BAD_IR', `${what}: set ${set.name} belongs to family ${set.scope.family}; only that family's rules can use it`);
      }
      afs?.(set.element === 'ipv4' ? 'inet' : 'inet6', `table <${set.name}>`);
      return { kind: 'table', name: set.name };
    }
    case 'familyValue': {
      if (!inst) fail('EMIT_BAD_IR', `${what}: a family value (${a.field}) in a rule that belongs to no family`);
      const v = inst.instance.values[a.field];
      if (v === undefined) fail('EMIT_BAD_IR', `${what}: instance has no value ${JSON.stringify(a.field)}`);
      const p = checkPrefix(v, `${what} value ${a.field}`);
      afs?.(p.af, v);
      return { kind: 'prefix', text: p.text };
    }
    case 'interface': return { kind: 'dynamic', iface: interfaceRef(ctx, a.interface, what) };
  }
}

function hostMatch(ctx: EmitContext, m: IrAddressMatch | undefined, inst: InstanceRef | null, what: string, afs: FamilyCheck): PfHostMatch {
  if (!m) return { host: { kind: 'any' }, negate: false };
  if (m.negate && m.address.kind === 'any') fail('EMIT_BAD_IR', `${what}: "! any" matches nothing`);
  return { host: resolveHost(ctx, m.address, inst, what, afs), negate: m.negate };
}

function checkedPort(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail('EMIT_BAD_IR', `${what}: port ${n} is outside 0..65535`);
  return n;
}

/** A pf port criterion, or 'empty' when a family port set has nothing for this instance. */
function resolvePort(p: IrPortMatch | undefined, inst: InstanceRef | null, what: string): PfPort | undefined | 'empty' {
  if (!p) return undefined;
  switch (p.op) {
    case 'eq': return { op: '=', port: checkedPort(p.port, what) };
    case 'ne': return { op: '!=', port: checkedPort(p.port, what) };
    case 'lt': return { op: '<', port: checkedPort(p.port, what) };
    case 'le': return { op: '<=', port: checkedPort(p.port, what) };
    case 'gt': return { op: '>', port: checkedPort(p.port, what) };
    case 'ge': return { op: '>=', port: checkedPort(p.port, what) };
    case 'range':
      if (checkedPort(p.from, what) > checkedPort(p.to, what)) fail('EMIT_BAD_IR', `${what}: port range ${p.from}:${p.to} is empty`);
      return { op: ':', from: p.from, to: p.to };
    case 'familySet': {
      if (!inst) fail('EMIT_BAD_IR', `${what}: a family port set (${p.set}) in a rule that belongs to no family`);
      const ports: number[] = [];
      for (const text of inst.instance.sets[p.set] ?? []) {
        if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) fail('EMIT_BAD_IR', `${what}: ${JSON.stringify(text)} in port set ${p.set} is not a port`);
        const n = checkedPort(Number(text), what);
        if (!ports.includes(n)) ports.push(n);
      }
      return ports.length === 0 ? 'empty' : { op: 'list', ports };
    }
  }
}

function translationOption(ctx: EmitContext, rule: IrRule, t: IrTranslation, inst: InstanceRef | null, afs: FamilyCheck): PfTranslationOption {
  const what = `${ruleWhere(rule, inst)} ${t.kind}`;
  const pool = resolveHost(ctx, t.to, inst, what, afs);
  if (pool.kind === 'any') fail('EMIT_BAD_IR', `${what}: needs an address to translate to, not "any"`);
  switch (t.kind) {
    case 'nat': {
      if (t.staticPort) return { kind: 'nat-to', pool, staticPort: true };
      if (!t.ports) return { kind: 'nat-to', pool };
      if (checkedPort(t.ports.from, what) < 1 || checkedPort(t.ports.to, what) < t.ports.from) {
        fail('EMIT_BAD_IR', `${what}: port range ${t.ports.from}:${t.ports.to} is not a range of ports 1..65535`);
      }
      return { kind: 'nat-to', pool, ports: t.ports };
    }
    case 'rdr':
      if (t.port !== undefined && checkedPort(t.port, what) < 1) fail('EMIT_BAD_IR', `${what}: port 0 is not a destination`);
      return t.port === undefined ? { kind: 'rdr-to', pool } : { kind: 'rdr-to', pool, port: t.port };
    case 'binat':
      // pf binat maps one address (or same-size prefix) to one: no tables, no pools.
      if (pool.kind === 'table') unsupported(rule, 'binat needs one address, not a table');
      // binat-to on an inbound rule: pf's behaviour is not documented (pf.md §3); refuse.
      if (rule.direction !== 'out') unsupported(rule, 'binat is only emitted on outbound rules (pf documents binat-to from the inside address)');
      return { kind: 'binat-to', pool };
  }
}

function checkTranslations(rule: IrRule): void {
  const ts = rule.translations;
  if (ts.length === 0) return;
  if (rule.action === 'block') unsupported(rule, 'a block rule cannot translate addresses');
  if (rule.action === 'pass' && !rule.keepState) {
    unsupported(rule, 'pf records translations in the state: a translating rule must keep state');
  }
  const kinds = ts.map((t) => t.kind);
  if (new Set(kinds).size !== kinds.length) unsupported(rule, `two translations of the same kind (${kinds.join(', ')})`);
  if (kinds.includes('binat') && kinds.length > 1) unsupported(rule, 'binat cannot be combined with nat or rdr');
}

function protocols(rule: IrRule): readonly number[] | undefined {
  const p = rule.match.proto;
  if (!p || p.length === 0) return undefined;
  for (const n of p) if (!Number.isInteger(n) || n < 1 || n > 255) fail('EMIT_BAD_IR', `rule ${rule.id}: protocol ${n} is outside 1..255`);
  return [...new Set(p)];
}

export function buildFilterRule(ctx: EmitContext, rule: IrRule, inst: InstanceRef | null): BuiltRule {
  const what = ruleWhere(rule, inst);
  const m = rule.match;
  checkTranslations(rule);
  if (rule.scope.kind === 'family') {
    if (!inst || inst.family.name !== rule.scope.family) fail('EMIT_BAD_IR', `${what}: family rule built outside its family`);
    familyOf(ctx, rule.scope.family, what);
  }
  const proto = protocols(rule);
  let af = m.af;
  // ICMP types only make sense with the protocol's own family; pfctl wants it written.
  if (m.icmpType) {
    if (!proto || proto.length !== 1 || (proto[0] !== ICMP && proto[0] !== ICMP6)) unsupported(rule, 'icmp-type needs proto icmp or icmp6 alone');
    const implied = proto[0] === ICMP ? 'inet' : 'inet6';
    if (af !== undefined && af !== implied) fail('EMIT_BAD_IR', `${what}: protocol ${proto[0]} with address family ${af}`);
    af = implied;
  }
  const afs = familyCheck(what, af);
  const from = hostMatch(ctx, m.src, inst, `${what} source`, afs);
  const to = hostMatch(ctx, m.dst, inst, `${what} destination`, afs);
  const fromPort = resolvePort(m.srcPort, inst, `${what} source port`);
  const toPort = resolvePort(m.dstPort, inst, `${what} destination port`);
  if (fromPort === 'empty' || toPort === 'empty') return { kind: 'empty', reason: 'its port set is empty for this instance' };
  if (fromPort || toPort) {
    const portProtos = ctx.release.legacyTranslation ? [TCP, UDP] : [TCP, UDP, SCTP];
    if (!proto || !proto.every((p) => portProtos.includes(p))) {
      unsupported(rule, `ports need the protocol to be ${ctx.release.legacyTranslation ? 'tcp or udp' : 'tcp, udp or sctp'}`);
    }
  }
  const filterOnly = fromPort !== undefined || toPort !== undefined || m.icmpType !== undefined || (m.tcpFlags !== undefined && m.tcpFlags.mask !== 0);
  if (m.fragment === true && filterOnly) unsupported(rule, 'pf matches fragments only on IP header fields (no ports, flags or icmp-type)');
  // Without reassembly pf never lets a fragment match ports, flags or icmp-type (pf.md §7),
  // so "never fragments" holds for such rules; other rules have no way to say it.
  if (m.fragment === false && !filterOnly) unsupported(rule, 'pf cannot exclude fragments from a rule without port, flags or icmp-type criteria');

  let flags: PfFilterRule['flags'];
  if (m.tcpFlags) {
    const { set, mask } = m.tcpFlags;
    if (!Number.isInteger(set) || !Number.isInteger(mask) || set < 0 || mask < 0 || set > 255 || mask > 255 || (set & ~mask) !== 0) {
      fail('EMIT_BAD_IR', `${what}: TCP flags ${set}/${mask} are not a set within a mask of 8 bits`);
    }
    if (proto && !proto.includes(TCP)) unsupported(rule, 'TCP flags on a rule that does not match TCP');
    flags = mask === 0 ? 'any' : { set, mask };
  } else if (rule.action === 'pass' && rule.keepState && (!proto || proto.includes(TCP))) {
    // pfctl adds `flags S/SA` to every stateful pass rule without flags (pf.md §2.6). The
    // IR (and the eBPF program) decide per packet whatever the flags, so say `flags any`.
    flags = 'any';
  }

  if (rule.routeTo) {
    if (rule.action !== 'pass') unsupported(rule, 'route-to is only emitted on pass rules (pf routes by the deciding rule)');
  }
  const routeTo = rule.routeTo ? routeOf(ctx, rule, inst, afs) : undefined;
  if (rule.action === 'pass' && !rule.keepState && rule.tag !== undefined) {
    unsupported(rule, 'pfctl refuses tags on a pass rule without keep state');
  }
  const translations = rule.translations.map((t) => translationOption(ctx, rule, t, inst, afs));
  const dnpipe = rule.dnpipe !== undefined
    ? ctx.pipeNumber(rule.dnpipe, inst ? { family: inst.family.name, name: inst.instance.name } : null, what)
    : undefined;
  const on: PfIfRef = inst && ruleSite(rule, ctx.families).kind === 'instance'
    ? { kind: 'name', name: inst.instance.interface }
    : interfaceRef(ctx, rule.interface, what);

  const built: PfFilterRule = {
    kind: 'filter',
    action: rule.action,
    direction: rule.direction,
    quick: rule.quick,
    on,
    ...(routeTo ? { routeTo } : {}),
    ...(af ? { af } : {}),
    ...(proto ? { proto } : {}),
    from,
    ...(fromPort ? { fromPort } : {}),
    to,
    ...(toPort ? { toPort } : {}),
    ...(flags ? { flags } : {}),
    ...(m.icmpType ? { icmpType: { v6: proto?.[0] === ICMP6, type: m.icmpType.type, ...(m.icmpType.code !== undefined ? { code: m.icmpType.code } : {}) } } : {}),
    fragment: m.fragment === true,
    ...(m.tagged ? { tagged: { tag: m.tagged.tag, negate: m.tagged.negate } } : {}),
    ...(rule.tag !== undefined ? { tag: rule.tag } : {}),
    ...(dnpipe !== undefined ? { dnpipe } : {}),
    ...(rule.action === 'pass' && rule.allowOpts ? { allowOpts: true } : {}),
    ...(rule.action === 'pass' ? { state: rule.keepState ? 'keep' as const : 'no' as const } : {}),
    label: rule.id,
    translations,
  };
  return { kind: 'rule', rule: built };
}

function routeOf(ctx: EmitContext, rule: IrRule, inst: InstanceRef | null, afs: FamilyCheck): PfFilterRule['routeTo'] {
  const r = rule.routeTo;
  if (!r) return undefined;
  const what = `${ruleWhere(rule, inst)} route-to`;
  let iface: PfIfRef;
  if (r.interface.kind === 'familyInterface') {
    if (!inst) fail('EMIT_BAD_IR', `${what}: the family interface in a rule that belongs to no family`);
    iface = { kind: 'name', name: inst.instance.interface };
  } else if (r.interface.kind === 'instance') {
    const ifindex = r.interface.ifindex;
    const target = ctx.ir.families.flatMap((f) => f.instances).find((i) => i.ifindex === ifindex);
    if (!target) fail('EMIT_BAD_IR', `${what}: no family instance has ifindex ${ifindex}`);
    iface = { kind: 'name', name: target.interface };
  } else {
    iface = interfaceRef(ctx, r.interface.name, what);
  }
  if (r.nexthop === undefined) return { iface };
  const hop = checkAddress(r.nexthop, what);
  afs(hop.af, r.nexthop);
  return { iface, nexthop: hop.text };
}
