import { formatIpv4, ipv4ToNumber, parseCidr } from '../packet/addresses.js';
import { coppiceSnatSlot } from './coppice-jhash.js';
import type { EthernetFrameSpec, Ipv4Payload, Ipv4Spec, L3Spec } from '../packet/frame-spec.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../packet/frame-spec.js';
import type { SkbContextIn } from '../vm/run-types.js';
import { ALLOW_F_L7 } from './coppice-plan.js';
import type { CoppiceView, SandboxView } from './coppice-view.js';
import { addressInside, addressOutside, type DrawPools } from './draw-pools.js';
import { drawIcmp, drawIpv6, drawTcp, drawUdp } from './draw-frame.js';
import { drawMac, ephemeralPort } from './draw-fields.js';
import { dnsQuery, drawQueryName, QUERY_SHAPES } from './dns-variants.js';
import type { Rng } from './rng.js';

/**
 * from_cube's traffic: frames a microVM sends on its TAP, for each step of SPEC.md's
 * from_cube (proxy ARP, registration, spoofing, the gateway, forwarded-port replies,
 * policy with L7 steering, the NAT path with its sessions, DNS learning). The context
 * names the TAP the frame arrives on (from_cube keys everything on skb->ifindex).
 */
export interface CoppiceDraw {
  readonly category: string;
  readonly frame: EthernetFrameSpec;
  readonly ctx?: SkbContextIn;
}

type CubeCategory =
  | 'arp' | 'non-ipv4' | 'spoofed' | 'gateway' | 'port-reply' | 'session' | 'l7' | 'allowed' | 'denied'
  | 'new-flow' | 'dns-query' | 'fragment' | 'ip-options' | 'truncated' | 'malformed';

const CUBE_WEIGHTS: readonly (readonly [CubeCategory, number])[] = [
  ['arp', 9], ['non-ipv4', 3], ['spoofed', 3], ['gateway', 9], ['port-reply', 6], ['session', 16], ['l7', 8],
  ['allowed', 8], ['denied', 8], ['new-flow', 12], ['dns-query', 12], ['fragment', 4], ['ip-options', 3], ['truncated', 3], ['malformed', 2],
];

/** `dnsFocus`: mostly DNS queries, for the tail-call stages of the query parser. */
export function drawCubeFrame(v: CoppiceView, p: DrawPools, rng: Rng, unknownTap: number, dnsFocus = false): CoppiceDraw {
  const sb = v.sandboxes.length ? rng.pick(v.sandboxes) : undefined;
  const tap = rng.weighted<number | undefined>([[sb?.tap, sb ? 85 : 0], [unknownTap, 10], [undefined, 5]]);
  const ctx: SkbContextIn | undefined = tap === undefined ? undefined : { ifindex: tap, ...(rng.chance(0.15) && { mark: rng.pick([0x10, 0xce010000, 0xffff0001, rng.u32()]) }) };
  const category = dnsFocus && rng.chance(0.7) ? 'dns-query' : rng.weighted(CUBE_WEIGHTS);
  const frame = cubeFrame(category, v, sb, p, rng);
  return { category, frame, ...(ctx && { ctx }) };
}

/** A frame from inside the VM: its MAC to the gateway's, its inner address as source. */
function fromVm(v: CoppiceView, rng: Rng, body: L3Spec): EthernetFrameSpec {
  return { kind: 'ethernet', src: v.config.mvmMac, dst: rng.chance(0.9) ? v.config.gatewayMac : drawMac(rng), body };
}

function ip(v: CoppiceView, rng: Rng, dst: string, payload: Ipv4Payload, extra: Partial<Ipv4Spec> = {}): Ipv4Spec {
  return { kind: 'ipv4', src: v.config.innerIp, dst, payload, id: rng.int(65536), df: rng.chance(0.7), ttl: 64, ...extra };
}

function cubeFrame(category: CubeCategory, v: CoppiceView, sb: SandboxView | undefined, p: DrawPools, rng: Rng): EthernetFrameSpec {
  const c = v.config;
  switch (category) {
    case 'arp': {
      const tpa = rng.weighted<string>([[c.gatewayIp, 60], [c.innerIp, 15], ['169.254.68.1', 10], [formatIpv4(rng.bytes(4)), 15]]);
      const arp = { kind: 'arp' as const, op: 1, sha: c.mvmMac, spa: rng.chance(0.9) ? c.innerIp : '0.0.0.0', tpa };
      const variant = rng.weighted<L3Spec>([
        [arp, 70],
        [{ ...arp, op: 2, tha: c.gatewayMac }, 8],
        [{ ...arp, htype: 6 }, 4],
        [{ ...arp, ptype: 0x86dd }, 4],
        [{ ...arp, hlen: 8 }, 4],
        [{ ...arp, plen: 6 }, 4],
        [{ ...arp, op: rng.pick([0, 3, 0x0100]) }, 4],
      ]);
      const frame = { ...fromVm(v, rng, variant), dst: rng.chance(0.8) ? 'ff:ff:ff:ff:ff:ff' : c.gatewayMac };
      // A runt ARP: the header check must fail, not read past the end.
      return rng.chance(0.06) ? { ...frame, truncateTo: rng.range(14, 41) } : frame;
    }
    case 'non-ipv4':
      return rng.weighted<() => EthernetFrameSpec>([
        [() => fromVm(v, rng, drawIpv6(p, rng)), 3],
        // Tagged IPv4: from_cube does not look behind a VLAN tag.
        [() => ({ ...fromVm(v, rng, ip(v, rng, '1.1.1.1', tcpTo(rng, 443, TCP_SYN))), vlans: [{ vid: rng.pick([10, 20, 100]) }] }), 2],
        [() => fromVm(v, rng, { kind: 'raw', etherType: rng.pick([0x88cc, 0x0842, 0x9000, 46]), bytes: rng.bytes(46) }), 2],
      ])();
    case 'spoofed':
      return fromVm(v, rng, { ...ip(v, rng, '1.1.1.1', drawTcp(p, rng)), src: rng.pick([sb?.hostIp ?? '100.96.0.11', '169.254.68.7', formatIpv4(rng.bytes(4))]) });
    case 'gateway': {
      const payload = rng.weighted<() => Ipv4Payload>([
        [() => ({ kind: 'icmp', type: rng.pick([8, 8, 8, 0, 3, 13]), id: rng.int(65536), seq: rng.int(100), payload: rng.bytes(32) }), 4],
        [() => tcpTo(rng, rng.pick([80, 443, 22, 15000]), rng.pick([TCP_SYN, TCP_ACK, TCP_SYN | TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST, TCP_SYN | TCP_RST])), 5],
        [() => drawUdp(p, rng, ephemeralPort(rng), rng.pick([53, 123, 5000])), 2],
        [() => ({ kind: 'raw', protocol: 47, bytes: rng.bytes(24) }), 1],
      ])();
      return fromVm(v, rng, ip(v, rng, c.gatewayIp, payload, rng.chance(0.1) ? { options: [{ kind: 'ra' }] } : {}));
    }
    case 'port-reply': {
      const listen = sb ? v.localPorts.filter((l) => l.tap === sb.tap) : [];
      const sport = listen.length && rng.chance(0.85) ? rng.pick(listen).listenPort : rng.pick([80, 22, 8000]);
      const dst = formatIpv4(rng.bytes(4));
      const l4 = rng.chance(0.85) ? tcpFrom(rng, sport, ephemeralPort(rng), rng.pick([TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST])) : drawUdp(p, rng, sport, ephemeralPort(rng));
      return fromVm(v, rng, ip(v, rng, dst, l4, rng.chance(0.1) ? { mf: true, df: false } : {}));
    }
    case 'session': {
      const mine = v.egress.filter((s) => sb && s.vmIfindex === sb.tap);
      if (!mine.length) return cubeFrame('new-flow', v, sb, p, rng);
      const s = rng.pick(mine);
      let payload: Ipv4Payload;
      if (s.protocol === 6) payload = tcpFrom(rng, s.srcPort, s.dstPort, rng.pick([TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_FIN, TCP_RST, TCP_RST | TCP_ACK, TCP_SYN | TCP_ACK]));
      else if (s.protocol === 17) payload = drawUdp(p, rng, s.srcPort, s.dstPort);
      else payload = { kind: 'icmp', type: 8, id: s.srcPort, seq: rng.int(1000), payload: rng.bytes(32) };
      return fromVm(v, rng, ip(v, rng, s.dstIp, payload));
    }
    case 'l7':
    case 'allowed': {
      const want = category === 'l7';
      const entries = sb ? sb.allow.filter((a) => ((a.flags & ALLOW_F_L7) !== 0) === want) : [];
      if (!entries.length) return cubeFrame('new-flow', v, sb, p, rng);
      const a = rng.pick(entries);
      const dst = formatIpv4(addressInside(prefixOf(a.base, a.prefixLength), rng.bytes(4)));
      const payload = rng.weighted<() => Ipv4Payload>([
        [() => tcpTo(rng, rng.pick([80, 443]), rng.pick([TCP_SYN, TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK])), want ? 6 : 3],
        [() => tcpTo(rng, rng.pick([8080, 22, 25]), rng.pick([TCP_SYN, TCP_ACK])), 3],
        [() => drawUdp(p, rng, ephemeralPort(rng), rng.pick([53, 443, 123])), 2],
        [() => drawIcmp(p, rng), 2],
      ])();
      return fromVm(v, rng, ip(v, rng, dst, payload, rng.chance(0.08) ? { mf: true, df: false } : {}));
    }
    case 'denied': {
      const entries = sb?.deny ?? [];
      const d = entries.length ? rng.pick(entries) : { base: '10.0.0.0', prefixLength: 8 };
      const inside = addressInside(prefixOf(d.base, d.prefixLength), rng.bytes(4));
      const edge = rng.chance(0.2) ? addressOutside(prefixOf(d.base, d.prefixLength), rng.bytes(4)) : undefined;
      const dst = formatIpv4(edge ?? inside);
      return fromVm(v, rng, ip(v, rng, dst, rng.chance(0.6) ? tcpTo(rng, 443, TCP_SYN) : drawUdp(p, rng)));
    }
    case 'new-flow': {
      // Remotes whose reverse entries already hold ports on this sandbox's SNAT slot:
      // allocation collides there (and gives up after ten tries when all are taken).
      const slotIp = sb && v.snatPool.length ? v.snatPool[coppiceSnatSlot(ipv4ToNumber(sb.hostIp), v.snatPool.length)] : undefined;
      const taken = v.ingress.filter((r) => r.dstIp === slotIp && r.protocol !== 1 && !v.egress.some((e) => e.nodeIp === r.dstIp && e.nodePort === r.dstPort));
      if (taken.length && rng.chance(0.3)) {
        const r = rng.pick(taken);
        return fromVm(v, rng, ip(v, rng, r.srcIp, r.protocol === 6 ? tcpTo(rng, r.srcPort, TCP_SYN) : drawUdp(p, rng, ephemeralPort(rng), r.srcPort)));
      }
      const remote = rng.weighted<() => [string, number]>([
        [() => [formatIpv4(rng.bytes(4)), rng.pick([80, 443, 53, 123, 22, 8443])], 6],
        [() => { const r = rng.pick(v.ingress); return [r.srcIp, r.srcPort]; }, v.ingress.length ? 3 : 0],
      ])();
      const [dst, dport] = remote;
      const payload = rng.weighted<() => Ipv4Payload>([
        [() => tcpTo(rng, dport, TCP_SYN), 6],
        [() => tcpTo(rng, dport, rng.pick([TCP_ACK, TCP_SYN | TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH | TCP_ACK])), 2],
        [() => drawUdp(p, rng, ephemeralPort(rng), dport), 4],
        [() => ({ kind: 'icmp', type: rng.weighted<number>([[8, 8], [0, 1], [3, 1], [13, 1]]), id: rng.int(65536), seq: rng.int(100), payload: rng.bytes(16) }), 3],
        [() => ({ kind: 'raw', protocol: rng.pick([47, 50, 132]), bytes: rng.bytes(24) }), 1],
      ])();
      return fromVm(v, rng, ip(v, rng, dst, payload));
    }
    case 'dns-query': {
      const sessions = v.egress.filter((s) => sb && s.vmIfindex === sb.tap && s.protocol === 17 && s.dstPort === 53);
      const s = sessions.length && rng.chance(0.5) ? rng.pick(sessions) : undefined;
      const resolver = s?.dstIp ?? rng.pick(['8.8.8.8', '1.1.1.1', '9.9.9.9', c.gatewayIp]);
      const sport = s?.srcPort ?? ephemeralPort(rng);
      const name = drawQueryName(sb?.domains ?? [], rng);
      const payload = dnsQuery(name, rng.chance(0.3) ? 0x1234 : rng.int(65536), rng.weighted(QUERY_SHAPES), rng);
      return fromVm(v, rng, ip(v, rng, resolver, { kind: 'udp', sport, dport: 53, payload, ...(rng.chance(0.05) && { checksum: 'zero' as const }) }));
    }
    case 'fragment': {
      const dst = sb?.allow.length && rng.chance(0.5) ? rng.pick(sb.allow).base : formatIpv4(rng.bytes(4));
      if (rng.chance(0.5)) return fromVm(v, rng, ip(v, rng, dst, tcpTo(rng, rng.pick([80, 443]), TCP_SYN), { mf: true, df: false }));
      return fromVm(v, rng, ip(v, rng, dst, { kind: 'raw', protocol: rng.pick([6, 17, 1]), bytes: rng.bytes(24) }, { fragOffset: rng.range(1, 200), mf: rng.chance(0.5), df: false }));
    }
    case 'ip-options': {
      const base = cubeFrame(rng.pick(['session', 'new-flow', 'l7', 'dns-query'] as const), v, sb, p, rng);
      if (base.body.kind !== 'ipv4') return base;
      return { ...base, body: { ...base.body, options: rng.pick([[{ kind: 'nop' as const }], [{ kind: 'rr' as const, slots: 3 }], [{ kind: 'ra' as const }]]) } };
    }
    case 'truncated': {
      const base = cubeFrame(rng.pick(['session', 'new-flow', 'gateway', 'dns-query'] as const), v, sb, p, rng);
      return { ...base, truncateTo: rng.weighted<number>([[34, 3], [rng.range(35, 41), 4], [rng.range(42, 60), 3]]) };
    }
    case 'malformed': {
      const body = ip(v, rng, formatIpv4(rng.bytes(4)), drawTcp(p, rng));
      return fromVm(v, rng, rng.pick<Ipv4Spec>([{ ...body, ihl: rng.int(5) }, { ...body, version: 6 }, { ...body, checksum: 'corrupt' }]));
    }
    default: {
      const never: never = category;
      return never;
    }
  }
}

export function tcpTo(rng: Rng, dport: number, flags: number): Ipv4Payload {
  return tcpFrom(rng, ephemeralPort(rng), dport, flags);
}

export function tcpFrom(rng: Rng, sport: number, dport: number, flags: number): Ipv4Payload {
  return {
    kind: 'tcp',
    sport,
    dport,
    flags,
    seq: rng.u32(),
    ack: flags & TCP_ACK ? rng.u32() : 0,
    options: flags & TCP_SYN ? [{ kind: 'mss', value: 1460 }, { kind: 'sackPermitted' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] : [],
    payload: flags & (TCP_SYN | TCP_FIN | TCP_RST) ? undefined : rng.bytes(rng.pick([0, 1, 64, 512])),
  };
}

function prefixOf(base: string, prefixLength: number): { address: Uint8Array; prefixLength: number } {
  return { address: parseCidr(base).address, prefixLength };
}

