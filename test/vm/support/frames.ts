/**
 * Hand-built Ethernet frames for interpreter tests, with correct IPv4 and L4 checksums.
 * Addresses are dotted strings; everything on the wire is network order.
 */

export function mac(s: string): number[] {
  return s.split(':').map((x) => parseInt(x, 16));
}

export function ip4(s: string): number[] {
  return s.split('.').map(Number);
}

function be16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

/** The Internet checksum of bytes (RFC 1071), as the 16-bit value to store big-endian. */
export function inetChecksum(bytes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  payload: number[];
  ttl?: number;
  id?: number;
  fragOff?: number;
  tos?: number;
}

/** An IPv4 header (no options) followed by the payload. */
export function ipv4Packet(o: Ipv4Options): number[] {
  const h = [
    0x45, o.tos ?? 0, ...be16(20 + o.payload.length), ...be16(o.id ?? 1), ...be16(o.fragOff ?? 0x4000), o.ttl ?? 64, o.proto, 0, 0,
    ...ip4(o.src), ...ip4(o.dst),
  ];
  const c = inetChecksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...o.payload];
}

function pseudo(src: string, dst: string, proto: number, len: number): number[] {
  return [...ip4(src), ...ip4(dst), 0, proto, ...be16(len)];
}

export interface EthOptions {
  dstMac?: string;
  srcMac?: string;
}

export function ethernet(type: number, payload: number[], e: EthOptions = {}): Uint8Array {
  return Uint8Array.from([...mac(e.dstMac ?? '02:00:00:00:00:02'), ...mac(e.srcMac ?? '02:00:00:00:00:01'), ...be16(type), ...payload]);
}

export function tcpSegment(src: string, dst: string, sport: number, dport: number, flags: number, seq = 1): number[] {
  const t = [...be16(sport), ...be16(dport), 0, 0, 0, seq, 0, 0, 0, 0, 0x50, flags, 0x20, 0, 0, 0, 0, 0];
  const c = inetChecksum([...pseudo(src, dst, 6, t.length), ...t]);
  t[16] = c >> 8;
  t[17] = c & 0xff;
  return t;
}

export function udpDatagram(src: string, dst: string, sport: number, dport: number, data: number[]): number[] {
  const u = [...be16(sport), ...be16(dport), ...be16(8 + data.length), 0, 0, ...data];
  const c = inetChecksum([...pseudo(src, dst, 17, u.length), ...u]);
  u[6] = c >> 8;
  u[7] = c & 0xff;
  return u;
}

export function icmpEcho(id: number, seq: number, type = 8): number[] {
  const m = [type, 0, 0, 0, ...be16(id), ...be16(seq), 0x61, 0x62, 0x63, 0x64];
  const c = inetChecksum(m);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

export function tcpSyn(src: string, dst: string, sport: number, dport: number, e: EthOptions = {}): Uint8Array {
  return ethernet(0x0800, ipv4Packet({ src, dst, proto: 6, payload: tcpSegment(src, dst, sport, dport, TCP_SYN) }), e);
}

export function tcpAck(src: string, dst: string, sport: number, dport: number, e: EthOptions = {}): Uint8Array {
  return ethernet(0x0800, ipv4Packet({ src, dst, proto: 6, payload: tcpSegment(src, dst, sport, dport, TCP_ACK) }), e);
}

/** A DNS query for `name` (type A). */
export function dnsQuery(src: string, dst: string, sport: number, name: string, e: EthOptions = {}): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]);
  const dns = [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1];
  return ethernet(0x0800, ipv4Packet({ src, dst, proto: 17, payload: udpDatagram(src, dst, sport, 53, dns) }), e);
}

export function udpTo(src: string, dst: string, sport: number, dport: number, data: number[], e: EthOptions = {}): Uint8Array {
  return ethernet(0x0800, ipv4Packet({ src, dst, proto: 17, payload: udpDatagram(src, dst, sport, dport, data) }), e);
}

export function icmpEchoRequest(src: string, dst: string, id = 0x1234, e: EthOptions = {}): Uint8Array {
  return ethernet(0x0800, ipv4Packet({ src, dst, proto: 1, payload: icmpEcho(id, 1) }), e);
}

/** An ARP request "who has tpa? tell spa" (Ethernet/IPv4, broadcast). */
export function arpRequest(spa: string, tpa: string, sha = '02:00:00:00:00:01'): Uint8Array {
  const body = [0, 1, 8, 0, 6, 4, 0, 1, ...mac(sha), ...ip4(spa), 0, 0, 0, 0, 0, 0, ...ip4(tpa)];
  return ethernet(0x0806, body, { dstMac: 'ff:ff:ff:ff:ff:ff', srcMac: sha });
}

export function ipv6Udp(): Uint8Array {
  const src = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
  const dst = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 2];
  const udp = [0x30, 0x39, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4];
  return ethernet(0x86dd, [0x60, 0, 0, 0, 0, udp.length, 17, 64, ...src, ...dst, ...udp]);
}

/** The standard frames every corpus program is run on. */
export function standardFrames(): { name: string; packet: Uint8Array }[] {
  return [
    { name: 'arp-request', packet: arpRequest('169.254.68.6', '169.254.68.5') },
    { name: 'tcp-syn', packet: tcpSyn('169.254.68.6', '93.184.216.34', 40000, 443) },
    { name: 'udp-dns', packet: dnsQuery('169.254.68.6', '8.8.8.8', 53000, 'example.com') },
    { name: 'icmp-echo', packet: icmpEchoRequest('169.254.68.6', '1.1.1.1') },
    { name: 'tcp-syn-in', packet: tcpSyn('198.51.100.7', '9.135.10.2', 50000, 8080) },
    { name: 'ipv6-udp', packet: ipv6Udp() },
  ];
}
