import { formatIpv4 } from '../packet/addresses.js';
import type { EthernetFrameSpec, Ipv4Payload, Ipv4Spec, L3Spec } from '../packet/frame-spec.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../packet/frame-spec.js';
import type { CoppiceDraw } from './coppice-cube-packets.js';
import { tcpFrom } from './coppice-cube-packets.js';
import type { CoppiceView, SessionView } from './coppice-view.js';
import type { DrawPools } from './draw-pools.js';
import { drawIcmp, drawIpv6, drawTcp, drawUdp } from './draw-frame.js';
import { drawMac, ephemeralPort } from './draw-fields.js';
import { ANSWER_SHAPES, dnsAnswer, drawQueryName } from './dns-variants.js';
import type { Rng } from './rng.js';

/**
 * from_world's traffic (frames arriving on the host NIC: forwarded ports, replies to
 * sandbox flows in every TCP state, DNS answers to the queries from_cube recorded,
 * strays that belong to the host) and from_envoy's (frames the host sends a sandbox
 * through cube-dev).
 */
type WorldCategory = 'port-forward' | 'reply' | 'dns-answer' | 'miss' | 'icmp-other' | 'fragment' | 'non-ipv4' | 'ip-options' | 'truncated' | 'malformed';

const WORLD_WEIGHTS: readonly (readonly [WorldCategory, number])[] = [
  ['port-forward', 14], ['reply', 32], ['dns-answer', 16], ['miss', 12], ['icmp-other', 4], ['fragment', 5], ['non-ipv4', 5], ['ip-options', 4], ['truncated', 5], ['malformed', 3],
];

/** `dnsFocus`: mostly DNS answers, for the tail-call stages of the answer parser. */
export function drawWorldFrame(v: CoppiceView, p: DrawPools, rng: Rng, dnsFocus = false): CoppiceDraw {
  const category = dnsFocus && rng.chance(0.7) ? 'dns-answer' : rng.weighted(WORLD_WEIGHTS);
  return { category, frame: worldFrame(category, v, p, rng) };
}

function fromNet(v: CoppiceView, rng: Rng, body: L3Spec): EthernetFrameSpec {
  return { kind: 'ethernet', src: v.config.nodegwMac, dst: rng.chance(0.9) ? v.config.nodenicMac : drawMac(rng), body };
}

function ip(rng: Rng, src: string, dst: string, payload: Ipv4Payload, extra: Partial<Ipv4Spec> = {}): Ipv4Spec {
  return { kind: 'ipv4', src, dst, payload, id: rng.int(65536), df: rng.chance(0.7), ttl: rng.pick([50, 64, 118, 247]), ...extra };
}

/** A host-side address of ours: the NIC's, or one from the SNAT pool. */
function ourAddress(v: CoppiceView, rng: Rng): string {
  return v.snatIps.length && rng.chance(0.5) ? rng.pick(v.snatIps) : v.config.nodenicIp;
}

function worldFrame(category: WorldCategory, v: CoppiceView, p: DrawPools, rng: Rng): EthernetFrameSpec {
  switch (category) {
    case 'port-forward': {
      const fwd = v.remotePorts.length && rng.chance(0.9) ? rng.pick(v.remotePorts) : undefined;
      const dport = fwd?.hostPort ?? rng.pick([8080, 2222, 9999]);
      const l4 = rng.chance(0.85) ? tcpFrom(rng, ephemeralPort(rng), dport, rng.pick([TCP_SYN, TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST])) : drawUdp(p, rng, ephemeralPort(rng), dport);
      return fromNet(v, rng, ip(rng, formatIpv4(rng.bytes(4)), ourAddress(v, rng), l4));
    }
    case 'reply': {
      if (!v.ingress.length) return worldFrame('miss', v, p, rng);
      const r = rng.pick(v.ingress);
      let l4: Ipv4Payload;
      if (r.protocol === 6) l4 = tcpFrom(rng, r.srcPort, r.dstPort, rng.pick([TCP_SYN | TCP_ACK, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_FIN, TCP_RST, TCP_RST | TCP_ACK, TCP_SYN]));
      else if (r.protocol === 17) l4 = drawUdp(p, rng, r.srcPort, r.dstPort);
      else l4 = { kind: 'icmp', type: rng.chance(0.85) ? 0 : 8, id: r.dstPort, seq: rng.int(1000), payload: rng.bytes(32) };
      return fromNet(v, rng, ip(rng, r.srcIp, r.dstIp, l4));
    }
    case 'dns-answer': {
      const dns = v.egress.filter((s) => s.protocol === 17 && s.dstPort === 53);
      if (!dns.length) return worldFrame('miss', v, p, rng);
      const s = rng.pick(dns);
      return fromNet(v, rng, ip(rng, s.dstIp, s.nodeIp, { kind: 'udp', sport: 53, dport: s.nodePort, payload: answerFor(v, s, rng) }));
    }
    case 'miss': {
      const l4 = rng.weighted<() => Ipv4Payload>([
        [() => drawTcp(p, rng, rng.pick([443, 80, 22, ephemeralPort(rng)]), ephemeralPort(rng)), 4],
        [() => drawUdp(p, rng, rng.pick([53, 123, ephemeralPort(rng)]), ephemeralPort(rng)), 3],
        [() => ({ kind: 'icmp', type: 0, id: rng.int(65536), seq: 1 }), 2],
        [() => ({ kind: 'raw', protocol: rng.pick([47, 50, 89]), bytes: rng.bytes(24) }), 1],
      ])();
      return fromNet(v, rng, ip(rng, formatIpv4(rng.bytes(4)), ourAddress(v, rng), l4));
    }
    case 'icmp-other':
      return fromNet(v, rng, ip(rng, formatIpv4(rng.bytes(4)), ourAddress(v, rng), drawIcmp(p, rng)));
    case 'fragment': {
      const base = worldFrame(rng.pick(['reply', 'port-forward'] as const), v, p, rng);
      if (base.body.kind !== 'ipv4') return base;
      return { ...base, body: rng.chance(0.5) ? { ...base.body, mf: true, df: false } : { ...base.body, fragOffset: rng.range(1, 100), df: false } };
    }
    case 'non-ipv4':
      return rng.chance(0.5)
        ? fromNet(v, rng, drawIpv6(p, rng))
        : fromNet(v, rng, { kind: 'arp', op: rng.pick([1, 2]), sha: v.config.nodegwMac, spa: '9.135.10.1', tpa: v.config.nodenicIp });
    case 'ip-options': {
      const base = worldFrame(rng.pick(['reply', 'port-forward', 'dns-answer'] as const), v, p, rng);
      if (base.body.kind !== 'ipv4') return base;
      return { ...base, body: { ...base.body, options: rng.pick([[{ kind: 'nop' as const }], [{ kind: 'timestamp' as const, slots: 2 }]]) } };
    }
    case 'truncated': {
      const base = worldFrame(rng.pick(['reply', 'port-forward', 'dns-answer'] as const), v, p, rng);
      return { ...base, truncateTo: rng.weighted<number>([[34, 2], [rng.range(35, 53), 5], [rng.range(54, 90), 3]]) };
    }
    case 'malformed': {
      const base = worldFrame('reply', v, p, rng);
      if (base.body.kind !== 'ipv4') return base;
      return { ...base, body: rng.pick<Ipv4Spec>([{ ...base.body, ihl: rng.int(5) }, { ...base.body, version: 5 }, { ...base.body, checksum: 'corrupt' }]) };
    }
    default: {
      const never: never = category;
      return never;
    }
  }
}

/** An answer for a DNS session: mostly to a query from_cube recorded, with addresses worth learning. */
function answerFor(v: CoppiceView, s: SessionView, rng: Rng): Uint8Array {
  const pending = v.pending.filter((q) => q.tap === s.vmIfindex && q.port === s.srcPort);
  const q = pending.length && rng.chance(0.75) ? rng.pick(pending) : undefined;
  const sandbox = v.sandboxes.find((b) => b.tap === s.vmIfindex);
  const name = q?.name || drawQueryName(sandbox?.domains ?? [], rng);
  const known = sandbox ? sandbox.allow.filter((a) => a.prefixLength === 32).map((a) => a.base) : [];
  const addresses = [
    known.length && rng.chance(0.5) ? rng.pick(known) : `151.101.${rng.int(4)}.${rng.int(256)}`,
    formatIpv4(rng.bytes(4)),
    known.length ? rng.pick(known) : '93.184.216.34',
  ];
  return dnsAnswer(name, q?.id ?? rng.int(65536), addresses, rng.weighted(ANSWER_SHAPES), rng);
}

type EnvoyCategory = 'to-sandbox' | 'unknown-dst' | 'fragment' | 'ip-options' | 'malformed' | 'non-ipv4' | 'truncated';

const ENVOY_WEIGHTS: readonly (readonly [EnvoyCategory, number])[] = [
  ['to-sandbox', 55], ['unknown-dst', 15], ['fragment', 8], ['ip-options', 5], ['malformed', 6], ['non-ipv4', 6], ['truncated', 5],
];

export function drawEnvoyFrame(v: CoppiceView, p: DrawPools, rng: Rng): CoppiceDraw {
  const category = rng.weighted(ENVOY_WEIGHTS);
  return { category, frame: envoyFrame(category, v, p, rng) };
}

function envoyFrame(category: EnvoyCategory, v: CoppiceView, p: DrawPools, rng: Rng): EthernetFrameSpec {
  const c = v.config;
  const fromHost = (body: L3Spec): EthernetFrameSpec => ({ kind: 'ethernet', src: c.cubegwMac, dst: drawMac(rng), body });
  const sandboxIp = (): string => (v.sandboxes.length ? rng.pick(v.sandboxes).hostIp : '100.96.0.11');
  const l4 = (): Ipv4Payload =>
    rng.weighted<() => Ipv4Payload>([
      [() => tcpFrom(rng, ephemeralPort(rng), rng.pick([80, 443, 22, 8000]), rng.pick([TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST])), 5],
      [() => drawUdp(p, rng), 2],
      [() => ({ kind: 'icmp', type: rng.pick([8, 0, 3]), id: rng.int(65536), seq: rng.int(100) }), 2],
      [() => ({ kind: 'raw', protocol: 47, bytes: rng.bytes(16) }), 1],
    ])();
  const src = (): string => (rng.chance(0.8) ? c.cubegwIp : formatIpv4(rng.bytes(4)));
  switch (category) {
    case 'to-sandbox':
      return fromHost(ip(rng, src(), sandboxIp(), l4(), rng.chance(0.1) ? { checksum: 'corrupt' } : {}));
    case 'unknown-dst':
      return fromHost(ip(rng, src(), rng.pick([formatIpv4(rng.bytes(4)), '100.96.0.99', c.innerIp]), l4()));
    case 'fragment':
      return rng.chance(0.5)
        ? fromHost(ip(rng, src(), sandboxIp(), l4(), { mf: true, df: false }))
        : fromHost(ip(rng, src(), sandboxIp(), { kind: 'raw', protocol: rng.pick([6, 17]), bytes: rng.bytes(32) }, { fragOffset: rng.range(1, 50), df: false }));
    case 'ip-options':
      return fromHost({ ...ip(rng, src(), sandboxIp(), l4()), options: [{ kind: 'rr', slots: rng.range(1, 4) }] });
    case 'malformed':
      return fromHost({ ...ip(rng, src(), sandboxIp(), l4()), ...rng.pick<Partial<Ipv4Spec>>([{ ihl: rng.int(5) }, { version: 6 }, { ihl: 15 }]) });
    case 'non-ipv4':
      return fromHost(rng.chance(0.5) ? drawIpv6(p, rng) : { kind: 'arp', op: 1, sha: c.cubegwMac, spa: c.cubegwIp, tpa: sandboxIp() });
    case 'truncated':
      return { ...fromHost(ip(rng, src(), sandboxIp(), tcpFrom(rng, ephemeralPort(rng), 80, TCP_ACK))), truncateTo: rng.range(34, 53) };
    default: {
      const never: never = category;
      return never;
    }
  }
}
