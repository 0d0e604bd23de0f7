/**
 * Frames as plain data, built into bytes by `buildFrame`. Every field has a correct
 * default (lengths, checksums, protocol numbers follow from what is inside), and every
 * field can be overridden to build the malformed frames tests need: a wrong IHL, a
 * corrupted checksum, an ARP with the wrong hardware length.
 *
 * Addresses are strings (dotted IPv4, RFC 5952 IPv6, colon-separated MACs). Numbers are
 * host values (port 53 is 53); the builder writes them in network order.
 */

/** What to put in a checksum field: the right value, a wrong one, zero, or exactly this. */
export type ChecksumChoice = 'valid' | 'corrupt' | 'zero' | { readonly value: number };

export type FrameSpec = EthernetFrameSpec | RawFrameSpec;

/** Bytes as they are: garbage, runts, anything no builder makes. */
export interface RawFrameSpec {
  readonly kind: 'raw';
  readonly bytes: Uint8Array;
}

export interface EthernetFrameSpec {
  readonly kind: 'ethernet';
  readonly dst?: string;
  readonly src?: string;
  /** Outermost first. */
  readonly vlans?: readonly VlanTag[];
  /** Overrides the EtherType the body implies. */
  readonly etherType?: number;
  readonly body: L3Spec;
  /** Appended after the body (Ethernet padding, trailers). */
  readonly trailer?: Uint8Array;
  /** Zero-pad the frame to at least this many bytes (60 is Ethernet's minimum). */
  readonly minLength?: number;
  /** Cut the built frame to this many bytes (a truncated capture). */
  readonly truncateTo?: number;
}

export interface VlanTag {
  /** 0x8100 (802.1Q, the default) or 0x88a8 (802.1ad outer tag). */
  readonly tpid?: number;
  readonly pcp?: number;
  readonly dei?: boolean;
  readonly vid: number;
}

export type L3Spec = ArpSpec | Ipv4Spec | Ipv6Spec | RawL3Spec;

/** Any payload behind an EtherType (or an 802.3 length when below 0x600). */
export interface RawL3Spec {
  readonly kind: 'raw';
  readonly etherType: number;
  readonly bytes: Uint8Array;
}

/** Ethernet/IPv4 ARP; the header numbers can be set wrong, the addresses stay 6 and 4 bytes. */
export interface ArpSpec {
  readonly kind: 'arp';
  readonly htype?: number;
  readonly ptype?: number;
  readonly hlen?: number;
  readonly plen?: number;
  /** 1 request, 2 reply. */
  readonly op: number;
  readonly sha: string;
  readonly spa: string;
  readonly tha?: string;
  readonly tpa: string;
}

export interface Ipv4Spec {
  readonly kind: 'ipv4';
  readonly src: string;
  readonly dst: string;
  /** Defaults to 4; anything else makes a malformed header. */
  readonly version?: number;
  /** Header length in 32-bit words; defaults to what the options need. */
  readonly ihl?: number;
  readonly tos?: number;
  /** Defaults to the header plus the payload. */
  readonly totalLength?: number;
  readonly id?: number;
  readonly reservedFlag?: boolean;
  readonly df?: boolean;
  readonly mf?: boolean;
  /** In 8-byte units, as in the header. */
  readonly fragOffset?: number;
  /** Defaults to 64. */
  readonly ttl?: number;
  /** Defaults to the payload's protocol. */
  readonly protocol?: number;
  readonly checksum?: ChecksumChoice;
  readonly options?: readonly Ipv4Option[];
  readonly payload: Ipv4Payload;
}

export type Ipv4Payload = TcpSpec | UdpSpec | IcmpSpec | Ipv4Spec | Ipv6Spec | RawL4Spec;

/** Padded with end-of-list to a multiple of 4 bytes. */
export type Ipv4Option =
  | { readonly kind: 'eol' }
  | { readonly kind: 'nop' }
  /** Record route with room for `slots` addresses. */
  | { readonly kind: 'rr'; readonly slots: number }
  /** Timestamp (flag 0) with room for `slots` stamps. */
  | { readonly kind: 'timestamp'; readonly slots: number }
  /** Router alert (RFC 2113), value 0. */
  | { readonly kind: 'ra' }
  /** Type and data as given; the length byte is written for types >= 2. */
  | { readonly kind: 'raw'; readonly type: number; readonly data: Uint8Array };

export interface Ipv6Spec {
  readonly kind: 'ipv6';
  readonly src: string;
  readonly dst: string;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
  readonly payloadLength?: number;
  /** Overrides the first next-header value. */
  readonly nextHeader?: number;
  /** Defaults to 64. */
  readonly hopLimit?: number;
  readonly extensions?: readonly Ipv6Extension[];
  readonly payload: Ipv6Payload;
}

export type Ipv6Payload = TcpSpec | UdpSpec | Icmpv6Spec | Ipv4Spec | Ipv6Spec | RawL4Spec;

export type Ipv6Extension =
  /** Hop-by-hop (0), destination options (60) or routing (43): (hdrExtLen + 1) * 8 bytes, padding options. */
  | { readonly kind: 'hop' | 'dest' | 'routing'; readonly hdrExtLen?: number }
  /** Fragment header (44); offset in 8-byte units. */
  | { readonly kind: 'fragment'; readonly offset?: number; readonly more?: boolean; readonly id?: number };

/** Bytes behind an IP header with this protocol number. */
export interface RawL4Spec {
  readonly kind: 'raw';
  readonly protocol: number;
  readonly bytes: Uint8Array;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpSpec {
  readonly kind: 'tcp';
  readonly sport: number;
  readonly dport: number;
  readonly seq?: number;
  readonly ack?: number;
  /** The flags byte (TCP_SYN | TCP_ACK ...). */
  readonly flags: number;
  /** In 32-bit words; defaults to what the options need. */
  readonly dataOffset?: number;
  readonly window?: number;
  readonly urgent?: number;
  readonly options?: readonly TcpOption[];
  readonly checksum?: ChecksumChoice;
  readonly payload?: Uint8Array;
}

/** Padded with end-of-list to a multiple of 4 bytes. */
export type TcpOption =
  | { readonly kind: 'eol' }
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'wscale'; readonly shift: number }
  | { readonly kind: 'sackPermitted' }
  | { readonly kind: 'timestamp'; readonly value: number; readonly echo: number }
  | { readonly kind: 'raw'; readonly type: number; readonly data: Uint8Array };

export interface UdpSpec {
  readonly kind: 'udp';
  readonly sport: number;
  readonly dport: number;
  /** Defaults to 8 + the payload. */
  readonly length?: number;
  /** 'zero' means "no checksum" over IPv4. */
  readonly checksum?: ChecksumChoice;
  readonly payload?: Uint8Array;
}

export interface IcmpSpec {
  readonly kind: 'icmp';
  readonly type: number;
  readonly code?: number;
  /** Echo identifier and sequence (bytes 4..7); ignored when `rest` is given. */
  readonly id?: number;
  readonly seq?: number;
  /** Bytes 4..7 as one big-endian number (unused, pointer, next-hop MTU ...). */
  readonly rest?: number;
  readonly checksum?: ChecksumChoice;
  readonly payload?: Uint8Array;
}

export interface Icmpv6Spec {
  readonly kind: 'icmpv6';
  readonly type: number;
  readonly code?: number;
  /** Bytes 4..7 (echo id << 16 | seq, or the MTU, ...). */
  readonly rest?: number;
  readonly checksum?: ChecksumChoice;
  readonly payload?: Uint8Array;
}

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const ETH_P_IPV6 = 0x86dd;

export const IPPROTO_ICMP = 1;
export const IPPROTO_IPIP = 4;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_GRE = 47;
export const IPPROTO_ICMPV6 = 58;
