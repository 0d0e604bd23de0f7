import { formatIpv4, formatIpv6, numberToIpv4 } from '../packet/addresses.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type TcpOption } from '../packet/frame-spec.js';
import { addressInside, addressOutside, type DrawPools } from './draw-pools.js';
import type { Rng } from './rng.js';

/**
 * Single header fields drawn around a state: addresses that hit map entries or just miss
 * them, ports a program compares with, the TCP flag combinations stacks send and the
 * ones scanners send.
 */

const FALLBACK_HOSTS: readonly string[] = ['192.0.2.1', '198.51.100.7', '203.0.113.9', '10.0.0.1', '8.8.8.8', '1.1.1.1', '172.16.5.4', '192.168.1.10'];
const SPECIAL_HOSTS: readonly string[] = ['0.0.0.0', '255.255.255.255', '127.0.0.1', '224.0.0.251', '169.254.1.1', '10.255.255.255', '100.64.0.1', '240.0.0.1'];
const FALLBACK_HOSTS6: readonly string[] = ['2001:db8::1', '2001:db8:1::53', 'fe80::1', '::1', 'ff02::1', '2606:4700::1111', '::ffff:192.0.2.1'];
export const WELL_KNOWN_PORTS: readonly number[] = [20, 21, 22, 23, 25, 53, 67, 80, 110, 123, 143, 161, 179, 389, 443, 445, 465, 587, 853, 993, 1900, 3306, 3389, 5353, 6443, 8080, 8443, 11211];

export function drawHost(p: DrawPools, rng: Rng): string {
  const kind = rng.weighted<string>([
    ['pool', p.hosts.length ? 35 : 0],
    ['inside', p.prefixes.length ? 25 : 0],
    ['outside', p.prefixes.length ? 10 : 0],
    ['constant', p.constants.addresses.length ? 10 : 0],
    ['random', 10],
    ['special', 5],
    ['fallback', 5],
  ]);
  switch (kind) {
    case 'pool':
      return rng.pick(p.hosts);
    case 'inside':
      return formatIpv4(addressInside(rng.pick(p.prefixes), rng.bytes(4)));
    case 'outside': {
      const out = addressOutside(rng.pick(p.prefixes), rng.bytes(4));
      return out ? formatIpv4(out) : numberToIpv4(rng.u32());
    }
    case 'constant':
      return constantHost(p, rng);
    case 'random':
      return numberToIpv4(rng.u32());
    case 'special':
      return rng.pick(SPECIAL_HOSTS);
    default:
      return rng.pick(FALLBACK_HOSTS);
  }
}

/** A constant address, or one in its /24 (constants are often network bases). */
function constantHost(p: DrawPools, rng: Rng): string {
  const base = rng.pick(p.constants.addresses);
  return numberToIpv4(rng.chance(0.7) ? base : ((base & 0xffffff00) | rng.int(256)) >>> 0);
}

export function drawHost6(p: DrawPools, rng: Rng): string {
  const kind = rng.weighted<string>([['pool', p.hosts6.length ? 35 : 0], ['inside', p.prefixes6.length ? 30 : 0], ['outside', p.prefixes6.length ? 10 : 0], ['fallback', 25]]);
  if (kind === 'pool') return rng.pick(p.hosts6);
  if (kind === 'inside') return formatIpv6(addressInside(rng.pick(p.prefixes6), rng.bytes(16)));
  if (kind === 'outside') {
    const out = addressOutside(rng.pick(p.prefixes6), rng.bytes(16));
    if (out) return formatIpv6(out);
  }
  return rng.pick(FALLBACK_HOSTS6);
}

export function drawPort(p: DrawPools, rng: Rng): number {
  const kind = rng.weighted<string>([['pool', p.ports.length ? 40 : 0], ['constant', p.constants.ports.length ? 25 : 0], ['well-known', 15], ['ephemeral', 15], ['edge', 5]]);
  switch (kind) {
    case 'pool':
      return rng.pick(p.ports);
    case 'constant':
      return rng.pick(p.constants.ports);
    case 'well-known':
      return rng.pick(WELL_KNOWN_PORTS);
    case 'ephemeral':
      return rng.range(32768, 60999);
    default:
      return rng.pick([0, 1, 1023, 1024, 65535]);
  }
}

export function ephemeralPort(rng: Rng): number {
  return rng.range(1024, 65535);
}

/** Combinations real stacks send, and the ones flag guards exist for. */
const TCP_FLAG_SETS: readonly (readonly [number, number])[] = [
  [TCP_SYN, 20],
  [TCP_SYN | TCP_ACK, 12],
  [TCP_ACK, 20],
  [TCP_PSH | TCP_ACK, 12],
  [TCP_FIN | TCP_ACK, 8],
  [TCP_FIN, 3],
  [TCP_RST, 5],
  [TCP_RST | TCP_ACK, 4],
  [0, 3], // NULL scan
  [TCP_FIN | TCP_PSH | TCP_URG, 3], // Xmas
  [TCP_SYN | TCP_FIN, 2],
  [TCP_SYN | TCP_RST, 2],
  [0x3f, 1],
  [0xff, 1],
];

export function drawTcpFlags(p: DrawPools, rng: Rng): number {
  if (rng.chance(0.05)) return rng.int(256);
  if (rng.chance(0.05) && p.constants.small.length) return rng.pick(p.constants.small);
  return rng.weighted(TCP_FLAG_SETS);
}

export function drawTcpOptions(rng: Rng, syn: boolean): TcpOption[] {
  if (!syn && rng.chance(0.7)) return rng.chance(0.5) ? [] : [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', value: rng.u32(), echo: rng.u32() }];
  return [
    { kind: 'mss', value: rng.pick([536, 1360, 1400, 1460, 8960]) },
    { kind: 'sackPermitted' },
    { kind: 'timestamp', value: rng.u32(), echo: 0 },
    { kind: 'nop' },
    { kind: 'wscale', shift: rng.int(15) },
  ];
}

export function drawPayload(rng: Rng, max = 96): Uint8Array {
  const n = rng.weighted<number>([[0, 30], [rng.int(16), 30], [rng.int(max), 30], [rng.int(1200), 10]]);
  return rng.bytes(n);
}

export function drawMac(rng: Rng): string {
  const b = rng.bytes(6);
  b[0] = (b[0] & 0xfe) | 0x02; // unicast, locally administered
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function drawTos(p: DrawPools, rng: Rng): number {
  if (rng.chance(0.7)) return 0;
  const dscp = p.constants.small.filter((v) => v < 64);
  if (dscp.length && rng.chance(0.6)) return (rng.pick(dscp) << 2) | rng.int(4);
  return rng.int(256);
}
