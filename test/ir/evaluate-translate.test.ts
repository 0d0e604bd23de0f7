/**
 * Translations, route-to and fragments in the IR evaluator: rewritten frames read back
 * with describePacket (addresses, ports, checksums valid), pf's port choice reported as
 * a range, match-rule translations seen by later rules, failures dropping the packet,
 * and fragments matched on IP criteria only and never translated.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateIr, type IrIpVerdict, type IrPacket } from '../../src/ir/evaluate.js';
import { pfChecksumFixup } from '../../src/ir/eval-translate.js';
import type { IrAddress, IrRule, IrTranslation, PolicyIR } from '../../src/ir/types.js';
import { irProblems } from '../../src/ir/validate.js';
import { buildFrame } from '../../src/packet/build-frame.js';
import { describePacket } from '../../src/packet/describe.js';
import { irWith, rule } from './fixtures.js';
import { icmp4, icmp6, tcp4, tcp6, udp4, udp4NoChecksum, udp6 } from './frames.js';

const out = (bytes: Uint8Array, over: Partial<IrPacket> = {}): IrPacket => ({ bytes, ifindex: 2, direction: 'out', interface: 'uplink', ...over });
const UPLINK = { interfaceAddresses: { uplink: ['192.0.2.10/24', '2001:db8:ffff::10'] } };

function run(ir: PolicyIR, packet: IrPacket, options: Parameters<typeof evaluateIr>[2] = UPLINK): IrIpVerdict {
  expect(irProblems(ir)).toEqual([]);
  const v = evaluateIr(ir, packet, options);
  if (v.action === 'notIp' || v.action === 'held') throw new Error(`not filtered: ${v.action}`);
  return v;
}

const natRule = (t: IrTranslation, extra: Partial<IrRule> = {}): IrRule => rule('nat#1', { direction: 'out', translations: [t], keepState: true, ...extra });
const cidr = (c: string): IrAddress => ({ kind: 'cidr', cidr: c });

/** Every checksum the frame has is right. */
function checksumsValid(bytes: Uint8Array): void {
  const d = describePacket(bytes);
  if (d.ipv4) expect(d.ipv4.checksumValid).toBe(true);
  for (const l4 of [d.tcp, d.udp, d.icmp, d.icmpv6]) if (l4 && l4.checksumValid !== undefined) expect(l4.checksumValid).toBe(true);
}

describe('nat', () => {
  it('rewrites the source to the interface address, the port to the lowest of the range, and reports the range', () => {
    const ir = irWith([natRule({ kind: 'nat', to: { kind: 'interface', interface: 'uplink' }, ports: { from: 40000, to: 40999 } })]);
    const v = run(ir, out(tcp4('10.0.0.5', '93.184.216.34', 12345, 443)));
    expect(v.action).toBe('pass');
    expect(v.translations).toEqual([{ kind: 'nat', rule: 'nat#1', field: 'source', from: { address: '10.0.0.5', port: 12345 }, to: { address: '192.0.2.10', port: 40000 }, portRange: { from: 40000, to: 40999 } }]);
    const d = describePacket(v.bytes);
    expect(d.ipv4).toMatchObject({ src: '192.0.2.10', dst: '93.184.216.34' });
    expect(d.tcp).toMatchObject({ sport: 40000, dport: 443 });
    checksumsValid(v.bytes);
  });

  it('without ports uses pf\'s proxy range 50001-65535', () => {
    const v = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(udp4('10.0.0.5', '8.8.8.8', 5353, 53)));
    expect(v.translations[0]).toMatchObject({ to: { address: '192.0.2.99', port: 50001 }, portRange: { from: 50001, to: 65535 } });
    checksumsValid(v.bytes);
  });

  it('a one-port range is that port, with no range to report', () => {
    const v = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99'), ports: { from: 2000, to: 2000 } })]), out(udp4('10.0.0.5', '8.8.8.8', 5353, 53)));
    expect(v.translations[0].to.port).toBe(2000);
    expect(v.translations[0].portRange).toBeUndefined();
  });

  it('takes a table pool\'s lowest plain entry and a family value as written', () => {
    const base = irWith([natRule({ kind: 'nat', to: { kind: 'set', set: 'pool' } })]);
    const ir: PolicyIR = { ...base, sets: [...base.sets, { name: 'pool', scope: { kind: 'global' }, source: { map: 'pool', keyField: 'a', inner: false }, element: 'ipv4', valueCondition: null, contents: ['198.51.100.64/26', '!198.51.100.64', '198.51.100.8'] }] };
    expect(run(ir, out(tcp4('10.0.0.5', '1.1.1.1', 1, 2))).translations[0].to.address).toBe('198.51.100.8');
    const fam = irWith([natRule({ kind: 'nat', to: { kind: 'familyValue', field: 'gw' } }, { scope: { kind: 'family', family: 'coppice' }, interface: 'taps' })]);
    expect(run(fam, out(tcp4('10.0.0.5', '1.1.1.1', 1, 2), { ifindex: 7, interface: 'taps' })).translations[0].to.address).toBe('10.77.0.1');
  });

  it('leaves a UDP checksum of zero (none) at zero, and fixes ICMP\'s IP header only', () => {
    const v = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(udp4NoChecksum('10.0.0.5', '8.8.8.8', 5353, 53)));
    expect(describePacket(v.bytes).udp).toMatchObject({ checksum: 0, sport: 50001 });
    const ping = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(icmp4('10.0.0.5', '8.8.8.8', 8, 0)));
    expect(describePacket(ping.bytes).ipv4?.src).toBe('192.0.2.99');
    expect(ping.translations[0].to.port).toBeUndefined();
    checksumsValid(ping.bytes);
  });

  it('IPv6: TCP, UDP and ICMPv6 checksums cover the new address', () => {
    const ir = irWith([natRule({ kind: 'nat', to: { kind: 'interface', interface: 'uplink' } })]);
    for (const frame of [tcp6('2001:db8::5', '2001:db8:1::1', 1000, 443), udp6('2001:db8::5', '2001:db8:1::1', 1000, 53), icmp6('2001:db8::5', '2001:db8:1::1', 128)]) {
      const v = run(ir, out(frame));
      expect(describePacket(v.bytes).ipv6?.src).toBe('2001:db8:ffff::10');
      checksumsValid(v.bytes);
    }
  });

  it('keeps a wrong checksum wrong (pf fixes incrementally)', () => {
    const bad = buildFrame({ kind: 'ethernet', body: { kind: 'ipv4', src: '10.0.0.5', dst: '1.1.1.1', payload: { kind: 'tcp', sport: 1, dport: 2, flags: 2, checksum: 'corrupt' } } });
    const v = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(bad));
    expect(describePacket(v.bytes).tcp?.checksumValid).toBe(false);
    expect(describePacket(v.bytes).ipv4?.checksumValid).toBe(true);
  });

  it('an address of the other family, or none at all, drops the packet', () => {
    const noAddr = run(irWith([natRule({ kind: 'nat', to: { kind: 'interface', interface: 'mgmt' } })]), out(tcp4('10.0.0.5', '1.1.1.1', 1, 2)));
    expect(noAddr).toMatchObject({ action: 'block', rule: 'nat#1', reason: 'translation', translations: [] });
    const v4pool = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(tcp6('2001:db8::5', '2001:db8::6', 1, 2)));
    expect(v4pool).toMatchObject({ action: 'block', reason: 'translation' });
  });
});

describe('rdr and binat', () => {
  it('rdr rewrites the destination and, when given, its port', () => {
    const ir = irWith([rule('rdr#1', { match: { proto: [6], dstPort: { op: 'eq', port: 8080 } }, translations: [{ kind: 'rdr', to: cidr('10.77.0.7'), port: 80 }], keepState: true })]);
    const v = run(ir, { bytes: tcp4('203.0.113.9', '192.0.2.10', 5555, 8080), ifindex: 2, direction: 'in', interface: 'uplink' });
    expect(describePacket(v.bytes).ipv4).toMatchObject({ src: '203.0.113.9', dst: '10.77.0.7' });
    expect(describePacket(v.bytes).tcp).toMatchObject({ sport: 5555, dport: 80 });
    checksumsValid(v.bytes);
    const keep = irWith([rule('rdr#1', { translations: [{ kind: 'rdr', to: cidr('10.77.0.7') }], keepState: true })]);
    expect(describePacket(run(keep, { bytes: tcp4('1.1.1.1', '192.0.2.10', 1, 8080), ifindex: 2, direction: 'in', interface: 'uplink' }).bytes).tcp?.dport).toBe(8080);
  });

  it('binat maps the host bits: the source going out, the destination coming in', () => {
    const outRule = irWith([natRule({ kind: 'binat', to: cidr('192.0.2.0/24') })]);
    const o = run(outRule, out(udp4('10.0.0.5', '1.1.1.1', 7, 8)));
    expect(describePacket(o.bytes).ipv4?.src).toBe('192.0.2.5');
    expect(describePacket(o.bytes).udp?.sport).toBe(7);
    checksumsValid(o.bytes);
    const inRule = irWith([rule('bin#1', { translations: [{ kind: 'binat', to: cidr('10.0.0.0/24') }], keepState: true })]);
    const i = run(inRule, { bytes: udp4('1.1.1.1', '192.0.2.5', 8, 7), ifindex: 2, direction: 'in', interface: 'uplink' });
    expect(i.translations[0]).toMatchObject({ field: 'destination', from: { address: '192.0.2.5' }, to: { address: '10.0.0.5' } });
    checksumsValid(i.bytes);
  });
});

describe('when translations apply', () => {
  it('a match rule\'s translation is seen by later rules; a pass rule\'s criteria see the original', () => {
    const seen = irWith([
      rule('m#1', { action: 'match', quick: false, direction: 'out', translations: [{ kind: 'nat', to: cidr('192.0.2.99') }] }),
      rule('p#2', { direction: 'out', match: { src: { address: cidr('192.0.2.99'), negate: false } } }),
    ]);
    const v = run(seen, out(tcp4('10.0.0.5', '1.1.1.1', 1, 2)));
    expect(v).toMatchObject({ action: 'pass', rule: 'p#2', matched: ['m#1', 'p#2'] });
    expect(v.translations.map((t) => t.rule)).toEqual(['m#1']);
    const own = irWith([rule('p#1', { direction: 'out', match: { src: { address: cidr('10.0.0.0/8'), negate: false } }, translations: [{ kind: 'nat', to: cidr('192.0.2.99') }], keepState: true })]);
    expect(run(own, out(tcp4('10.0.0.5', '1.1.1.1', 1, 2))).translations).toHaveLength(1);
  });

  it('an overridden non-quick pass rule translates nothing; a block verdict keeps the original bytes', () => {
    const frame = tcp4('10.0.0.5', '1.1.1.1', 1, 2);
    const ir = irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') }, { quick: false }), rule('p#2', { direction: 'out', quick: false })]);
    const v = run(ir, out(frame));
    expect(v).toMatchObject({ action: 'pass', rule: 'p#2', translations: [] });
    expect(v.bytes).toEqual(frame);
    const blocked = irWith([rule('m#1', { action: 'match', quick: false, direction: 'out', translations: [{ kind: 'nat', to: cidr('192.0.2.99') }] }), rule('b#2', { action: 'block', direction: 'out', provenance: [] })]);
    expect(run(blocked, out(frame))).toMatchObject({ action: 'block', translations: [], bytes: frame });
  });

  it('nomatch carries the match rules\' translations', () => {
    const ir = irWith([rule('m#1', { action: 'match', quick: false, direction: 'out', translations: [{ kind: 'nat', to: cidr('192.0.2.99') }] })]);
    const v = run(ir, out(tcp4('10.0.0.5', '1.1.1.1', 1, 2)));
    expect(v.action).toBe('nomatch');
    expect(describePacket(v.bytes).ipv4?.src).toBe('192.0.2.99');
  });
});

describe('route-to', () => {
  it('names the interface, its ifindex when it has one, and the next hop', () => {
    const ir = irWith([rule('r#1', { routeTo: { interface: { kind: 'interface', name: 'mgmt' }, nexthop: '198.51.100.1' } })]);
    expect(run(ir, { bytes: tcp4('1.1.1.1', '2.2.2.2', 1, 2), ifindex: 2, direction: 'in', interface: 'uplink' }).route).toEqual({ interface: 'mgmt', ifindex: 3, nexthop: '198.51.100.1' });
    const group = irWith([rule('r#1', { routeTo: { interface: { kind: 'interface', name: 'taps' } } })]);
    expect(run(group, { bytes: tcp4('1.1.1.1', '2.2.2.2', 1, 2), ifindex: 2, direction: 'in', interface: 'uplink' }).route).toEqual({ interface: 'taps' });
  });
});

describe('fragments', () => {
  const first = udp4('10.0.0.5', '10.0.0.6', 1000, 53, { mf: true });
  const later = udp4('10.0.0.5', '10.0.0.6', 1000, 53, { fragOffset: 100 });
  const whole = udp4('10.0.0.5', '10.0.0.6', 1000, 53);
  const inUplink = (bytes: Uint8Array): IrPacket => ({ bytes, ifindex: 2, direction: 'in', interface: 'uplink' });

  it('match only rules without ports, flags or ICMP types, first fragments included', () => {
    const ports = irWith([rule('r#1', { match: { proto: [17], dstPort: { op: 'eq', port: 53 } } })]);
    expect(run(ports, inUplink(whole)).action).toBe('pass');
    expect(run(ports, inUplink(first))).toMatchObject({ action: 'nomatch', fragment: true });
    expect(run(ports, inUplink(later)).action).toBe('nomatch');
    const proto = irWith([rule('r#1', { match: { proto: [17] } })]);
    expect(run(proto, inUplink(first)).action).toBe('pass');
    expect(run(proto, inUplink(later)).action).toBe('pass');
  });

  it('the fragment criterion selects fragments or whole packets', () => {
    const only = irWith([rule('r#1', { match: { fragment: true } })]);
    const never = irWith([rule('r#1', { match: { fragment: false } })]);
    expect(run(only, inUplink(later)).action).toBe('pass');
    expect(run(only, inUplink(whole)).action).toBe('nomatch');
    expect(run(never, inUplink(later)).action).toBe('nomatch');
    expect(run(never, inUplink(whole)).action).toBe('pass');
  });

  it('are not translated', () => {
    const v = run(irWith([natRule({ kind: 'nat', to: cidr('192.0.2.99') })]), out(later));
    expect(v).toMatchObject({ action: 'pass', translations: [] });
    expect(v.bytes).toEqual(later);
  });

  it('with reassembly every fragment is held, and whole packets are filtered as without it', () => {
    const base = irWith([rule('r#1', { match: { proto: [17], dstPort: { op: 'eq', port: 53 } } })]);
    const ir: PolicyIR = { ...base, state: { ...base.state, reassemble: true } };
    expect(irProblems(ir)).toEqual([]);
    for (const f of [first, later]) expect(evaluateIr(ir, inUplink(f))).toEqual({ action: 'held' });
    expect(run(ir, inUplink(whole))).toMatchObject({ action: 'pass', rule: 'r#1', fragment: false });
    const frag6 = udp6('2001:db8::1', '2001:db8::2', 1000, 53, { extensions: [{ kind: 'fragment', offset: 0, more: true }] });
    expect(evaluateIr(ir, inUplink(frag6))).toEqual({ action: 'held' });
  });

  it('IPv6: a fragment header with an offset or M is a fragment, an atomic one is not', () => {
    const ports = irWith([rule('r#1', { match: { proto: [17], dstPort: { op: 'eq', port: 53 } } })]);
    const frag = udp6('2001:db8::1', '2001:db8::2', 1000, 53, { extensions: [{ kind: 'fragment', offset: 0, more: true }] });
    const atomic = udp6('2001:db8::1', '2001:db8::2', 1000, 53, { extensions: [{ kind: 'fragment', offset: 0, more: false }] });
    expect(run(ports, inUplink(frag))).toMatchObject({ action: 'nomatch', fragment: true });
    expect(run(ports, inUplink(atomic))).toMatchObject({ action: 'pass', fragment: false });
  });
});

describe('checksums after any translation', () => {
  it('pf_cksum_fixup keeps the ones\' complement sum', () => {
    // One word 0x1234 -> 0xabcd in data whose checksum is 0x0000 / 0xffff / arbitrary.
    expect(pfChecksumFixup(0, 0, 0, true)).toBe(0);
    expect(pfChecksumFixup(0x1000, 0x0001, 0x0001, false)).toBe(0x1000);
    expect(pfChecksumFixup(0x0001, 0x0001, 0x0002, true)).toBe(0xffff);
  });

  it('are valid for random packets, translations and targets (property)', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.${a}.${b}.7`);
    const v6 = fc.nat(0xffff).map((a) => `2001:db8::${a.toString(16)}`);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom('tcp', 'udp', 'icmp'),
        fc.constantFrom<IrTranslation['kind']>('nat', 'rdr', 'binat'),
        fc.nat(65535),
        fc.nat(65535),
        v4,
        v4,
        v6,
        v6,
        (six, l4, kind, sport, dport, a4, b4, a6, b6) => {
          const [src, dst, to] = six ? [a6, b6, '2001:db8:ffff::/112'] : [a4, b4, '192.0.2.0/24'];
          const frame =
            l4 === 'tcp' ? (six ? tcp6 : tcp4)(src, dst, sport, dport) : l4 === 'udp' ? (six ? udp6 : udp4)(src, dst, sport, dport) : six ? icmp6(src, dst, 128) : icmp4(src, dst, 8, 0);
          const t: IrTranslation = kind === 'nat' ? { kind, to: cidr(to), ports: { from: 1024, to: 2047 } } : kind === 'rdr' ? { kind, to: cidr(to), port: 8443 } : { kind, to: cidr(to) };
          const v = run(irWith([natRule(t)]), out(frame));
          expect(v.translations).toHaveLength(1);
          checksumsValid(v.bytes);
          const d = describePacket(v.bytes);
          const ipHdr = d.ipv4 ?? d.ipv6;
          expect(kind === 'rdr' ? ipHdr?.dst : ipHdr?.src).toBe(v.translations[0].to.address);
        },
      ),
      { numRuns: 300 },
    );
  });
});
