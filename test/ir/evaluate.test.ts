/**
 * The IR evaluator on hand-built IRs and frames: rule order and quick, match rules, tags,
 * tables with negation, families chosen by ifindex, family values and port lists, and
 * what does not reach rules at all (non-IP, malformed, short).
 */
import { describe, expect, it } from 'vitest';
import { evaluateIr, type IrIpVerdict, type IrPacket, type IrVerdict } from '../../src/ir/evaluate.js';
import type { IrRule, IrSet, PolicyIR } from '../../src/ir/types.js';
import { irProblems } from '../../src/ir/validate.js';
import { buildFrame } from '../../src/packet/build-frame.js';
import { TCP_ACK, TCP_SYN } from '../../src/packet/frame-spec.js';
import { fullIr, irWith, rule } from './fixtures.js';
import { icmp4, icmp6, tcp4, tcp6, udp4 } from './frames.js';

const on = (bytes: Uint8Array, over: Partial<IrPacket> = {}): IrPacket => ({ bytes, ifindex: 2, direction: 'in', interface: 'uplink', ...over });

function ip(v: IrVerdict): IrIpVerdict {
  if (v.action === 'notIp' || v.action === 'held') throw new Error(`expected an IP verdict, not ${v.action}`);
  return v;
}

/** Evaluates after checking the IR is valid: every test IR must be one the validator accepts. */
function run(ir: PolicyIR, packet: IrPacket, options: Parameters<typeof evaluateIr>[2] = {}): IrIpVerdict {
  expect(irProblems(ir)).toEqual([]);
  return ip(evaluateIr(ir, packet, options));
}

const setOf = (name: string, contents: string[], element: IrSet['element'] = 'ipv4'): IrSet => ({
  name,
  scope: { kind: 'global' },
  source: { map: name, keyField: 'addr', inner: false },
  element,
  valueCondition: null,
  contents,
});

const withSets = (rules: IrRule[], sets: IrSet[]): PolicyIR => {
  const base = irWith(rules);
  return { ...base, sets: [...base.sets, ...sets] };
};

describe('evaluateIr: what never reaches the rules', () => {
  it('non-IP frames are notIp', () => {
    const arp = buildFrame({ kind: 'ethernet', body: { kind: 'arp', op: 1, sha: '02:00:00:00:00:01', spa: '10.0.0.1', tpa: '10.0.0.2' } });
    expect(evaluateIr(irWith([rule('r#1')]), on(arp))).toEqual({ action: 'notIp' });
    const lldp = buildFrame({ kind: 'ethernet', body: { kind: 'raw', etherType: 0x88cc, bytes: new Uint8Array(30) } });
    expect(evaluateIr(irWith([rule('r#1')]), on(lldp)).action).toBe('notIp');
  });

  it('VLAN-tagged IP is read past the tags', () => {
    const tagged = buildFrame({ kind: 'ethernet', vlans: [{ vid: 12 }], body: { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', payload: { kind: 'udp', sport: 1, dport: 53 } } });
    expect(run(irWith([rule('r#1', { match: { proto: [17], dstPort: { op: 'eq', port: 53 } } })]), on(tagged))).toMatchObject({ action: 'pass', rule: 'r#1' });
  });

  it('malformed IP headers and short transport headers are dropped before any rule', () => {
    const ir = irWith([rule('r#1')]);
    const badIhl = buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', ihl: 4, payload: { kind: 'udp', sport: 1, dport: 2 } } });
    expect(run(ir, on(badIhl))).toMatchObject({ action: 'block', reason: 'malformed', matched: [] });
    const cut = buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', payload: { kind: 'raw', protocol: 6, bytes: new Uint8Array(12) } } });
    expect(run(ir, on(cut))).toMatchObject({ action: 'block', reason: 'short' });
    const truncated = buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', payload: { kind: 'tcp', sport: 1, dport: 2, flags: TCP_SYN } }, truncateTo: 40 });
    expect(run(ir, on(truncated))).toMatchObject({ action: 'block', reason: 'malformed' });
    const rh0 = buildFrame({ kind: 'ethernet', body: { kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ kind: 'routing' }], payload: { kind: 'udp', sport: 1, dport: 2 } } });
    expect(run(ir, on(rh0))).toMatchObject({ action: 'block', reason: 'rh0' });
  });
});

describe('evaluateIr: rule order', () => {
  const from = (cidr: string) => ({ src: { address: { kind: 'cidr' as const, cidr }, negate: false } });

  it('the first matching quick rule decides', () => {
    const ir = irWith([rule('r#1', { action: 'block', match: from('10.0.0.0/8') }), rule('r#2')]);
    expect(run(ir, on(tcp4('10.1.1.1', '192.0.2.1', 1000, 80)))).toMatchObject({ action: 'block', rule: 'r#1', matched: ['r#1'] });
    expect(run(ir, on(tcp4('172.16.0.1', '192.0.2.1', 1000, 80)))).toMatchObject({ action: 'pass', rule: 'r#2', matched: ['r#2'] });
  });

  it('without quick the last matching rule decides', () => {
    const ir = irWith([rule('r#1', { quick: false }), rule('r#2', { action: 'block', quick: false, provenance: [], match: from('10.0.0.0/8') }), rule('r#3', { quick: false, match: from('10.9.0.0/16') })]);
    expect(run(ir, on(tcp4('10.1.1.1', '192.0.2.1', 1000, 80)))).toMatchObject({ action: 'block', rule: 'r#2', matched: ['r#1', 'r#2'] });
    expect(run(ir, on(tcp4('10.9.1.1', '192.0.2.1', 1000, 80)))).toMatchObject({ action: 'pass', rule: 'r#3', matched: ['r#1', 'r#2', 'r#3'] });
    expect(run(ir, on(tcp4('172.16.0.1', '192.0.2.1', 1000, 80)))).toMatchObject({ action: 'pass', rule: 'r#1' });
  });

  it('a quick rule after non-quick matches ends the pass with its own decision', () => {
    const ir = irWith([rule('r#1', { action: 'block', quick: false, provenance: [] }), rule('r#2', { match: from('10.0.0.0/8') }), rule('r#3', { action: 'block', provenance: [] })]);
    expect(run(ir, on(tcp4('10.1.1.1', '192.0.2.1', 1, 2)))).toMatchObject({ action: 'pass', rule: 'r#2', matched: ['r#1', 'r#2'] });
    expect(run(ir, on(tcp4('11.1.1.1', '192.0.2.1', 1, 2)))).toMatchObject({ action: 'block', rule: 'r#3' });
  });

  it('no deciding rule is nomatch, and carries the fidelity of nothing', () => {
    const v = run(irWith([rule('r#1', { match: from('10.0.0.0/8') })]), on(tcp4('11.1.1.1', '192.0.2.1', 1, 2)));
    expect(v).toMatchObject({ action: 'nomatch', matched: [] });
    expect(v.rule).toBeUndefined();
    expect(v.fidelity).toBeUndefined();
  });

  it('reports the deciding rule\'s fidelity', () => {
    const approx = { level: 'approximate' as const, reason: 'L7 flag' };
    expect(run(irWith([rule('r#1', { fidelity: approx })]), on(tcp4('1.1.1.1', '2.2.2.2', 1, 2))).fidelity).toEqual(approx);
  });

  it('matches direction and interface', () => {
    const ir = irWith([rule('r#1', { direction: 'out', interface: 'mgmt' })]);
    const frame = tcp4('1.1.1.1', '2.2.2.2', 1, 2);
    expect(run(ir, on(frame)).action).toBe('nomatch');
    expect(run(ir, on(frame, { direction: 'out' })).action).toBe('nomatch');
    expect(run(ir, on(frame, { direction: 'out', interface: 'mgmt', ifindex: 3 })).action).toBe('pass');
  });
});

describe('evaluateIr: match rules and tags', () => {
  it('a match rule decides nothing but tags, and later rules see the tag', () => {
    const ir = irWith([
      rule('r#1', { action: 'match', quick: false, tag: 'SEEN', match: { proto: [6] } }),
      rule('r#2', { action: 'block', provenance: [], match: { tagged: { tag: 'SEEN', negate: true } } }),
    ]);
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'nomatch', tag: 'SEEN', matched: ['r#1'] });
    expect(run(ir, on(udp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'block', rule: 'r#2' });
  });

  it('a tag already on the packet is matched, and replaced by a later tag', () => {
    const ir = irWith([rule('r#1', { action: 'match', quick: false, tag: 'NEW', match: { tagged: { tag: 'OLD', negate: false } } }), rule('r#2', { match: { tagged: { tag: 'NEW', negate: false } } })]);
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2)), { tags: 'OLD' })).toMatchObject({ action: 'pass', rule: 'r#2', tag: 'NEW' });
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'nomatch' });
  });

  it('non-deciding pass and block rules tag too (pf sets the tag on every match)', () => {
    const ir = irWith([rule('r#1', { quick: false, tag: 'A' }), rule('r#2', { action: 'block', quick: false, provenance: [], tag: 'B', match: { proto: [17] } })]);
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'pass', tag: 'A' });
    expect(run(ir, on(udp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'block', tag: 'B' });
  });

  it('dnpipe is sticky from match rules unless the deciding rule sets one', () => {
    const ir = irWith([rule('r#1', { action: 'match', quick: false, dnpipe: 1 }), rule('r#2', { match: { proto: [6] } }), rule('r#3', { dnpipe: 1, match: { proto: [17] } })]);
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ action: 'pass', rule: 'r#2', dnpipe: 1 });
    const noPipe = irWith([rule('r#2')]);
    expect(run(noPipe, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2))).dnpipe).toBeUndefined();
  });
});

describe('evaluateIr: tables', () => {
  const ir = (negate: boolean) =>
    withSets([rule('r#1', { action: 'block', provenance: [], match: { src: { address: { kind: 'set', set: 'deny' }, negate } } })], [setOf('deny', ['10.0.0.0/8', '!10.1.0.0/16', '10.1.2.0/24'])]);

  it('longest prefix decides, a negated entry there is no match', () => {
    expect(run(ir(false), on(tcp4('10.5.5.5', '192.0.2.1', 1, 2))).action).toBe('block');
    expect(run(ir(false), on(tcp4('10.1.5.5', '192.0.2.1', 1, 2))).action).toBe('nomatch');
    expect(run(ir(false), on(tcp4('10.1.2.3', '192.0.2.1', 1, 2))).action).toBe('block');
    expect(run(ir(false), on(tcp4('11.0.0.1', '192.0.2.1', 1, 2))).action).toBe('nomatch');
  });

  it('! <table> matches what the table does not, including the other family', () => {
    expect(run(ir(true), on(tcp4('10.1.5.5', '192.0.2.1', 1, 2))).action).toBe('block');
    expect(run(ir(true), on(tcp4('10.5.5.5', '192.0.2.1', 1, 2))).action).toBe('nomatch');
    expect(run(ir(true), on(tcp6('2001:db8::1', '2001:db8::2', 1, 2))).action).toBe('block');
  });

  it('a literal prefix makes the rule single-family even when negated', () => {
    const lit = irWith([rule('r#1', { action: 'block', provenance: [], match: { src: { address: { kind: 'cidr', cidr: '10.0.0.0/8' }, negate: true } } })]);
    expect(run(lit, on(tcp4('11.0.0.1', '192.0.2.1', 1, 2))).action).toBe('block');
    expect(run(lit, on(tcp4('10.0.0.1', '192.0.2.1', 1, 2))).action).toBe('nomatch');
    expect(run(lit, on(tcp6('2001:db8::1', '2001:db8::2', 1, 2))).action).toBe('nomatch');
  });

  it('interface addresses come from the options', () => {
    const toMe = irWith([rule('r#1', { match: { dst: { address: { kind: 'interface', interface: 'uplink' }, negate: false } } })]);
    const frame = on(tcp4('1.1.1.1', '192.0.2.10', 1, 2));
    expect(run(toMe, frame, { interfaceAddresses: { uplink: ['192.0.2.10/24', '2001:db8::10'] } }).action).toBe('pass');
    expect(run(toMe, frame, { interfaceAddresses: { uplink: ['192.0.2.11'] } }).action).toBe('nomatch');
    expect(run(toMe, frame).action).toBe('nomatch');
  });
});

describe('evaluateIr: families', () => {
  const ir = fullIr();
  const sandbox = (ifindex: number, src: string, dst: string, dport: number) => on(tcp4(src, dst, 40000, dport), { ifindex, interface: 'taps' });
  const addrs = { interfaceAddresses: { uplink: ['192.0.2.10'] } };

  it('an instance is chosen by ifindex: its values, sets and port lists apply', () => {
    const v = run(ir, sandbox(7, '10.77.0.7', '93.184.216.34', 443), addrs);
    expect(v).toMatchObject({ action: 'pass', rule: 'tap_ingress#3', matched: ['tap_ingress#2', 'tap_ingress#3'], tag: 'SANDBOX', dnpipe: 7 });
    expect(v.route).toEqual({ interface: 'uplink', ifindex: 2, nexthop: '192.0.2.1' });
    // sb8 has an empty allow list and only port 53.
    expect(run(ir, sandbox(8, '10.77.0.8', '93.184.216.34', 443), addrs)).toMatchObject({ action: 'block', rule: 'tap_ingress#6', matched: ['tap_ingress#2', 'tap_ingress#6'] });
  });

  it('the family value is the instance\'s own', () => {
    // sb7's address arriving on sb8's tap is not sb8's sandbox traffic: no tag, so #3 does not apply.
    expect(run(ir, sandbox(8, '10.77.0.7', '93.184.216.34', 443), addrs)).toMatchObject({ action: 'block', rule: 'tap_ingress#6', matched: ['tap_ingress#6'] });
  });

  it('negated entries of an instance set hold, and port lists are per instance', () => {
    expect(run(ir, sandbox(7, '10.77.0.7', '10.9.1.1', 443), addrs).rule).toBe('tap_ingress#6');
    expect(run(ir, sandbox(7, '10.77.0.7', '10.8.1.1', 80), addrs).rule).toBe('tap_ingress#3');
    expect(run(ir, sandbox(7, '10.77.0.7', '10.8.1.1', 53), addrs).rule).toBe('tap_ingress#6');
  });

  it('no instance for the ifindex: family rules do not match', () => {
    expect(run(ir, sandbox(9, '10.77.0.7', '93.184.216.34', 443), addrs)).toMatchObject({ action: 'block', rule: 'tap_ingress#6', matched: ['tap_ingress#6'] });
  });

  it('routes to the instance\'s own interface', () => {
    const back = irWith([rule('f#1', { scope: { kind: 'family', family: 'coppice' }, interface: 'taps', direction: 'out', routeTo: { interface: { kind: 'familyInterface' } } })]);
    expect(run(back, on(tcp4('1.1.1.1', '10.77.0.8', 1, 2), { ifindex: 8, direction: 'out', interface: 'taps' })).route).toEqual({ interface: 'tap8', ifindex: 8, instance: 'coppice/sb8' });
  });
});

describe('evaluateIr: criteria', () => {
  it('TCP flags compare under the mask (flags S/SA)', () => {
    const ir = irWith([rule('r#1', { match: { proto: [6], tcpFlags: { set: TCP_SYN, mask: TCP_SYN | TCP_ACK } } })]);
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2, TCP_SYN))).action).toBe('pass');
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2, TCP_SYN | TCP_ACK))).action).toBe('nomatch');
    expect(run(ir, on(tcp4('1.1.1.1', '2.2.2.2', 1, 2, TCP_SYN | 0x08))).action).toBe('pass');
  });

  it('ICMP type and code, per address family', () => {
    const v4 = irWith([rule('r#1', { match: { af: 'inet', proto: [1], icmpType: { type: 8, code: 0 } } })]);
    expect(run(v4, on(icmp4('1.1.1.1', '2.2.2.2', 8, 0))).action).toBe('pass');
    expect(run(v4, on(icmp4('1.1.1.1', '2.2.2.2', 8, 1))).action).toBe('nomatch');
    expect(run(v4, on(icmp4('1.1.1.1', '2.2.2.2', 0, 0))).action).toBe('nomatch');
    expect(run(v4, on(icmp6('2001:db8::1', '2001:db8::2', 8))).action).toBe('nomatch');
    const v6 = irWith([rule('r#1', { match: { af: 'inet6', proto: [58], icmpType: { type: 128 } } })]);
    expect(run(v6, on(icmp6('2001:db8::1', '2001:db8::2', 128))).action).toBe('pass');
    expect(run(v6, on(icmp6('2001:db8::1', '2001:db8::2', 129))).action).toBe('nomatch');
  });

  it('port operators, ranges inclusive', () => {
    const cases: [IrRule['match']['dstPort'], number, boolean][] = [
      [{ op: 'ne', port: 80 }, 80, false],
      [{ op: 'lt', port: 1024 }, 1023, true],
      [{ op: 'le', port: 1024 }, 1024, true],
      [{ op: 'gt', port: 1024 }, 1024, false],
      [{ op: 'ge', port: 1024 }, 1024, true],
      [{ op: 'range', from: 6000, to: 6010 }, 6010, true],
      [{ op: 'range', from: 6000, to: 6010 }, 6011, false],
    ];
    for (const [dstPort, port, hit] of cases) {
      const ir = irWith([rule('r#1', { match: { proto: [6, 17], dstPort } })]);
      expect(run(ir, on(udp4('1.1.1.1', '2.2.2.2', 9, port))).action, JSON.stringify(dstPort)).toBe(hit ? 'pass' : 'nomatch');
    }
  });

  it('reports IP options (pf passes them only with allow-opts)', () => {
    const withRr = buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src: '1.1.1.1', dst: '2.2.2.2', options: [{ kind: 'rr', slots: 2 }], payload: { kind: 'udp', sport: 1, dport: 2 } } });
    expect(run(irWith([rule('r#1')]), on(withRr))).toMatchObject({ action: 'pass', ipOptions: true });
    expect(run(irWith([rule('r#1')]), on(udp4('1.1.1.1', '2.2.2.2', 1, 2)))).toMatchObject({ ipOptions: false });
  });
});
