/**
 * The named constants and protocol names of pcap-filter(7), with libpcap's values.
 */
import type { ProtoAbbrev } from './ast.js';

/** Constants usable in arithmetic: field offsets and flag values (pcap-filter(7)). */
export const ARITH_NAMES: Readonly<Record<string, number>> = {
  // offsets
  tcpflags: 13, icmptype: 0, icmpcode: 1,
  // TCP flags
  'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10, 'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80,
  // ICMP types
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5, 'icmp-echo': 8, 'icmp-routeradvert': 9,
  'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12, 'icmp-tstamp': 13, 'icmp-tstampreply': 14,
  'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17, 'icmp-maskreply': 18,
};

/** Protocol names that are a primitive on their own. */
export const PROTO_ABBREVS: readonly ProtoAbbrev[] = ['ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6', 'igmp', 'ah', 'esp', 'pim', 'vrrp'];

/** EtherTypes. */
export const ETHERTYPE = { ip: 0x0800, arp: 0x0806, rarp: 0x8035, ip6: 0x86dd } as const;

/** IP protocol numbers, and which families libpcap checks a name in (its gen_proto_abbrev). */
export const IP_PROTOCOLS: Readonly<Record<Exclude<ProtoAbbrev, 'ip' | 'ip6' | 'arp' | 'rarp'>, { readonly value: number; readonly family: 'ip' | 'ip6' | 'any' }>> = {
  tcp: { value: 6, family: 'any' },
  udp: { value: 17, family: 'any' },
  sctp: { value: 132, family: 'any' },
  icmp: { value: 1, family: 'ip' },
  icmp6: { value: 58, family: 'ip6' },
  igmp: { value: 2, family: 'ip' },
  ah: { value: 51, family: 'any' },
  esp: { value: 50, family: 'any' },
  pim: { value: 103, family: 'any' },
  vrrp: { value: 112, family: 'ip' },
};

/** The VLAN TPIDs libpcap accepts for `vlan`, in the order it tests them. */
export const VLAN_TPIDS: readonly number[] = [0x8100, 0x88a8, 0x9100];
