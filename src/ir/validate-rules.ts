/**
 * Rule checks: every reference resolves and fits the rule's scope (a family rule may use
 * global sets and its own family's sets, values and interface; a global rule only global
 * ones), criteria are ones pf accepts together (ports need tcp/udp/sctp, flags need tcp,
 * ICMP types need the ICMP protocol of the rule's family, a fragment rule has
 * no port/flag/type criteria), and actions carry only what they can use (a block rule no
 * translation, state or route; a match rule no quick or route; a pass rule provenance,
 * and state when it translates).
 */
import { at, report, type Problems } from './check-shape.js';
import { parseAddress, parsePrefix, type IpFamily } from './cidr.js';
import { checkName, type IrIndex } from './validate-common.js';
import type { IrAddress, IrMatch, IrPortMatch, IrRule, PolicyIR } from './types.js';

const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);

/** Sets used as port lists (familySet ports) anywhere in the rules. */
export function portSetNames(ir: PolicyIR): Set<string> {
  const out = new Set<string>();
  for (const r of ir.rules) {
    for (const pm of [r.match.srcPort, r.match.dstPort]) if (pm?.op === 'familySet') out.add(pm.set);
  }
  return out;
}

export function checkRules(p: Problems, ir: PolicyIR, index: IrIndex): void {
  const ids = new Set<string>();
  const portSets = portSetNames(ir);
  ir.rules.forEach((r, i) => {
    const path = at('$.rules', i);
    if (ids.has(r.id)) report(p, at(path, 'id'), `rule id ${JSON.stringify(r.id)} is already used by an earlier rule`);
    ids.add(r.id);
    checkRule(p, path, r, index, portSets);
  });
}

function checkRule(p: Problems, path: string, r: IrRule, index: IrIndex, portSets: ReadonlySet<string>): void {
  const family = r.scope.kind === 'family' ? index.families.get(r.scope.family) : undefined;
  if (r.scope.kind === 'family' && !family) report(p, at(at(path, 'scope'), 'family'), `no family named ${JSON.stringify(r.scope.family)}`);
  if (!index.interfaces.has(r.interface)) report(p, at(path, 'interface'), `no interface named ${JSON.stringify(r.interface)}`);
  else if (family && r.interface !== family.interface) {
    report(p, at(path, 'interface'), `a rule of family ${JSON.stringify(family.name)} is on its instances' interface ${JSON.stringify(family.interface)}, not ${JSON.stringify(r.interface)}`);
  }
  const ctx: RuleContext = { p, rule: r, index, portSets };
  checkMatch(ctx, at(path, 'match'), r.match);
  if (r.tag !== undefined) checkName(p, at(path, 'tag'), 'tag', r.tag);
  checkActions(ctx, path);
}

interface RuleContext {
  readonly p: Problems;
  readonly rule: IrRule;
  readonly index: IrIndex;
  readonly portSets: ReadonlySet<string>;
}

function checkMatch(ctx: RuleContext, path: string, m: IrMatch): void {
  const { p } = ctx;
  const families: IpFamily[] = [];
  if (m.af) families.push(m.af === 'inet' ? 'ipv4' : 'ipv6');
  for (const side of ['src', 'dst'] as const) {
    const am = m[side];
    if (am) checkAddressRef(ctx, at(at(path, side), 'address'), am.address, families, false);
  }
  const hasPorts = m.srcPort !== undefined || m.dstPort !== undefined;
  if (hasPorts && (!m.proto || m.proto.some((n) => !PORT_PROTOCOLS.has(n)))) {
    report(p, at(path, m.srcPort ? 'srcPort' : 'dstPort'), 'ports need proto to be tcp, udp or sctp only (6, 17, 132)');
  }
  for (const side of ['srcPort', 'dstPort'] as const) {
    const pm = m[side];
    if (pm) checkPortMatch(ctx, at(path, side), pm);
  }
  if (m.tcpFlags) {
    if (!m.proto || m.proto.length !== 1 || m.proto[0] !== 6) report(p, at(path, 'tcpFlags'), 'TCP flags need proto [6] (tcp) alone');
    if ((m.tcpFlags.set & ~m.tcpFlags.mask) !== 0) report(p, at(at(path, 'tcpFlags'), 'set'), 'flags outside the mask can never be compared');
  }
  if (m.icmpType) {
    // pf wants the family written with icmp-type; the protocol implies it (icmp: inet, icmp6: inet6).
    const proto = m.proto?.length === 1 ? m.proto[0] : undefined;
    if (proto !== 1 && proto !== 58) report(p, at(path, 'icmpType'), 'an ICMP type needs proto [1] (icmp) or [58] (icmp6) alone');
    else if (m.af !== undefined && m.af !== (proto === 1 ? 'inet' : 'inet6')) report(p, at(path, 'icmpType'), `protocol ${proto} is not ICMP of af ${m.af}`);
  }
  if (m.fragment === true && (hasPorts || m.tcpFlags || m.icmpType)) {
    report(p, at(path, 'fragment'), 'a fragment rule can use IP header criteria only (no ports, flags or ICMP type)');
  }
  if (m.tagged) checkName(p, at(at(path, 'tagged'), 'tag'), 'tag', m.tagged.tag);
}

/**
 * An address reference resolves in the rule's scope; literal addresses (a cidr, a
 * family value) fix the rule's address family, and all of them must agree with `families`
 * (the af and earlier literals), which this extends.
 */
function checkAddressRef(ctx: RuleContext, path: string, a: IrAddress, families: IpFamily[], translation: boolean): void {
  const { p, rule, index } = ctx;
  const agree = (f: IpFamily, where: string, what: string): void => {
    if (families.length > 0 && families[0] !== f) report(p, where, `${what} is ${f}, but the rule is ${families[0]}`);
    else families.push(f);
  };
  switch (a.kind) {
    case 'any':
      if (translation) report(p, path, 'a translation needs an address to translate to, not any');
      return;
    case 'cidr': {
      const prefix = parsePrefix(a.cidr);
      if (!prefix) report(p, at(path, 'cidr'), `${JSON.stringify(a.cidr)} is not an address or prefix`);
      else agree(prefix.family, at(path, 'cidr'), JSON.stringify(a.cidr));
      return;
    }
    case 'set': {
      const s = index.sets.get(a.set);
      if (!s) return report(p, at(path, 'set'), `no set named ${JSON.stringify(a.set)}`);
      if (s.scope.kind === 'family' && (rule.scope.kind !== 'family' || rule.scope.family !== s.scope.family)) {
        report(p, at(path, 'set'), `set ${JSON.stringify(a.set)} belongs to family ${JSON.stringify(s.scope.family)}; this rule is ${scopeText(rule)}`);
      }
      if (ctx.portSets.has(a.set)) report(p, at(path, 'set'), `set ${JSON.stringify(a.set)} is used as a port list elsewhere`);
      if (families.length > 0 && families[0] !== s.element) report(p, at(path, 'set'), `set ${JSON.stringify(a.set)} holds ${s.element} prefixes, but the rule is ${families[0]}`);
      return;
    }
    case 'familyValue': {
      const family = rule.scope.kind === 'family' ? index.families.get(rule.scope.family) : undefined;
      if (rule.scope.kind !== 'family') return report(p, at(path, 'field'), 'a family value is only meaningful in a family rule');
      if (!family) return;
      for (const inst of family.instances) {
        const v = inst.values[a.field];
        const where = at(path, 'field');
        if (v === undefined) report(p, where, `instance ${JSON.stringify(inst.name)} has no value ${JSON.stringify(a.field)}`);
        else {
          const prefix = parsePrefix(v);
          if (!prefix) report(p, where, `value ${JSON.stringify(v)} of instance ${JSON.stringify(inst.name)} is not an address or prefix`);
          else agree(prefix.family, where, `value ${JSON.stringify(v)} of instance ${JSON.stringify(inst.name)}`);
        }
      }
      return;
    }
    case 'interface':
      if (!index.interfaces.has(a.interface)) report(p, at(path, 'interface'), `no interface named ${JSON.stringify(a.interface)}`);
      return;
    default: {
      const never: never = a;
      return never;
    }
  }
}

function scopeText(rule: IrRule): string {
  return rule.scope.kind === 'family' ? `in family ${JSON.stringify(rule.scope.family)}` : 'global';
}

function checkPortMatch(ctx: RuleContext, path: string, pm: IrPortMatch): void {
  const { p, rule, index } = ctx;
  switch (pm.op) {
    case 'range':
      if (pm.from > pm.to) report(p, at(path, 'from'), `range ${pm.from}:${pm.to} is empty`);
      return;
    case 'familySet': {
      const s = index.sets.get(pm.set);
      if (!s) return report(p, at(path, 'set'), `no set named ${JSON.stringify(pm.set)}`);
      if (rule.scope.kind !== 'family' || s.scope.kind !== 'family' || s.scope.family !== rule.scope.family) {
        report(p, at(path, 'set'), `a port list must be a set of the rule's own family; set ${JSON.stringify(pm.set)} is ${s.scope.kind === 'family' ? `of family ${JSON.stringify(s.scope.family)}` : 'global'}, the rule ${scopeText(rule)}`);
      }
      return;
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return;
    default: {
      const never: never = pm;
      return never;
    }
  }
}

function checkActions(ctx: RuleContext, path: string): void {
  const { p, rule: r, index } = ctx;
  if (r.action === 'pass' && r.provenance.length === 0) report(p, at(path, 'provenance'), 'a pass rule needs provenance: nothing may be let through that no instruction decided');
  if (r.action === 'block' && r.keepState) report(p, at(path, 'keepState'), 'a block rule keeps no state (pfctl refuses "block ... keep state")');
  if (r.action === 'block' && r.translations.length > 0) report(p, at(path, 'translations'), 'a block rule translates nothing');
  if (r.action === 'pass' && r.translations.length > 0 && !r.keepState) report(p, at(path, 'keepState'), 'pf keeps a translation in the state: a translating pass rule must keep state');
  if (r.action === 'match' && r.quick) report(p, at(path, 'quick'), 'a match rule decides nothing, so quick has no meaning on it');
  if (r.allowOpts && r.action !== 'pass') report(p, at(path, 'allowOpts'), `only a pass rule lets IP options through (allow-opts on a ${r.action} rule means nothing)`);
  if (r.routeTo && r.action !== 'pass') report(p, at(path, 'routeTo'), `only a pass rule routes (route-to on a ${r.action} rule is never applied)`);
  const kinds = new Set<string>();
  const families: IpFamily[] = [];
  if (r.match.af) families.push(r.match.af === 'inet' ? 'ipv4' : 'ipv6');
  r.translations.forEach((t, i) => {
    const tp = at(at(path, 'translations'), i);
    if (kinds.has(t.kind)) report(p, at(tp, 'kind'), `a second ${t.kind} in one rule`);
    kinds.add(t.kind);
    if (t.kind === 'nat' && t.ports && t.ports.from > t.ports.to) report(p, at(at(tp, 'ports'), 'from'), `port range ${t.ports.from}:${t.ports.to} is empty`);
    if (t.kind === 'nat' && t.ports && t.staticPort) report(p, at(tp, 'staticPort'), 'a static port and a port range contradict each other');
    checkAddressRef(ctx, at(tp, 'to'), t.to, [...families], true);
  });
  if (kinds.has('binat') && kinds.size > 1) report(p, at(path, 'translations'), 'binat rewrites both ways and cannot be combined with nat or rdr');
  if (r.routeTo) {
    const rp = at(path, 'routeTo');
    const target = r.routeTo.interface;
    if (target.kind === 'interface' && !index.interfaces.has(target.name)) report(p, at(at(rp, 'interface'), 'name'), `no interface named ${JSON.stringify(target.name)}`);
    if (target.kind === 'familyInterface' && r.scope.kind !== 'family') report(p, at(rp, 'interface'), 'familyInterface needs a family rule');
    if (target.kind === 'instance' && ![...index.families.values()].some((f) => f.instances.some((i) => i.ifindex === target.ifindex))) {
      report(p, at(at(rp, 'interface'), 'ifindex'), `no family instance has ifindex ${target.ifindex}`);
    }
    if (r.routeTo.nexthop !== undefined && !parseAddress(r.routeTo.nexthop)) report(p, at(rp, 'nexthop'), `${JSON.stringify(r.routeTo.nexthop)} is not an address`);
  }
  if (r.dnpipe !== undefined) {
    const pipe = index.pipes.get(r.dnpipe);
    if (!pipe) report(p, at(path, 'dnpipe'), `no pipe ${r.dnpipe}`);
    else if (pipe.scope.kind === 'family' && (r.scope.kind !== 'family' || r.scope.family !== pipe.scope.family)) {
      report(p, at(path, 'dnpipe'), `pipe ${r.dnpipe} belongs to family ${JSON.stringify(pipe.scope.family)}; this rule is ${scopeText(r)}`);
    }
  }
}
