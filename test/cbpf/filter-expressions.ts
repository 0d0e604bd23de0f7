/**
 * The expressions `bpf2pf cbpf compile` is tested on: every tcpdump expression of
 * expressions.ts (all of them are in the supported subset), more that exercise the
 * grammar (inherited qualifiers, and/or precedence, vlan offsets, nets, ranges,
 * arithmetic), two long ones that need far jumps, and the ones it refuses.
 */
import { EXPRESSIONS, ROUND_TRIP_ONLY } from './expressions.js';

const MORE: readonly string[] = [
  // qualifiers inherited by bare ids, and the direction forms
  'host 10.0.0.1 or 10.0.0.2 or 10.0.0.3', 'tcp dst port 22 or 23 or 80', 'not host 10.0.0.1 and 10.0.0.2',
  'src and dst host 10.0.0.1', 'src or dst net 192.168.1.0/24', 'src and dst port 80', 'ether src 00:11:22:33:44:55 or 00:11:22:33:44:56',
  'arp src 10.0.0.1', 'rarp host 10.0.0.1', 'ip src 10.0.0.1 or dst 10.0.0.2', 'src 10.0.0.1',
  // nets written the other ways
  'net 10', 'host 10.1', 'net 10.1', 'net 0.0.0.0/0', 'dst net 224.0.0.0/4', 'ip6 src host 2001:db8::1 and ip6 dst net ff02::/16',
  'ip6 host ::1', 'ip6 net 2001:db8:1::/48',
  // protocols
  'ip broadcast', 'ip6 multicast', 'igmp', 'sctp', 'ah or esp', 'pim', 'vrrp', 'proto 17', 'ip proto 132', 'ether proto 0x86dd and ip6 proto 6',
  'udp port 1 or tcp', 'sctp port 80', 'tcp portrange 80-80', 'portrange 6010-6000',
  // and/or have equal precedence, left to right; not binds tightest
  'ip or arp and ether multicast', 'not ip or arp', '! tcp && ! udp', 'tcp || udp && port 53', 'not (tcp port 80 or udp port 53)',
  // vlan moves what follows, whatever the and/or
  'vlan and vlan 20', 'vlan or ip', 'not vlan and ip', 'vlan 10 or vlan 20 and udp',
  // relations and arithmetic
  'ip[2:2] > ip[3]', 'ip[2:2] = ip[3]', 'tcp[12:4] > 0 and (udp or tcp)', 'len >= 100 and len <= 200', 'icmp and icmp[icmpcode] != 0',
  'ip[0] & 0xf0 = 0x40', 'tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack = 0', '(tcp[0:2] > 1023 and tcp[2:2] > 1023) or udp',
  'ether[6:4] = 0x00112233 and ether[10:2] = 0x4455', 'ip[9] == 6 or ip[9] == 17 or ip[9] == 1', 'ip[12:4] & 0xffff0000 = 0x0a000000',
  'udp[0:2] = 53 or udp[2:2] = 53', 'not ip[6:2] & 0x3fff != 0', '1 + tcp[1] == 3', 'ip[1] + tcp[1] == 3', 'tcp[1] + ip[1] == 3',
  'ip[2:2] - ip[0] * 4 > 40', 'ip[8] >> 2 == 16', 'ip[8] << 1 > 100', '5 < ip[8]', 'ip[16] | 0x0f == 0xef', 'len - 14 > 100',
  'ether[12:2] & 0xff00 == 0x8600', 'udp[4:2] - 8 == 0', 'ip[1] ^ 0xff == 0x47', 'port 010', 'ip[010] == 1',
];

/** 120 alternatives: tcpdump needs ja trampolines; we need ret copies. */
export const LONG_HOSTS = Array.from({ length: 120 }, (_, i) => `host 10.0.0.${i + 1}`).join(' or ');
export const LONG_PORTS = Array.from({ length: 40 }, (_, i) => `port ${1000 + i * 7}`).join(' or ');

export const FILTER_EXPRESSIONS: readonly string[] = [...EXPRESSIONS, ...MORE, LONG_HOSTS, LONG_PORTS];

/** Short names for test titles. */
export function title(expr: string): string {
  return expr.length > 80 ? `${expr.slice(0, 40)} ... ${expr.slice(-30)}` : expr;
}

/** Expressions tcpdump refuses as matching nothing; we compile them to `ret #0`. */
export const MATCH_NOTHING: readonly string[] = ['ip and ip6', 'ip and 1 = 2', 'ip and vlan', 'tcp and udp and port 80', 'ip or arp and vlan'];

/** What the compiler refuses, with the error code and a word the message must contain. */
export const REFUSED: readonly { readonly expr: string; readonly code: string; readonly says: string }[] = [
  // outside the subset
  ...ROUND_TRIP_ONLY.map((expr) => ({ expr, code: 'CBPF_UNSUPPORTED', says: /protochain/.test(expr) ? 'protochain' : /ifindex/.test(expr) ? 'ifindex' : 'inbound' })),
  { expr: 'host www.example.com', code: 'CBPF_UNSUPPORTED', says: 'names are not resolved' },
  { expr: 'tcp port http', code: 'CBPF_UNSUPPORTED', says: 'service names' },
  { expr: 'ether proto 100', code: 'CBPF_UNSUPPORTED', says: '802.3' },
  { expr: 'ip[1] << ip[2] == 0', code: 'CBPF_UNSUPPORTED', says: 'shift by a packet value' },
  { expr: 'ip[1] | 1 ^ 3 == 0', code: 'CBPF_UNSUPPORTED', says: "'^'" },
  { expr: 'icmp6[0] == 128', code: 'CBPF_UNSUPPORTED', says: 'icmp6[' },
  { expr: 'gateway 10.0.0.1', code: 'CBPF_UNSUPPORTED', says: 'gateway' },
  { expr: 'mpls 100', code: 'CBPF_UNSUPPORTED', says: 'mpls' },
  { expr: 'ip[0] > tcpflagz', code: 'CBPF_UNSUPPORTED', says: 'tcpflagz' },
  // what libpcap refuses too
  { expr: 'net 10.0.0.1/8', code: 'CBPF_FILTER_INVALID', says: 'non-network bits' },
  { expr: 'port 70000', code: 'CBPF_FILTER_INVALID', says: '65535' },
  { expr: 'ip[8] / 0 == 1', code: 'CBPF_FILTER_INVALID', says: 'division by zero' },
  { expr: 'ip[1] << 33 == 0', code: 'CBPF_FILTER_INVALID', says: '31 bits' },
  { expr: 'vlan 5000', code: 'CBPF_FILTER_INVALID', says: '4095' },
  { expr: 'tcp src 80', code: 'CBPF_FILTER_INVALID', says: "'tcp' modifier" },
  { expr: 'host 00:11:22:33:44:55', code: 'CBPF_FILTER_INVALID', says: 'non-ether' },
  { expr: 'ip6 host 10.0.0.1', code: 'CBPF_FILTER_INVALID', says: "'ip6' modifier" },
  { expr: 'ip port 53', code: 'CBPF_FILTER_INVALID', says: "illegal qualifier of 'port'" },
  { expr: 'ip[0:3] == 1', code: 'CBPF_FILTER_INVALID', says: '1, 2, or 4' },
  { expr: '(host 10.0.0.1) or 10.0.0.2', code: 'CBPF_FILTER_INVALID', says: 'no qualifiers' },
  { expr: 'port 09', code: 'CBPF_FILTER_INVALID', says: 'octal' },
  // not the language at all
  { expr: 'ip and', code: 'CBPF_FILTER_SYNTAX', says: 'end of expression' },
  { expr: 'tcp port', code: 'CBPF_FILTER_SYNTAX', says: 'column 9' },
  { expr: 'ip[8 == 1', code: 'CBPF_FILTER_SYNTAX', says: 'column' },
  { expr: 'host 10.0.0.1 $', code: 'CBPF_FILTER_SYNTAX', says: "'$'" },
];
