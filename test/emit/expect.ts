/**
 * What a parsed pf rule must look like for an IR rule, written from the IR contract and
 * pf's documented syntax (not from the emitter's code): the round-trip test parses the
 * emitted text and compares it with these expectations.
 */
import type { IrAddress, IrAddressMatch, IrFamily, IrFamilyInstance, IrPortMatch, IrRule, PolicyIR } from '../../src/ir/types.js';
import type { PfAddress, PfHostItem, PfPortItem } from '../../src/pf/index.js';

export interface Instance {
  readonly family: IrFamily;
  readonly instance: IrFamilyInstance;
  readonly index: number;
}

export function freebsdName(ir: PolicyIR, logical: string): string {
  const i = ir.interfaces.find((x) => x.name === logical);
  if (!i) throw new Error(`fixture names unknown interface ${logical}`);
  return i.freebsd;
}

/** The interface a rule runs on: the instance's own when it is on the family's group. */
export function ruleInterface(ir: PolicyIR, rule: IrRule, inst: Instance | null): string {
  if (inst && rule.interface === inst.family.interface) return inst.instance.interface;
  return freebsdName(ir, rule.interface);
}

export function expectAddress(ir: PolicyIR, a: IrAddress, inst: Instance | null): PfAddress {
  switch (a.kind) {
    case 'any': return { kind: 'any' };
    case 'cidr': return { kind: 'prefix', text: a.cidr };
    case 'set': return { kind: 'table', name: a.set };
    case 'familyValue': {
      const v = inst?.instance.values[a.field];
      if (v === undefined) throw new Error(`no value ${a.field}`);
      return { kind: 'prefix', text: v };
    }
    case 'interface': return { kind: 'dynamic', interface: freebsdName(ir, a.interface), modifier: null };
  }
}

/** The parsed host list of one side: empty (any) or one item. */
export function expectHosts(ir: PolicyIR, m: IrAddressMatch | undefined, inst: Instance | null): PfHostItem[] {
  if (!m || (m.address.kind === 'any' && !m.negate)) return [];
  return [{ negate: m.negate, address: expectAddress(ir, m.address, inst) }];
}

/** Parsed hosts with `any` written out or not mean the same; normalise to the short form. */
export function normaliseHosts(hosts: readonly PfHostItem[]): PfHostItem[] {
  return hosts.length === 1 && hosts[0].address.kind === 'any' && !hosts[0].negate ? [] : [...hosts];
}

export function expectPorts(p: IrPortMatch | undefined, inst: Instance | null): PfPortItem[] {
  if (!p) return [];
  switch (p.op) {
    case 'eq': return [{ op: '=', port: p.port }];
    case 'ne': return [{ op: '!=', port: p.port }];
    case 'lt': return [{ op: '<', port: p.port }];
    case 'le': return [{ op: '<=', port: p.port }];
    case 'gt': return [{ op: '>', port: p.port }];
    case 'ge': return [{ op: '>=', port: p.port }];
    case 'range': return [{ op: ':', from: p.from, to: p.to }];
    case 'familySet': return (inst?.instance.sets[p.set] ?? []).map((s) => ({ op: '=' as const, port: Number(s) }));
  }
}

/** The documented numbering: global pipes by id, family pipes id * 1000 + instance index. */
export function expectPipe(ir: PolicyIR, id: number, inst: Instance | null): number {
  const pipe = ir.pipes.find((p) => p.id === id);
  if (!pipe) throw new Error(`no pipe ${id}`);
  return pipe.scope.kind === 'global' ? id : id * 1000 + (inst?.index ?? -1);
}

/** What pf must do with TCP flags: the IR's, or `flags any` on a stateful pass rule that may see TCP. */
export function expectFlags(rule: IrRule): { set: number; mask: number } | 'any' | null {
  if (rule.match.tcpFlags) return rule.match.tcpFlags.mask === 0 ? 'any' : rule.match.tcpFlags;
  const tcp = !rule.match.proto || rule.match.proto.includes(6);
  return rule.action === 'pass' && rule.keepState && tcp ? 'any' : null;
}

export function instancesOf(ir: PolicyIR, rule: IrRule): (Instance | null)[] {
  if (rule.scope.kind === 'global') return [null];
  const name = rule.scope.family;
  const family = ir.families.find((f) => f.name === name);
  if (!family) throw new Error(`no family ${name}`);
  return family.instances.map((instance, index) => ({ family, instance, index }));
}
