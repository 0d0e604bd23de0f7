/**
 * What pf sees of a frame: the IP header fields its rules test, read the way pf and the
 * stack in front of it read them. VLAN tags are read past (pf runs on the vlan(4)
 * interface, which the caller names). A frame that is not IPv4/IPv6 never reaches pf.
 * An IP header the stack would refuse (wrong version, lengths past the frame) is
 * 'malformed'; a transport header too short for pf to pull is 'short' (pf drops it,
 * PFRES_SHORT); an IPv6 type 0 routing header is always dropped by pf ('rh0').
 */
import { bytesToValue, type IpAddress, type IpFamily } from './cidr.js';

export interface IpPacketView {
  readonly family: IpFamily;
  readonly src: IpAddress;
  readonly dst: IpAddress;
  /** IPv4 protocol, or the IPv6 header after the extension headers. */
  readonly proto: number;
  /**
   * A fragment pf sees without reassembly: IPv4 with MF or an offset, IPv6 with a
   * fragment header that has an offset or M (an atomic fragment is whole, RFC 6946).
   * First fragments included: pf sends every fragment through the fragment path.
   */
  readonly fragment: boolean;
  /** IPv4 options, or IPv6 hop-by-hop / destination options: pf drops these on pass rules without allow-opts. */
  readonly ipOptions: boolean;
  readonly l3Offset: number;
  /** Where the transport header starts (meaningful when not a fragment). */
  readonly l4Offset: number;
  /** TCP, UDP and SCTP ports; absent for fragments and other protocols. */
  readonly ports?: { readonly src: number; readonly dst: number };
  readonly tcpFlags?: number;
  /** ICMP for IPv4, ICMPv6 for IPv6; absent for fragments. */
  readonly icmp?: { readonly type: number; readonly code: number };
}

export type ParsedFrame =
  | { readonly kind: 'notIp' }
  | { readonly kind: 'dropped'; readonly reason: 'malformed' | 'short' | 'rh0'; readonly detail: string }
  | { readonly kind: 'ip'; readonly view: IpPacketView };

const VLAN_TPIDS: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);

export function parseFrame(b: Uint8Array): ParsedFrame {
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  let off = 12;
  if (b.length < 14) return { kind: 'notIp' };
  while (VLAN_TPIDS.has(u16(off))) {
    off += 4;
    if (off + 2 > b.length) return { kind: 'notIp' };
  }
  const etherType = u16(off);
  const l3 = off + 2;
  if (etherType === 0x0800) return parseIpv4(b, l3);
  if (etherType === 0x86dd) return parseIpv6(b, l3);
  return { kind: 'notIp' };
}

const malformed = (detail: string): ParsedFrame => ({ kind: 'dropped', reason: 'malformed', detail });

function parseIpv4(b: Uint8Array, l3: number): ParsedFrame {
  if (b.length < l3 + 20) return malformed('IPv4 header cut short');
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  if (b[l3] >> 4 !== 4) return malformed(`IP version ${b[l3] >> 4} in an IPv4 frame`);
  const hlen = (b[l3] & 0x0f) * 4;
  const total = u16(l3 + 2);
  if (hlen < 20 || l3 + hlen > b.length) return malformed(`IPv4 header length ${hlen}`);
  if (total < hlen || l3 + total > b.length) return malformed(`IPv4 total length ${total} with ${b.length - l3} bytes present`);
  const fragWord = u16(l3 + 6);
  const fragment = (fragWord & 0x3fff) !== 0;
  const base = {
    family: 'ipv4' as const,
    src: { family: 'ipv4' as const, value: bytesToValue(b.subarray(l3 + 12, l3 + 16)) },
    dst: { family: 'ipv4' as const, value: bytesToValue(b.subarray(l3 + 16, l3 + 20)) },
    proto: b[l3 + 9],
    fragment,
    ipOptions: hlen > 20,
    l3Offset: l3,
    l4Offset: l3 + hlen,
  };
  return transport(b, base, l3 + total);
}

function parseIpv6(b: Uint8Array, l3: number): ParsedFrame {
  if (b.length < l3 + 40) return malformed('IPv6 header cut short');
  if (b[l3] >> 4 !== 6) return malformed(`IP version ${b[l3] >> 4} in an IPv6 frame`);
  const end = l3 + 40 + ((b[l3 + 4] << 8) | b[l3 + 5]);
  if (end > b.length) return malformed(`IPv6 payload length ${end - l3 - 40} with ${b.length - l3 - 40} bytes present`);
  let nh = b[l3 + 6];
  let off = l3 + 40;
  let fragment = false;
  let ipOptions = false;
  // Hop-by-hop, routing, fragment, destination options, AH: the headers pf walks.
  for (;;) {
    if (nh !== 0 && nh !== 43 && nh !== 44 && nh !== 60 && nh !== 51) break;
    if (off + 8 > end) return { kind: 'dropped', reason: 'short', detail: `IPv6 extension header ${nh} cut short` };
    if (nh === 44) {
      const fw = (b[off + 2] << 8) | b[off + 3];
      const offset = fw >> 3;
      fragment = fragment || offset !== 0 || (fw & 1) !== 0;
      nh = b[off];
      off += 8;
      if (offset !== 0) break;
      continue;
    }
    if (nh === 43 && b[off + 2] === 0) return { kind: 'dropped', reason: 'rh0', detail: 'IPv6 type 0 routing header' };
    if (nh === 0 || nh === 60) ipOptions = true;
    const len = nh === 51 ? (b[off + 1] + 2) * 4 : (b[off + 1] + 1) * 8;
    nh = b[off];
    off += len;
  }
  if (off > end) return { kind: 'dropped', reason: 'short', detail: 'IPv6 extension headers run past the payload' };
  const addr = (o: number): IpAddress => ({ family: 'ipv6', value: bytesToValue(b.subarray(o, o + 16)) });
  const base = { family: 'ipv6' as const, src: addr(l3 + 8), dst: addr(l3 + 24), proto: nh, fragment, ipOptions, l3Offset: l3, l4Offset: off };
  return transport(b, base, end);
}

/** The transport fields rules test, for whole (non-fragment) packets; pf's minimum header sizes. */
function transport(b: Uint8Array, base: IpPacketView, end: number): ParsedFrame {
  if (base.fragment) return { kind: 'ip', view: base };
  const at = base.l4Offset;
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const need = (n: number, what: string): ParsedFrame | null =>
    at + n > end ? { kind: 'dropped', reason: 'short', detail: `${what} header cut short (${Math.max(0, end - at)} of ${n} bytes)` } : null;
  switch (base.proto) {
    case 6:
      return need(20, 'TCP') ?? { kind: 'ip', view: { ...base, ports: { src: u16(at), dst: u16(at + 2) }, tcpFlags: b[at + 13] } };
    case 17:
      return need(8, 'UDP') ?? { kind: 'ip', view: { ...base, ports: { src: u16(at), dst: u16(at + 2) } } };
    case 132:
      return need(12, 'SCTP') ?? { kind: 'ip', view: { ...base, ports: { src: u16(at), dst: u16(at + 2) } } };
    case 1:
      if (base.family !== 'ipv4') break;
      return need(8, 'ICMP') ?? { kind: 'ip', view: { ...base, icmp: { type: b[at], code: b[at + 1] } } };
    case 58:
      if (base.family !== 'ipv6') break;
      return need(8, 'ICMPv6') ?? { kind: 'ip', view: { ...base, icmp: { type: b[at], code: b[at + 1] } } };
    default:
      break;
  }
  return { kind: 'ip', view: base };
}
