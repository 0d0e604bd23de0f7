import { formatIpv4, formatIpv6, formatMac } from './addresses.js';
import { checksumVerifies, ipv4PseudoSum, ipv6PseudoSum, sumWords } from './checksum.js';
import { decodeDns, type DnsSummary } from './dns-decode.js';

/**
 * What a frame holds, layer by layer, as plain data: what `bpf2pf run` prints for a
 * rewritten packet and what tests assert on. A layer is present when its header is
 * complete in the frame; `truncated` names the first header that was not.
 * Checksums are judged only when everything they cover is in the frame (and, for
 * TCP/UDP over IPv4, when the datagram is not a fragment); otherwise `checksumValid`
 * is undefined.
 */
export interface PacketDescription {
  readonly length: number;
  readonly ethernet?: EthernetDescription;
  readonly arp?: ArpDescription;
  readonly ipv4?: Ipv4Description;
  readonly ipv6?: Ipv6Description;
  readonly tcp?: TcpDescription;
  readonly udp?: UdpDescription;
  readonly icmp?: IcmpDescription;
  readonly icmpv6?: Icmpv6Description;
  readonly dns?: DnsSummary;
  readonly truncated?: string;
}

export interface EthernetDescription {
  readonly dst: string;
  readonly src: string;
  /** Outermost first. */
  readonly vlans: readonly VlanDescription[];
  /** The EtherType after the last VLAN tag (an 802.3 length when below 0x600). */
  readonly etherType: number;
  /** Offset of the layer-3 header. */
  readonly l3Offset: number;
}

export interface VlanDescription {
  readonly tpid: number;
  readonly pcp: number;
  readonly dei: boolean;
  readonly vid: number;
}

export interface ArpDescription {
  readonly htype: number;
  readonly ptype: number;
  readonly hlen: number;
  readonly plen: number;
  readonly op: number;
  /** Read at the Ethernet/IPv4 offsets whatever hlen and plen say. */
  readonly sha: string;
  readonly spa: string;
  readonly tha: string;
  readonly tpa: string;
  /** htype 1, ptype 0x0800, hlen 6, plen 4. */
  readonly ethernetIpv4: boolean;
}

export interface Ipv4Description {
  readonly version: number;
  readonly ihl: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly reservedFlag: boolean;
  readonly df: boolean;
  readonly mf: boolean;
  /** In 8-byte units. */
  readonly fragOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly checksumValid: boolean | undefined;
  readonly src: string;
  readonly dst: string;
  /** Option type bytes in order (NOPs included, padding after end-of-list not). */
  readonly options: readonly number[];
}

export interface Ipv6Description {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: string;
  readonly dst: string;
  readonly extensions: readonly Ipv6ExtensionDescription[];
  /** The protocol after the extension headers. */
  readonly upperProtocol: number;
}

export interface Ipv6ExtensionDescription {
  readonly type: number;
  readonly length: number;
  readonly fragment?: { readonly offset: number; readonly more: boolean; readonly id: number };
}

export interface TcpDescription {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly dataOffset: number;
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly checksumValid: boolean | undefined;
  readonly urgent: number;
  /** Option kinds in order. */
  readonly options: readonly number[];
  readonly payloadLength: number;
}

export interface UdpDescription {
  readonly sport: number;
  readonly dport: number;
  readonly length: number;
  readonly checksum: number;
  /** Undefined also for a zero checksum over IPv4 ("none"). */
  readonly checksumValid: boolean | undefined;
  readonly payloadLength: number;
}

export interface IcmpDescription {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly checksumValid: boolean | undefined;
  /** For echo, timestamp, information and address-mask messages. */
  readonly id?: number;
  readonly seq?: number;
  readonly rest: number;
}

export interface Icmpv6Description {
  readonly type: number;
  readonly code: number;
  readonly checksum: number;
  readonly checksumValid: boolean | undefined;
  readonly rest: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** ICMP types whose bytes 4..7 are an identifier and a sequence number. */
const ICMP_ID_TYPES: ReadonlySet<number> = new Set([0, 8, 13, 14, 15, 16, 17, 18]);

export function describePacket(b: Uint8Array): PacketDescription {
  const d: Mutable<PacketDescription> = { length: b.length };
  if (b.length < 14) return { ...d, truncated: 'ethernet' };
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const vlans: VlanDescription[] = [];
  let off = 12;
  let type = u16(off);
  while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && off + 6 <= b.length) {
    const tci = u16(off + 2);
    vlans.push({ tpid: type, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0x0fff });
    off += 4;
    type = u16(off);
  }
  d.ethernet = { dst: formatMac(b, 0), src: formatMac(b, 6), vlans, etherType: type, l3Offset: off + 2 };
  if (type === 0x8100 || type === 0x88a8 || type === 0x9100) return { ...d, truncated: 'vlan' };
  const l3 = off + 2;
  if (type === 0x0806) describeArp(b, l3, d);
  else if (type === 0x0800) describeIpv4(b, l3, d);
  else if (type === 0x86dd) describeIpv6(b, l3, d);
  return d;
}

function describeArp(b: Uint8Array, at: number, d: Mutable<PacketDescription>): void {
  if (b.length < at + 28) {
    d.truncated = 'arp';
    return;
  }
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const htype = u16(at);
  const ptype = u16(at + 2);
  d.arp = {
    htype,
    ptype,
    hlen: b[at + 4],
    plen: b[at + 5],
    op: u16(at + 6),
    sha: formatMac(b, at + 8),
    spa: formatIpv4(b, at + 14),
    tha: formatMac(b, at + 18),
    tpa: formatIpv4(b, at + 24),
    ethernetIpv4: htype === 1 && ptype === 0x0800 && b[at + 4] === 6 && b[at + 5] === 4,
  };
}

function describeIpv4(b: Uint8Array, at: number, d: Mutable<PacketDescription>): void {
  if (b.length < at + 20) {
    d.truncated = 'ipv4';
    return;
  }
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const ihl = b[at] & 0x0f;
  const hlen = ihl * 4;
  const headerFits = ihl >= 5 && at + hlen <= b.length;
  const fragWord = u16(at + 6);
  const totalLength = u16(at + 2);
  const ip: Ipv4Description = {
    version: b[at] >> 4,
    ihl,
    tos: b[at + 1],
    totalLength,
    id: u16(at + 4),
    reservedFlag: (fragWord & 0x8000) !== 0,
    df: (fragWord & 0x4000) !== 0,
    mf: (fragWord & 0x2000) !== 0,
    fragOffset: fragWord & 0x1fff,
    ttl: b[at + 8],
    protocol: b[at + 9],
    checksum: u16(at + 10),
    checksumValid: headerFits ? checksumVerifies(sumWords(b, at, at + hlen)) : undefined,
    src: formatIpv4(b, at + 12),
    dst: formatIpv4(b, at + 16),
    options: headerFits ? optionTypes(b, at + 20, at + hlen) : [],
  };
  d.ipv4 = ip;
  if (ip.version !== 4 || ihl < 5) return;
  if (!headerFits) {
    d.truncated = 'ipv4 options';
    return;
  }
  if (ip.fragOffset !== 0) return;
  const l4 = at + hlen;
  // What the datagram says it holds, and whether all of it was captured.
  const end = Math.min(b.length, Math.max(l4, at + totalLength));
  const whole = totalLength >= hlen && at + totalLength <= b.length && !ip.mf;
  const src = b.subarray(at + 12, at + 16);
  const dst = b.subarray(at + 16, at + 20);
  describeL4(b, l4, end, ip.protocol, whole, (proto, len) => ipv4PseudoSum(src, dst, proto, len), false, d);
}

function describeIpv6(b: Uint8Array, at: number, d: Mutable<PacketDescription>): void {
  if (b.length < at + 40) {
    d.truncated = 'ipv6';
    return;
  }
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const word = ((b[at] << 24) | (b[at + 1] << 16) | u16(at + 2)) >>> 0;
  const payloadLength = u16(at + 4);
  const extensions: Ipv6ExtensionDescription[] = [];
  let nh = b[at + 6];
  let off = at + 40;
  let fragmented = false;
  for (let i = 0; i < 16 && (nh === 0 || nh === 43 || nh === 44 || nh === 60); i++) {
    if (off + 8 > b.length) {
      d.truncated = 'ipv6 extension';
      break;
    }
    if (nh === 44) {
      const fw = u16(off + 2);
      const fragment = { offset: fw >> 3, more: (fw & 1) !== 0, id: ((u16(off + 4) << 16) | u16(off + 6)) >>> 0 };
      fragmented = fragmented || fragment.offset !== 0 || fragment.more;
      extensions.push({ type: nh, length: 8, fragment });
      nh = b[off];
      off += 8;
      if (fragment.offset !== 0) break;
    } else {
      const len = (b[off + 1] + 1) * 8;
      extensions.push({ type: nh, length: len });
      nh = b[off];
      off += len;
    }
  }
  d.ipv6 = {
    trafficClass: (word >>> 20) & 0xff,
    flowLabel: word & 0xfffff,
    payloadLength,
    nextHeader: b[at + 6],
    hopLimit: b[at + 7],
    src: formatIpv6(b, at + 8),
    dst: formatIpv6(b, at + 24),
    extensions,
    upperProtocol: nh,
  };
  if (d.truncated || off > b.length) {
    d.truncated = 'ipv6 extension';
    return;
  }
  if (extensions.some((e) => e.fragment && e.fragment.offset !== 0)) return;
  const end = Math.min(b.length, at + 40 + payloadLength);
  const whole = at + 40 + payloadLength <= b.length && !fragmented && off <= end;
  const src = b.subarray(at + 8, at + 24);
  const dst = b.subarray(at + 24, at + 40);
  describeL4(b, off, Math.max(end, off), nh, whole, (proto, len) => ipv6PseudoSum(src, dst, proto, len), true, d);
}

function describeL4(
  b: Uint8Array,
  at: number,
  end: number,
  proto: number,
  whole: boolean,
  pseudo: (proto: number, len: number) => number,
  v6: boolean,
  d: Mutable<PacketDescription>,
): void {
  const u16 = (o: number): number => (b[o] << 8) | b[o + 1];
  const u32 = (o: number): number => ((u16(o) << 16) | u16(o + 2)) >>> 0;
  const len = end - at;
  const verify = (sum: () => number): boolean | undefined => (whole ? checksumVerifies(sum()) : undefined);
  if (proto === 6) {
    if (b.length < at + 20) {
      d.truncated = 'tcp';
      return;
    }
    const dataOffset = b[at + 12] >> 4;
    const hl = Math.max(dataOffset * 4, 20);
    d.tcp = {
      sport: u16(at),
      dport: u16(at + 2),
      seq: u32(at + 4),
      ack: u32(at + 8),
      dataOffset,
      flags: b[at + 13],
      window: u16(at + 14),
      checksum: u16(at + 16),
      checksumValid: verify(() => pseudo(6, len) + sumWords(b, at, end)),
      urgent: u16(at + 18),
      options: at + hl <= b.length ? optionTypes(b, at + 20, at + hl) : [],
      payloadLength: Math.max(0, len - hl),
    };
  } else if (proto === 17) {
    if (b.length < at + 8) {
      d.truncated = 'udp';
      return;
    }
    const checksum = u16(at + 6);
    const length = u16(at + 4);
    d.udp = {
      sport: u16(at),
      dport: u16(at + 2),
      length,
      checksum,
      checksumValid: checksum === 0 && !v6 ? undefined : verify(() => pseudo(17, len) + sumWords(b, at, end)),
      payloadLength: Math.max(0, len - 8),
    };
    if (d.udp.sport === 53 || d.udp.dport === 53) {
      const dns = decodeDns(b, at + 8, Math.min(end, at + Math.max(length, 8)));
      if (dns) d.dns = dns;
    }
  } else if (proto === 1 && !v6) {
    if (b.length < at + 8) {
      d.truncated = 'icmp';
      return;
    }
    const type = b[at];
    d.icmp = {
      type,
      code: b[at + 1],
      checksum: u16(at + 2),
      checksumValid: verify(() => sumWords(b, at, end)),
      ...(ICMP_ID_TYPES.has(type) && { id: u16(at + 4), seq: u16(at + 6) }),
      rest: u32(at + 4),
    };
  } else if (proto === 58 && v6) {
    if (b.length < at + 8) {
      d.truncated = 'icmpv6';
      return;
    }
    d.icmpv6 = {
      type: b[at],
      code: b[at + 1],
      checksum: u16(at + 2),
      checksumValid: verify(() => pseudo(58, len) + sumWords(b, at, end)),
      rest: u32(at + 4),
    };
  }
}

/** Option type bytes of an IPv4 or TCP option area (same encoding: 0 ends, 1 pads). */
function optionTypes(b: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  let i = start;
  while (i < end) {
    const t = b[i];
    if (t === 0) break;
    out.push(t);
    if (t === 1) {
      i++;
      continue;
    }
    const len = i + 1 < end ? b[i + 1] : 0;
    if (len < 2) break;
    i += len;
  }
  return out;
}
