import { dnsFlags, encodeDns } from '../packet/dns.js';
import type { EthernetFrameSpec, FrameSpec, IcmpSpec, Ipv4Option, Ipv4Payload, Ipv4Spec, Ipv6Extension, Ipv6Spec, L3Spec, TcpSpec, UdpSpec } from '../packet/frame-spec.js';
import { buildFrame } from '../packet/build-frame.js';
import { numberToIpv4 } from '../packet/addresses.js';
import { drawHost, drawHost6, drawMac, drawPayload, drawPort, drawTcpFlags, drawTcpOptions, drawTos, ephemeralPort } from './draw-fields.js';
import type { DrawPools } from './draw-pools.js';
import type { Rng } from './rng.js';

/**
 * Frames for any program, drawn from a state's pools: a mix of IPv4 TCP/UDP/ICMP (the
 * bulk), fragments, options, malformed headers, IPv6 with extension chains, ARP, VLAN
 * tags, truncated captures and garbage. The category travels with the frame so tests
 * can print what was generated.
 */
export type FrameCategory =
  | 'tcp' | 'udp' | 'dns' | 'icmp' | 'ipv4-other' | 'fragment' | 'ip-options' | 'ipv4-malformed'
  | 'ipv6' | 'arp' | 'vlan' | 'truncated' | 'l2-other' | 'flow-tuple';

export interface DrawnFrame {
  readonly category: FrameCategory;
  readonly spec: FrameSpec;
}

const CATEGORY_WEIGHTS: readonly (readonly [FrameCategory, number])[] = [
  ['tcp', 24], ['udp', 12], ['dns', 5], ['icmp', 9], ['ipv4-other', 3], ['fragment', 4], ['ip-options', 4],
  ['ipv4-malformed', 3], ['ipv6', 10], ['arp', 7], ['vlan', 8], ['truncated', 6], ['l2-other', 5],
];

export function drawFrame(p: DrawPools, rng: Rng): DrawnFrame {
  const category = rng.weighted(categoryWeights(p));
  return { category, spec: drawCategory(category, p, rng) };
}

/**
 * More tunnel traffic for programs that compare with IPIP, IPv6-in-IPv4 or GRE; packets
 * shaped after whole flow keys when the state has flow tables.
 */
function categoryWeights(p: DrawPools): readonly (readonly [FrameCategory, number])[] {
  const tunnels = p.constants.small.some((v) => v === 4 || v === 41 || v === 47);
  const weights = tunnels ? CATEGORY_WEIGHTS.map(([c, w]) => [c, c === 'ipv4-other' ? 15 : w] as const) : CATEGORY_WEIGHTS;
  return p.tuples.length ? [...weights, ['flow-tuple', 30]] : weights;
}

function drawCategory(category: FrameCategory, p: DrawPools, rng: Rng): FrameSpec {
  switch (category) {
    case 'tcp':
      return eth(rng, ipv4(p, rng, drawTcp(p, rng)));
    case 'udp':
      return eth(rng, ipv4(p, rng, drawUdp(p, rng)));
    case 'dns':
      return eth(rng, ipv4(p, rng, drawDns(rng)));
    case 'icmp':
      return eth(rng, ipv4(p, rng, drawIcmp(p, rng)));
    case 'ipv4-other':
      return eth(rng, drawOtherProtocol(p, rng));
    case 'fragment':
      return eth(rng, drawFragment(p, rng));
    case 'ip-options':
      return eth(rng, { ...ipv4(p, rng, drawL4(p, rng)), options: drawIpOptions(rng) });
    case 'ipv4-malformed':
      return eth(rng, drawMalformedIpv4(p, rng));
    case 'ipv6':
      return eth(rng, drawIpv6(p, rng));
    case 'arp':
      return eth(rng, drawArp(p, rng));
    case 'vlan':
      return drawVlan(p, rng);
    case 'truncated':
      return drawTruncated(p, rng);
    case 'l2-other':
      return drawOtherL2(rng);
    case 'flow-tuple':
      return eth(rng, drawFlowTuple(p, rng));
    default: {
      const never: never = category;
      return never;
    }
  }
}

export function eth(rng: Rng, body: L3Spec, extra: Partial<EthernetFrameSpec> = {}): EthernetFrameSpec {
  return { kind: 'ethernet', dst: drawMac(rng), src: drawMac(rng), body, ...extra };
}

export function ipv4(p: DrawPools, rng: Rng, payload: Ipv4Payload, src = drawHost(p, rng), dst = drawHost(p, rng)): Ipv4Spec {
  return {
    kind: 'ipv4',
    src,
    dst,
    payload,
    id: rng.int(65536),
    df: rng.chance(0.6),
    ttl: rng.weighted<number>([[64, 60], [rng.range(1, 255), 30], [1, 5], [0, 5]]),
    tos: drawTos(p, rng),
    ...(rng.chance(0.02) && { checksum: 'corrupt' as const }),
  };
}

export function drawL4(p: DrawPools, rng: Rng): Ipv4Payload {
  return rng.weighted<() => Ipv4Payload>([[() => drawTcp(p, rng), 5], [() => drawUdp(p, rng), 3], [() => drawIcmp(p, rng), 2]])();
}

export function drawTcp(p: DrawPools, rng: Rng, sport = rng.chance(0.3) ? drawPort(p, rng) : ephemeralPort(rng), dport = drawPort(p, rng)): TcpSpec {
  const flags = drawTcpFlags(p, rng);
  return {
    kind: 'tcp',
    sport,
    dport,
    flags,
    seq: rng.u32(),
    ack: flags & 0x10 ? rng.u32() : 0,
    window: rng.pick([0, 512, 29200, 64240, 65535]),
    options: drawTcpOptions(rng, (flags & 0x02) !== 0),
    payload: flags & 0x02 ? undefined : drawPayload(rng),
    ...(rng.chance(0.02) && { checksum: 'corrupt' as const }),
  };
}

export function drawUdp(p: DrawPools, rng: Rng, sport = rng.chance(0.3) ? drawPort(p, rng) : ephemeralPort(rng), dport = drawPort(p, rng)): UdpSpec {
  return {
    kind: 'udp',
    sport,
    dport,
    payload: drawPayload(rng),
    ...(rng.chance(0.05) && { checksum: 'zero' as const }),
    ...(rng.chance(0.02) && { checksum: 'corrupt' as const }),
  };
}

const DNS_NAMES: readonly string[] = ['example.com', 'www.example.com', 'api.github.com', 'pypi.org', 'badexample.com', 'a.b.c.d.e.example.net', 'WWW.EXAMPLE.COM', 'localhost'];

function drawDns(rng: Rng): UdpSpec {
  const name = rng.pick(DNS_NAMES);
  const reply = rng.chance(0.4);
  const payload = encodeDns({
    id: rng.int(65536),
    flags: dnsFlags({ qr: reply, rd: true, ra: reply }),
    questions: [{ name }],
    answers: reply ? [{ name, ttl: rng.int(86400), data: { kind: 'a', address: `93.184.216.${rng.int(256)}` } }] : [],
  });
  return reply ? { kind: 'udp', sport: 53, dport: ephemeralPort(rng), payload } : { kind: 'udp', sport: ephemeralPort(rng), dport: 53, payload };
}

export function drawIcmp(p: DrawPools, rng: Rng): IcmpSpec {
  const type = rng.weighted<number>([[8, 30], [0, 20], [3, 12], [11, 8], [5, 4], [13, 3], [4, 2], [rng.int(256), 8], ...p.constants.small.map((s) => [s, 1] as const)]);
  const code = type === 3 ? rng.pick([0, 1, 3, 4, 13]) : type === 11 ? rng.int(2) : rng.chance(0.9) ? 0 : rng.int(256);
  const error = type === 3 || type === 11 || type === 5 || type === 4;
  return {
    kind: 'icmp',
    type,
    code,
    ...(error ? { rest: type === 3 && code === 4 ? 1400 : 0 } : { id: rng.int(65536), seq: rng.int(65536) }),
    payload: error ? quotedDatagram(p, rng) : drawPayload(rng, 56),
    ...(rng.chance(0.03) && { checksum: 'corrupt' as const }),
  };
}

/** An ICMP error's quote: the offending IP header and the first 8 bytes behind it. */
function quotedDatagram(p: DrawPools, rng: Rng): Uint8Array {
  const inner = buildFrame({ kind: 'ethernet', body: ipv4(p, rng, rng.chance(0.5) ? drawUdp(p, rng) : drawTcp(p, rng)) });
  return inner.subarray(14, 14 + 28);
}

/**
 * A packet carrying one flow key's addresses and ports, in either direction (a table
 * keyed by the local end first is looked up with the source on egress and the
 * destination on ingress). A missing address is often one of the program's constants:
 * a NAT's external address, say.
 */
function drawFlowTuple(p: DrawPools, rng: Rng): Ipv4Spec {
  const t = rng.pick(p.tuples);
  const other = (): string => (p.constants.addresses.length && rng.chance(0.7) ? numberToIpv4(rng.pick(p.constants.addresses)) : drawHost(p, rng));
  const hosts = t.hosts.length >= 2 ? [t.hosts[0], t.hosts[1]] : t.hosts.length === 1 ? [t.hosts[0], other()] : [drawHost(p, rng), drawHost(p, rng)];
  const ports = t.ports.length >= 2 ? [t.ports[0], t.ports[1]] : t.ports.length === 1 ? [t.ports[0], drawPort(p, rng)] : [drawPort(p, rng), drawPort(p, rng)];
  if (rng.chance(0.5)) hosts.reverse();
  if (rng.chance(0.5)) ports.reverse();
  const proto = t.protocol === 6 || t.protocol === 17 || t.protocol === 1 ? t.protocol : rng.pick([6, 17]);
  const payload: Ipv4Payload =
    proto === 6 ? drawTcp(p, rng, ports[0], ports[1]) : proto === 17 ? drawUdp(p, rng, ports[0], ports[1]) : { kind: 'icmp', type: rng.pick([0, 8]), id: ports[0], seq: ports[1] };
  return ipv4(p, rng, payload, hosts[0], hosts[1]);
}

function drawOtherProtocol(p: DrawPools, rng: Rng): Ipv4Spec {
  const which = rng.weighted<string>([['ipip', 6], ['gre', 2], ['ipv6-in-ipv4', 1], ['other', 3]]);
  if (which === 'ipip') {
    const inner = ipv4(p, rng, drawL4(p, rng));
    // Tunnel endpoints are constants in the programs that terminate tunnels.
    const dst = p.constants.addresses.length && rng.chance(0.6) ? numberToIpv4(rng.pick(p.constants.addresses)) : drawHost(p, rng);
    const outer = ipv4(p, rng, rng.chance(0.85) ? inner : { ...inner, version: 6 }, drawHost(p, rng), dst);
    return rng.weighted<Ipv4Spec>([
      [outer, 8],
      [{ ...outer, options: [{ kind: 'nop' }] }, 1],
      // Only the outer header fits: the inner one is cut off.
      [{ ...outer, payload: { kind: 'raw', protocol: 4, bytes: rng.bytes(rng.int(20)) }, protocol: 4 }, 1],
    ]);
  }
  if (which === 'ipv6-in-ipv4') return ipv4(p, rng, drawIpv6(p, rng));
  const proto = which === 'gre' ? 47 : rng.chance(0.5) && p.constants.small.length ? rng.pick(p.constants.small) : rng.int(256);
  return { ...ipv4(p, rng, { kind: 'raw', protocol: proto, bytes: drawPayload(rng, 40) }), protocol: proto };
}

function drawFragment(p: DrawPools, rng: Rng): Ipv4Spec {
  const l4 = rng.chance(0.5) ? drawTcp(p, rng) : drawUdp(p, rng);
  if (rng.chance(0.5)) return { ...ipv4(p, rng, l4), mf: true, df: false };
  const protocol = l4.kind === 'tcp' ? 6 : 17;
  return { ...ipv4(p, rng, { kind: 'raw', protocol, bytes: rng.bytes(rng.range(8, 64)) }), protocol, fragOffset: rng.range(1, 8191), mf: rng.chance(0.5), df: false };
}

function drawIpOptions(rng: Rng): Ipv4Option[] {
  return rng.pick<Ipv4Option[]>([
    [{ kind: 'nop' }],
    [{ kind: 'ra' }],
    [{ kind: 'rr', slots: rng.range(1, 9) }],
    [{ kind: 'timestamp', slots: rng.range(1, 9) }],
    [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'eol' }],
    [{ kind: 'raw', type: 0x82, data: rng.bytes(9) }],
  ]);
}

function drawMalformedIpv4(p: DrawPools, rng: Rng): Ipv4Spec {
  const base = ipv4(p, rng, drawL4(p, rng));
  return rng.pick<Ipv4Spec>([
    { ...base, ihl: rng.int(5) },
    { ...base, ihl: 15 },
    { ...base, version: rng.pick([0, 5, 6, 15]) },
    { ...base, checksum: 'corrupt' },
    { ...base, totalLength: rng.int(20) },
    { ...base, totalLength: 65535 },
    { ...base, reservedFlag: true },
  ]);
}

export function drawIpv6(p: DrawPools, rng: Rng): Ipv6Spec {
  const exts: Ipv6Extension[] = [];
  const n = rng.weighted<number>([[0, 55], [1, 20], [2, 10], [rng.range(3, 8), 15]]);
  for (let i = 0; i < n; i++) {
    exts.push(
      rng.weighted<Ipv6Extension>([
        [{ kind: 'hop', hdrExtLen: rng.int(3) }, 3],
        [{ kind: 'dest', hdrExtLen: rng.int(3) }, 3],
        [{ kind: 'routing' }, 2],
        [{ kind: 'fragment', offset: rng.chance(0.6) ? 0 : rng.range(1, 100), more: rng.chance(0.5), id: rng.u32() }, 2],
      ]),
    );
  }
  const payload = rng.weighted<() => Ipv6Spec['payload']>([
    [() => drawTcp(p, rng), 4],
    [() => drawUdp(p, rng), 3],
    [() => ({ kind: 'icmpv6', type: rng.pick([128, 129, 1, 135, 136]), rest: rng.u32(), payload: drawPayload(rng, 32) }), 2],
    [() => ({ kind: 'raw', protocol: rng.pick([59, 47, 132, rng.int(256)]), bytes: drawPayload(rng, 32) }), 1],
  ])();
  return { kind: 'ipv6', src: drawHost6(p, rng), dst: drawHost6(p, rng), extensions: exts, payload, hopLimit: rng.pick([64, 255, 1]) };
}

function drawArp(p: DrawPools, rng: Rng): L3Spec {
  const op = rng.weighted<number>([[1, 60], [2, 30], [rng.int(5), 10]]);
  const base = { kind: 'arp' as const, op, sha: drawMac(rng), spa: rng.chance(0.1) ? '0.0.0.0' : drawHost(p, rng), tpa: drawHost(p, rng), tha: op === 2 ? drawMac(rng) : '00:00:00:00:00:00' };
  if (rng.chance(0.75)) return base;
  return rng.pick<L3Spec>([
    { ...base, htype: rng.pick([6, 0, 0x100]) },
    { ...base, ptype: rng.pick([0x86dd, 0, 0x0008]) },
    { ...base, hlen: rng.pick([0, 8, 16]) },
    { ...base, plen: rng.pick([0, 6, 16]) },
    { ...base, op: rng.pick([0, 3, 4, 0x100]) },
  ]);
}

function drawVlan(p: DrawPools, rng: Rng): EthernetFrameSpec {
  const vid = (): number => (p.constants.vids.length && rng.chance(0.6) ? rng.pick(p.constants.vids) : rng.int(4096));
  const tags = rng.weighted<EthernetFrameSpec['vlans']>([
    [[{ vid: vid(), pcp: rng.int(8) }], 60],
    [[{ tpid: 0x88a8, vid: vid() }, { vid: vid() }], 15],
    [[{ vid: vid() }, { vid: vid() }], 10],
    [[{ tpid: 0x88a8, vid: vid() }], 10],
    [[{ vid: vid(), dei: true }], 5],
  ]);
  const body = rng.weighted<() => L3Spec>([
    [() => ipv4(p, rng, drawL4(p, rng)), 5],
    [() => drawIpv6(p, rng), 2],
    [() => drawArp(p, rng), 2],
    [() => ({ kind: 'raw', etherType: rng.pick([0x88cc, 0x9000, 0x0060]), bytes: drawPayload(rng, 46) }), 1],
  ])();
  return eth(rng, body, { vlans: tags });
}

/** A normal frame cut short, never below what test_run accepts for its EtherType. */
function drawTruncated(p: DrawPools, rng: Rng): EthernetFrameSpec {
  const body = rng.weighted<() => L3Spec>([
    [() => ipv4(p, rng, drawTcp(p, rng)), 4],
    [() => ipv4(p, rng, drawUdp(p, rng)), 2],
    [() => ipv4(p, rng, drawIcmp(p, rng)), 1],
    [() => ({ ...ipv4(p, rng, drawTcp(p, rng)), options: [{ kind: 'rr' as const, slots: 4 }] }), 1],
    [() => drawIpv6(p, rng), 2],
    [() => drawArp(p, rng), 1],
  ])();
  const full = buildFrame(eth(rng, body));
  const min = body.kind === 'ipv4' ? 34 : body.kind === 'ipv6' ? 54 : 14;
  return eth(rng, body, { truncateTo: rng.range(min, Math.max(min, full.length - 1)) });
}

function drawOtherL2(rng: Rng): FrameSpec {
  return rng.weighted<() => FrameSpec>([
    // LLDP, loopback test, PPPoE discovery, MPLS
    [() => eth(rng, { kind: 'raw', etherType: rng.pick([0x88cc, 0x9000, 0x8863, 0x8847]), bytes: drawPayload(rng, 46) }), 3],
    // 802.3 length field with LLC (STP BPDU)
    [() => eth(rng, { kind: 'raw', etherType: 38, bytes: Uint8Array.from([0x42, 0x42, 0x03, ...new Array<number>(35).fill(0)]) }, { dst: '01:80:c2:00:00:00' }), 2],
    [() => eth(rng, { kind: 'raw', etherType: rng.int(65536), bytes: rng.bytes(rng.range(0, 60)) }), 2],
    [() => ({ kind: 'raw', bytes: rng.bytes(rng.range(14, 80)) }), 2],
    // A bare Ethernet header of each family the programs look at.
    [() => ({ kind: 'raw', bytes: Uint8Array.from([...rng.bytes(12), 0x08, 0x06]) }), 1],
  ])();
}
