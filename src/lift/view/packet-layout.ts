/**
 * Where header fields are, by layer: what a byte offset a program reads means. Offsets of
 * a layer are relative to the layer's start; the start of L3 follows the frame's
 * EtherType (14, or 18 behind one 802.1Q tag) and L4 the IPv4 header length.
 */

export type Layer = 'eth' | 'vlan' | 'ip4' | 'ip6' | 'arp' | 'l4';

/** Stable field names, as atoms and the report print them. */
export type FieldId =
  | 'eth.dst' | 'eth.src' | 'eth.type'
  | 'vlan.tci' | 'vlan.type'
  | 'ip4.vihl' | 'ip4.tos' | 'ip4.len' | 'ip4.id' | 'ip4.frag' | 'ip4.ttl' | 'ip4.proto' | 'ip4.csum' | 'ip4.src' | 'ip4.dst' | 'ip4.opt'
  | 'ip6.flow' | 'ip6.plen' | 'ip6.next' | 'ip6.hlim' | 'ip6.src' | 'ip6.dst'
  | 'arp.htype' | 'arp.ptype' | 'arp.hlen' | 'arp.plen' | 'arp.op' | 'arp.sha' | 'arp.spa' | 'arp.tha' | 'arp.tpa'
  | 'l4.sport' | 'l4.dport' | 'tcp.seq' | 'tcp.ack' | 'tcp.off' | 'tcp.flags' | 'tcp.win' | 'l4.csum' | 'tcp.urp' | 'udp.len'
  | 'icmp.type' | 'icmp.code' | 'icmp.id' | 'icmp.seq' | 'l4.payload';

export interface FieldDef {
  readonly id: FieldId;
  readonly offset: number;
  readonly size: number;
}

const f = (id: FieldId, offset: number, size: number): FieldDef => ({ id, offset, size });

export const ETH_FIELDS: readonly FieldDef[] = [f('eth.dst', 0, 6), f('eth.src', 6, 6), f('eth.type', 12, 2)];
export const VLAN_FIELDS: readonly FieldDef[] = [f('vlan.tci', 14, 2), f('vlan.type', 16, 2)];
export const IP4_FIELDS: readonly FieldDef[] = [
  f('ip4.vihl', 0, 1), f('ip4.tos', 1, 1), f('ip4.len', 2, 2), f('ip4.id', 4, 2), f('ip4.frag', 6, 2), f('ip4.ttl', 8, 1),
  f('ip4.proto', 9, 1), f('ip4.csum', 10, 2), f('ip4.src', 12, 4), f('ip4.dst', 16, 4),
];
export const IP6_FIELDS: readonly FieldDef[] = [f('ip6.flow', 0, 4), f('ip6.plen', 4, 2), f('ip6.next', 6, 1), f('ip6.hlim', 7, 1), f('ip6.src', 8, 16), f('ip6.dst', 24, 16)];
export const ARP_FIELDS: readonly FieldDef[] = [
  f('arp.htype', 0, 2), f('arp.ptype', 2, 2), f('arp.hlen', 4, 1), f('arp.plen', 5, 1), f('arp.op', 6, 2),
  f('arp.sha', 8, 6), f('arp.spa', 14, 4), f('arp.tha', 18, 6), f('arp.tpa', 24, 4),
];
export const TCP_FIELDS: readonly FieldDef[] = [
  f('l4.sport', 0, 2), f('l4.dport', 2, 2), f('tcp.seq', 4, 4), f('tcp.ack', 8, 4), f('tcp.off', 12, 1), f('tcp.flags', 13, 1),
  f('tcp.win', 14, 2), f('l4.csum', 16, 2), f('tcp.urp', 18, 2),
];
export const UDP_FIELDS: readonly FieldDef[] = [f('l4.sport', 0, 2), f('l4.dport', 2, 2), f('udp.len', 4, 2), f('l4.csum', 6, 2)];
/** TCP and UDP share the port words; a path that allows both reads ports only there. */
export const PORT_FIELDS: readonly FieldDef[] = [f('l4.sport', 0, 2), f('l4.dport', 2, 2)];
export const ICMP_FIELDS: readonly FieldDef[] = [f('icmp.type', 0, 1), f('icmp.code', 1, 1), f('l4.csum', 2, 2), f('icmp.id', 4, 2), f('icmp.seq', 6, 2)];

/** L4 header sizes by IP protocol: reads inside them are well-formed packets' own bytes. */
export const L4_HEADER_SIZE: Readonly<Record<number, number>> = { 6: 20, 17: 8, 1: 8, 58: 8 };

export const ETHERTYPE = { ip4: 0x0800, ip6: 0x86dd, arp: 0x0806, vlan: 0x8100, qinq: 0x88a8 } as const;

/** The field holding byte `at` of a layer, and the byte's place in it. */
export function fieldAt(fields: readonly FieldDef[], at: number): { field: FieldDef; byte: number } | undefined {
  const d = fields.find((x) => at >= x.offset && at < x.offset + x.size);
  return d ? { field: d, byte: at - d.offset } : undefined;
}

export function fieldById(id: FieldId): FieldDef | undefined {
  for (const table of [ETH_FIELDS, VLAN_FIELDS, IP4_FIELDS, IP6_FIELDS, ARP_FIELDS, TCP_FIELDS, UDP_FIELDS, ICMP_FIELDS]) {
    const d = table.find((x) => x.id === id);
    if (d) return d;
  }
  return undefined;
}
