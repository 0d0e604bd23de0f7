import { parsePrefix, parseTableEntry, prefixContains, prefixMask, valueToBytes, type IpAddress, type Prefix } from '../ir/cidr.js';
import { buildLpmTable, lpmMatch } from '../ir/lpm.js';
import type { IrAddressMatch, IrFamilyInstance, IrPortMatch, IrRule, PolicyIR } from '../ir/types.js';
import { formatIpv4, formatMac } from '../packet/addresses.js';
import { buildFrame } from '../packet/build-frame.js';
import type { Ipv4Payload } from '../packet/frame-spec.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../packet/frame-spec.js';
import { ephemeralPort } from './draw-fields.js';
import type { Rng } from './rng.js';

/**
 * Packets aimed at one rule of a PolicyIR: IPv4 frames that meet its match (protocol,
 * addresses from its prefixes, sets and family values, ports, TCP flags, ICMP type,
 * fragment), arriving on one of its family's instances. Whatever the rule leaves open
 * (the MACs, the other address, the TTL) comes from a base frame of the program's own
 * traffic, so the rules before it see what they usually see: a rule after "block from !
 * 169.254.68.6" keeps the sandbox's source address of the base.
 *
 * The generic traffic (packets-for.ts) reaches the common paths; these reach the rules
 * it rarely draws for (a spoofed UDP source, an unusual protocol to an allowed prefix).
 * Which rule decides such a packet is still the evaluator's to say: an earlier rule may
 * take it. IPv6 rules and addresses the generator cannot satisfy give fewer packets.
 */
export interface RulePacket {
  readonly rule: string;
  readonly frame: Uint8Array;
  /** The instance's interface for a family rule, else the base frame's. */
  readonly ifindex: number | undefined;
}

export interface BaseFrame {
  readonly frame: Uint8Array;
  readonly ifindex?: number;
}

const OTHER_PROTOCOLS = [47, 50, 132] as const;

export function packetsForRule(ir: PolicyIR, rule: IrRule, bases: readonly BaseFrame[], rng: Rng, count: number): RulePacket[] {
  const m = rule.match;
  const usable = bases.filter((b) => plainIpv4(b.frame));
  if (m.af === 'inet6' || !usable.length) return [];
  const family = rule.scope.kind === 'family' ? ir.families.find((f) => rule.scope.kind === 'family' && f.name === rule.scope.family) : undefined;
  if (rule.scope.kind === 'family' && !family?.instances.length) return [];
  const out: RulePacket[] = [];
  for (let i = 0; i < count * 4 && out.length < count; i++) {
    const base = rng.pick(usable);
    const instance = family ? rng.pick(family.instances) : undefined;
    const look = (set: string): readonly string[] => instance?.sets[set] ?? ir.sets.find((s) => s.name === set && s.scope.kind === 'global')?.contents ?? [];
    const b = base.frame;
    const src = addressFor(m.src, ipv4At(b, 26), instance, look, rng);
    const dst = addressFor(m.dst, ipv4At(b, 30), instance, look, rng);
    if (src === null || dst === null) continue;
    const proto = m.proto?.length ? rng.pick(m.proto) : rng.pick([6, 17, 1, rng.pick(OTHER_PROTOCOLS)]);
    const fragment = m.fragment ?? false;
    const payload = transport(proto, rule, instance, rng, fragment);
    if (payload === null) continue;
    const laterFragment = fragment && (proto !== 6 && proto !== 17 && proto !== 1 ? true : rng.chance(0.5));
    const frame = buildFrame({
      kind: 'ethernet',
      dst: formatMac(b, 0),
      src: formatMac(b, 6),
      body: {
        kind: 'ipv4',
        src,
        dst,
        id: rng.int(65536),
        ttl: b[22],
        df: !fragment && rng.chance(0.7),
        ...(fragment && (laterFragment ? { fragOffset: rng.range(1, 100), mf: rng.chance(0.5) } : { mf: true })),
        payload: laterFragment ? { kind: 'raw', protocol: proto, bytes: rng.bytes(24) } : payload,
      },
    });
    out.push({ rule: rule.id, frame, ifindex: instance?.ifindex ?? base.ifindex });
  }
  return out;
}

/** IPv4 without options or fragmentation: a base whose header fields can be reused. */
function plainIpv4(b: Uint8Array): boolean {
  return b.length >= 34 && b[12] === 0x08 && b[13] === 0x00 && b[14] === 0x45 && (((b[20] << 8) | b[21]) & 0x3fff) === 0;
}

function ipv4At(b: Uint8Array, o: number): IpAddress {
  return { family: 'ipv4', value: BigInt(((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0) };
}

/**
 * An address meeting `m`: inside one of its prefixes (or outside all of them when
 * negated, preferring the base's own address); the base's when there is no criterion.
 */
function addressFor(m: IrAddressMatch | undefined, base: IpAddress, instance: IrFamilyInstance | undefined, look: (set: string) => readonly string[], rng: Rng): string | null {
  const text = (a: IpAddress): string => formatIpv4(valueToBytes('ipv4', a.value));
  // Left open: mostly the base's (what the earlier rules expect), now and then any address.
  if (!m || m.address.kind === 'any') return m?.negate ? null : text(rng.chance(0.6) ? base : { family: 'ipv4', value: BigInt(rng.u32()) });
  const a = m.address;
  let prefixes: Prefix[];
  let contains: (x: IpAddress) => boolean;
  switch (a.kind) {
    case 'cidr':
    case 'familyValue': {
      const p = parsePrefix(a.kind === 'cidr' ? a.cidr : (instance?.values[a.field] ?? ''));
      if (!p || p.family !== 'ipv4') return null;
      prefixes = [p];
      contains = (x) => prefixContains(p, x);
      break;
    }
    case 'set': {
      const entries = look(a.set);
      const table = buildLpmTable(entries);
      prefixes = entries.map(parseTableEntry).flatMap((e) => (e && !e.negated && e.prefix.family === 'ipv4' ? [e.prefix] : []));
      contains = (x) => lpmMatch(table, x);
      break;
    }
    case 'interface':
      return null;
    default: {
      const never: never = a;
      return never;
    }
  }
  const candidates = (): IpAddress[] => {
    if (m.negate) return [base, { family: 'ipv4', value: BigInt(rng.u32()) }];
    if (!prefixes.length) return [];
    const p = rng.pick(prefixes);
    const host = BigInt(rng.u32()) & ~prefixMask('ipv4', p.len) & 0xffffffffn;
    return [{ family: 'ipv4', value: p.net | host }];
  };
  for (let i = 0; i < 16; i++) {
    for (const c of candidates()) if (contains(c) !== m.negate) return text(c);
  }
  return null;
}

function transport(proto: number, rule: IrRule, instance: IrFamilyInstance | undefined, rng: Rng, fragment: boolean): Ipv4Payload | null {
  const m = rule.match;
  if (proto === 6 || proto === 17) {
    const sport = portFor(m.srcPort, instance, rng, ephemeralPort(rng));
    const dport = portFor(m.dstPort, instance, rng, rng.pick([80, 443, 22, 53, 123, 8080, ephemeralPort(rng)]));
    if (sport === null || dport === null) return null;
    if (proto === 17) return { kind: 'udp', sport, dport, payload: rng.bytes(rng.pick([0, 8, 32])) };
    const open = rng.pick([TCP_SYN, TCP_SYN, TCP_ACK, TCP_PSH | TCP_ACK, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK, TCP_RST]);
    const flags = m.tcpFlags ? (m.tcpFlags.set | (open & ~m.tcpFlags.mask)) & 0xff : open;
    return { kind: 'tcp', sport, dport, flags, seq: rng.u32(), ack: flags & TCP_ACK ? rng.u32() : 0, payload: flags & TCP_SYN ? undefined : rng.bytes(rng.pick([0, 16])) };
  }
  if (m.srcPort || m.dstPort || m.tcpFlags) return null;
  if (proto === 1) {
    const type = m.icmpType?.type ?? rng.pick([8, 0, 3, 11, 13]);
    const code = m.icmpType?.code ?? (type === 3 ? rng.pick([0, 1, 3]) : 0);
    return { kind: 'icmp', type, code, id: rng.int(65536), seq: rng.int(1000), payload: rng.bytes(fragment ? 24 : 16) };
  }
  if (m.icmpType) return null;
  return { kind: 'raw', protocol: proto, bytes: rng.bytes(24) };
}

function portFor(m: IrPortMatch | undefined, instance: IrFamilyInstance | undefined, rng: Rng, dflt: number): number | null {
  if (!m) return dflt;
  const within = (lo: number, hi: number): number | null => (lo > hi ? null : rng.range(lo, hi));
  switch (m.op) {
    case 'eq':
      return m.port;
    case 'ne':
      return dflt !== m.port ? dflt : (m.port + 1 + rng.int(1000)) % 65536;
    case 'lt':
      return within(0, m.port - 1);
    case 'le':
      return within(0, m.port);
    case 'gt':
      return within(m.port + 1, 65535);
    case 'ge':
      return within(m.port, 65535);
    case 'range':
      return within(m.from, m.to);
    case 'familySet': {
      const ports = instance?.sets[m.set] ?? [];
      return ports.length ? Number(rng.pick(ports)) : null;
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}
