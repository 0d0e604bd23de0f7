/**
 * Hand-built Ethernet frames for the oracle's tests, with correct IPv4 and L4 checksums
 * (the kernel refuses IPv4 frames shorter than 34 bytes, and checksum helpers are only
 * meaningful on valid sums). Deliberately tiny: the project's packet builders live in
 * src/packet; these keep the oracle's tests independent of them.
 */

export type Mac = readonly [number, number, number, number, number, number];
export type Ip4 = readonly [number, number, number, number];

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

function be16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

/** The Internet checksum (RFC 1071) of `bytes`, folded, complemented. */
export function inetChecksum(bytes: Uint8Array | readonly number[], initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ethernet(dst: Mac, src: Mac, type: number, payload: readonly number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([...dst, ...src, ...be16(type), ...payload]);
}

export interface Ip4Spec {
  readonly src: Ip4;
  readonly dst: Ip4;
  readonly proto: number;
  readonly ttl?: number;
  readonly id?: number;
}

/** IPv4 header (no options) with its checksum, then `l4`. */
export function ipv4(spec: Ip4Spec, l4: readonly number[]): number[] {
  const total = 20 + l4.length;
  const h = [0x45, 0, ...be16(total), ...be16(spec.id ?? 1), 0x40, 0, spec.ttl ?? 64, spec.proto, 0, 0, ...spec.src, ...spec.dst];
  const c = inetChecksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...l4];
}

function pseudoSum(src: Ip4, dst: Ip4, proto: number, len: number): number {
  const p = [...src, ...dst, 0, proto, ...be16(len)];
  let sum = 0;
  for (let i = 0; i < p.length; i += 2) sum += (p[i] << 8) | p[i + 1];
  return sum;
}

/** TCP segment (20-byte header, flags given) with a checksum over the pseudo-header. */
export function tcp(ip: Omit<Ip4Spec, 'proto'>, sport: number, dport: number, flags = 0x02, payload: readonly number[] = []): number[] {
  const seg = [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, ...be16(0xffff), 0, 0, 0, 0, ...payload];
  const c = inetChecksum(seg, pseudoSum(ip.src, ip.dst, 6, seg.length));
  seg[16] = c >> 8;
  seg[17] = c & 0xff;
  return seg;
}

/** UDP datagram with its checksum (0 is sent as 0xffff). */
export function udp(ip: Omit<Ip4Spec, 'proto'>, sport: number, dport: number, payload: readonly number[] = []): number[] {
  const d = [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
  const c = inetChecksum(d, pseudoSum(ip.src, ip.dst, 17, d.length)) || 0xffff;
  d[6] = c >> 8;
  d[7] = c & 0xff;
  return d;
}

const MAC_A: Mac = [0x02, 0, 0, 0, 0, 0xa];
const MAC_B: Mac = [0x02, 0, 0, 0, 0, 0xb];

export function tcp4Frame(src: Ip4, dst: Ip4, sport: number, dport: number, flags = 0x02): Uint8Array {
  return ethernet(MAC_B, MAC_A, ETH_P_IP, ipv4({ src, dst, proto: 6 }, tcp({ src, dst }, sport, dport, flags)));
}

export function udp4Frame(src: Ip4, dst: Ip4, sport: number, dport: number, payload: readonly number[] = []): Uint8Array {
  return ethernet(MAC_B, MAC_A, ETH_P_IP, ipv4({ src, dst, proto: 17 }, udp({ src, dst }, sport, dport, payload)));
}

export function icmp4Frame(src: Ip4, dst: Ip4): Uint8Array {
  const echo = [8, 0, 0, 0, 0, 1, 0, 1];
  const c = inetChecksum(echo);
  echo[2] = c >> 8;
  echo[3] = c & 0xff;
  return ethernet(MAC_B, MAC_A, ETH_P_IP, ipv4({ src, dst, proto: 1 }, echo));
}

/** An ARP request "who has `target`? tell `sender` at `senderMac`", broadcast. */
export function arpRequest(senderMac: Mac, sender: Ip4, target: Ip4): Uint8Array {
  const arp = [...be16(1), ...be16(ETH_P_IP), 6, 4, ...be16(1), ...senderMac, ...sender, 0, 0, 0, 0, 0, 0, ...target];
  return ethernet([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], senderMac, ETH_P_ARP, arp);
}

/** Reads an IPv4 address from a frame at `off` as a dotted string, for messages. */
export function ip4At(frame: Uint8Array, off: number): string {
  return Array.from(frame.subarray(off, off + 4)).join('.');
}

export function u16At(frame: Uint8Array, off: number): number {
  return (frame[off] << 8) | frame[off + 1];
}
