/**
 * Packets aimed at a rule meet the rule: each one, alone in an IR with that rule, is
 * matched by it, on the instance the packet names; what the rule leaves open comes from
 * the base frames.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/gen/rng.js';
import { packetsForRule } from '../../src/gen/rule-packets.js';
import { createIrEvaluator } from '../../src/ir/evaluate.js';
import type { IrRule } from '../../src/ir/types.js';
import { buildFrame } from '../../src/packet/build-frame.js';
import { irWith, rule } from '../ir/fixtures.js';

const base = buildFrame({
  kind: 'ethernet',
  src: '02:00:00:00:00:01',
  dst: '02:00:00:00:00:02',
  body: { kind: 'ipv4', src: '169.254.68.6', dst: '1.1.1.1', ttl: 61, payload: { kind: 'tcp', sport: 40000, dport: 443, flags: 0x10 } },
});
const family = { scope: { kind: 'family', family: 'coppice' }, interface: 'taps' } as const;

const RULES: readonly IrRule[] = [
  rule('src-not', { match: { af: 'inet', proto: [17], src: { address: { kind: 'cidr', cidr: '169.254.68.6' }, negate: true } } }),
  rule('table', { match: { af: 'inet', dst: { address: { kind: 'set', set: 'blocked' }, negate: false } } }),
  rule('not-table', { match: { af: 'inet', proto: [6], dst: { address: { kind: 'set', set: 'blocked' }, negate: true }, dstPort: { op: 'ne', port: 80 }, tcpFlags: { set: 0x02, mask: 0x16 } } }),
  rule('icmp', { match: { af: 'inet', proto: [1], icmpType: { type: 8, code: 0 } } }),
  rule('fragment', { match: { af: 'inet', fragment: true, dst: { address: { kind: 'cidr', cidr: '10.0.0.0/8' }, negate: false } } }),
  rule('ports', { match: { af: 'inet', proto: [6, 17], srcPort: { op: 'range', from: 1000, to: 1010 }, dstPort: { op: 'gt', port: 60000 } } }),
  rule('family-set', { ...family, match: { af: 'inet', dst: { address: { kind: 'set', set: 'allowed' }, negate: false }, src: { address: { kind: 'familyValue', field: 'ip' }, negate: false } } }),
];

describe('packetsForRule', () => {
  for (const target of RULES) {
    it(`every packet aimed at ${target.id} matches it`, () => {
      const ir = irWith([target]);
      const evaluate = createIrEvaluator(ir);
      const packets = packetsForRule(ir, target, [{ frame: base, ifindex: 2 }], createRng(target.id), 40);
      expect(packets.length).toBeGreaterThan(0);
      for (const p of packets) {
        const v = evaluate({ bytes: p.frame, ifindex: p.ifindex!, direction: 'in', interface: target.interface });
        expect(v.action !== 'notIp' && v.action !== 'held' && v.rule, `${target.id}: ${Buffer.from(p.frame).toString('hex')}`).toBe(target.id);
      }
    });
  }

  it('takes the open fields from the base frame and the instance from the family', () => {
    const target = RULES[6];
    const ir = irWith([target]);
    const packets = packetsForRule(ir, target, [{ frame: base, ifindex: 2 }], createRng('open'), 20);
    const instances = new Set(ir.families[0].instances.filter((i) => (i.sets.allowed ?? []).length).map((i) => i.ifindex));
    for (const p of packets) {
      expect(instances.has(p.ifindex!)).toBe(true);
      expect([...p.frame.subarray(0, 12)]).toEqual([...base.subarray(0, 12)]);
      expect(p.frame[22]).toBe(61);
    }
  });

  it('gives nothing for IPv6 rules or without an IPv4 base', () => {
    const ir = irWith([]);
    expect(packetsForRule(ir, rule('v6', { match: { af: 'inet6' } }), [{ frame: base }], createRng(1), 5)).toEqual([]);
    expect(packetsForRule(ir, rule('any'), [], createRng(1), 5)).toEqual([]);
  });
});
