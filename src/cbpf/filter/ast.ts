/**
 * A filter expression after resolution (resolve.ts): every primitive has its meaning
 * spelled out (protocol family, direction, address and mask, port range) and every
 * number is in range. Lowering (lower.ts) turns this into tests on packet bytes.
 */

/** Which address a host/net/port primitive looks at. */
export type Direction = 'src' | 'dst' | 'src or dst' | 'src and dst';

/** Protocols a host/net primitive may name; `any` is tcpdump's default (IPv4, ARP, RARP). */
export type HostFamily = 'ether' | 'ip' | 'arp' | 'rarp' | 'ip6' | 'any';

/** Transports a port primitive may name; `any` is sctp, tcp and udp. */
export type PortTransport = 'tcp' | 'udp' | 'sctp' | 'any';

/** Protocols `proto[off]` may load from. Transport ones are reached through IPv4. */
export type LoadProto = 'ether' | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'icmp' | 'igmp' | 'sctp';

/** Protocol names that stand alone as a primitive (`tcp`, `ip6`, `arp`). */
export type ProtoAbbrev =
  | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp' | 'ah' | 'esp' | 'pim' | 'vrrp';

export type Primitive =
  | { readonly kind: 'abbrev'; readonly proto: ProtoAbbrev }
  /** `ether proto N` (N > 1500: an EtherType, not an 802.3 length). */
  | { readonly kind: 'ether-proto'; readonly value: number }
  /** `ip proto N`, `ip6 proto N`, `proto N` (family any: both). */
  | { readonly kind: 'ip-proto'; readonly family: 'ip' | 'ip6' | 'any'; readonly value: number }
  /** An Ethernet address: 6 bytes. */
  | { readonly kind: 'ether-host'; readonly dir: Direction; readonly mac: readonly number[] }
  /** An IPv4 host or net: `addr` and `mask` are u32 (a host has mask 0xffffffff). */
  | { readonly kind: 'ip-host'; readonly family: 'ip' | 'arp' | 'rarp' | 'any'; readonly dir: Direction; readonly addr: number; readonly mask: number }
  /** An IPv6 host or net: four u32 words each. */
  | { readonly kind: 'ip6-host'; readonly dir: Direction; readonly addr: readonly number[]; readonly mask: readonly number[] }
  /** `port N` is lo == hi with `range` false; `portrange A-B` has `range` true (lo <= hi). */
  | { readonly kind: 'port'; readonly transport: PortTransport; readonly dir: Direction; readonly lo: number; readonly hi: number; readonly range: boolean }
  /** `vlan [ID]`: also moves every later primitive 4 bytes on, as libpcap does. */
  | { readonly kind: 'vlan'; readonly id?: number }
  /** `greater N` (length >= N) and `less N` (length <= N). */
  | { readonly kind: 'length'; readonly which: 'greater' | 'less'; readonly value: number }
  | { readonly kind: 'ether-broadcast' }
  | { readonly kind: 'ether-multicast' }
  | { readonly kind: 'ip-broadcast' }
  | { readonly kind: 'ip-multicast' }
  | { readonly kind: 'ip6-multicast' };

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'mod' | 'and' | 'or' | 'xor' | 'lsh' | 'rsh';

/** An arithmetic expression over packet bytes; all values are u32. */
export type Arith =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'len' }
  | { readonly kind: 'load'; readonly proto: LoadProto; readonly index: Arith; readonly size: 1 | 2 | 4 }
  | { readonly kind: 'binary'; readonly op: ArithOp; readonly left: Arith; readonly right: Arith }
  | { readonly kind: 'neg'; readonly arg: Arith };

export type RelOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type Filter =
  | { readonly kind: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly arg: Filter }
  | { readonly kind: 'primitive'; readonly prim: Primitive }
  | { readonly kind: 'relation'; readonly op: RelOp; readonly left: Arith; readonly right: Arith }
  /** The empty expression: every packet. */
  | { readonly kind: 'true' };
