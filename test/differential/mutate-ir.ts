import { parsePrefix, valueToBytes } from '../../src/ir/cidr.js';
import type { IrRule, IrTranslation, PolicyIR } from '../../src/ir/types.js';
import { formatIpv4 } from '../../src/packet/addresses.js';
import type { Difference } from './compare-outcomes.js';

/**
 * Wrong translations, made on purpose, to show the IR check is not vacuous: each mutant
 * changes one exact rule that decided packets the check found in agreement, in one way
 * the comparison must notice (a verdict, a translated address, a port, a route). Which
 * aspect of the comparison should then report a difference is named with it.
 */
export interface IrMutant {
  readonly name: string;
  readonly aspect: Difference['aspect'];
  readonly ir: PolicyIR;
}

export function irMutants(ir: PolicyIR, agreeing: ReadonlySet<string>): IrMutant[] {
  const candidates = ir.rules.filter((r) => r.fidelity.level === 'exact' && agreeing.has(r.id));
  const mutant = (name: string, aspect: Difference['aspect'], rule: IrRule, changed: IrRule): IrMutant => ({
    name: `${rule.id}: ${name}`,
    aspect,
    ir: { ...ir, rules: ir.rules.map((r) => (r.id === rule.id ? changed : r)) },
  });
  const out: IrMutant[] = [];
  const flip = candidates[0];
  if (flip) {
    const changed: IrRule = flip.action === 'block' ? { ...flip, action: 'pass' } : { ...flip, action: 'block', translations: [], routeTo: undefined };
    out.push(mutant(`${flip.action} becomes ${changed.action}`, 'verdict', flip, changed));
  }
  const rdr = candidates.find((r) => r.translations.some((t) => t.kind === 'rdr' && t.port !== undefined));
  if (rdr) {
    const translations = rdr.translations.map((t): IrTranslation => (t.kind === 'rdr' && t.port !== undefined ? { ...t, port: (t.port % 65535) + 1 } : t));
    out.push(mutant('rdr port + 1', 'port', rdr, { ...rdr, translations }));
  }
  const literal = candidates.find((r) => r.translations.some((t) => t.to.kind === 'cidr' && parsePrefix(t.to.cidr)?.family === 'ipv4'));
  if (literal) {
    const translations = literal.translations.map((t): IrTranslation => (t.to.kind === 'cidr' ? { ...t, to: { kind: 'cidr', cidr: otherAddress(t.to.cidr) } } : t));
    out.push(mutant('translation to another address', 'address', literal, { ...literal, translations }));
  }
  const routed = candidates.find((r) => r.routeTo?.interface.kind === 'instance');
  const instances = ir.families.flatMap((f) => f.instances.map((i) => i.ifindex));
  if (routed?.routeTo?.interface.kind === 'instance') {
    const from = routed.routeTo.interface.ifindex;
    const to = instances.find((x) => x !== from);
    if (to !== undefined) out.push(mutant(`route-to instance ${from} becomes ${to}`, 'destination', routed, { ...routed, routeTo: { ...routed.routeTo, interface: { kind: 'instance', ifindex: to } } }));
  }
  return out;
}

/** Another prefix of the same length: its lowest network bit flipped. */
function otherAddress(cidr: string): string {
  const p = parsePrefix(cidr)!;
  const net = p.net ^ (1n << BigInt(32 - Math.max(1, p.len)));
  return `${formatIpv4(valueToBytes('ipv4', net))}/${p.len}`;
}
