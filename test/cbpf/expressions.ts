/**
 * tcpdump filter expressions of the kinds ng_bpf classifiers need, compiled on Ethernet
 * (ng_ether, ng_eiface and ng_bridge hooks all see Ethernet frames without the FCS).
 */
export const EXPRESSIONS: readonly string[] = [
  // link layer
  'ip', 'ip6', 'arp', 'rarp', 'ether proto 0x88cc', 'ether[12:2] == 0x0806',
  'ether host 00:11:22:33:44:55', 'ether src 00:11:22:33:44:55', 'ether dst ff:ff:ff:ff:ff:ff',
  'ether broadcast', 'ether multicast', 'ether[0] & 1 != 0', 'not arp and not ip6',
  // ARP with field tests
  'arp and arp[6:2] == 1', 'arp and arp[6:2] == 2', 'arp and arp[24:4] == 0x0a000001', 'arp host 10.0.0.1',
  // VLAN
  'vlan', 'vlan 10', 'vlan 10 and ip', 'vlan and arp', 'vlan 100 and tcp port 80', 'vlan and ip6',
  // hosts and nets
  'host 10.0.0.1', 'src host 10.0.0.1', 'dst host 192.168.1.10', 'net 192.168.1.0/24', 'src net 10.0.0.0/8',
  'dst net 172.16.0.0 mask 255.240.0.0', 'ip host 10.0.0.1 and not ip host 10.0.0.2',
  'ip6 host 2001:db8::1', 'ip6 net 2001:db8::/32', 'ip6 src net fe80::/10', 'ip multicast',
  'ether src 00:11:22:33:44:55 and src host 10.0.0.1',
  // ports
  'port 80', 'tcp port 443', 'udp port 53', 'src port 22', 'dst port 8080', 'portrange 1024-1030',
  'tcp dst portrange 6000-6010', 'udp src portrange 1-1023', 'ip and udp and udp[2:2] == 4789',
  'ip6 and tcp and tcp dst port 22', 'tcp and (port 80 or port 443) and not src net 10.0.0.0/8',
  'udp and not port 53', '(tcp or udp) and dst host 10.0.0.1',
  // TCP flags
  'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', 'tcp[tcpflags] & tcp-rst != 0',
  'tcp[tcpflags] & (tcp-fin|tcp-syn) != 0', 'tcp[13] == 0x12', 'tcp[tcpflags] == tcp-syn and dst port 22',
  // ICMP
  'icmp', 'icmp[icmptype] == icmp-echo', 'icmp[icmptype] == icmp-echoreply or icmp[icmptype] == icmp-unreach',
  'icmp[0] == 11', 'icmp6', 'icmp6 and ip6[40] == 128',
  // IP header fields
  'ip[0] & 0xf > 5', 'ip[6:2] & 0x1fff != 0', 'ip[6] & 0x20 != 0', 'ip[8] < 5', 'ip[1] & 0xfc == 0xb8',
  'ip[2:2] > 576', 'ip proto 47', 'ip6 proto 17',
  // lengths
  'len <= 64', 'len > 1000', 'greater 100', 'less 60',
  // payload and arithmetic (ALU, scratch memory, indexed loads)
  'udp[8:4] == 0xdeadbeef', 'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420',
  'ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2) != 0', 'ip[8] % 3 == 0', '(ip[9] ^ 0x06) == 0',
  'ip[16] * 2 > 300', 'ip[8] / 4 == 16', 'ether[len - 1] == 0xff', 'ip[0] & 0xf != 5 or -ip[8] > 4000000000',
];

/**
 * Expressions whose programs only round-trip: Linux-built libpcap compiles `inbound`
 * and `ifindex` into Linux's ancillary loads, and `ip6 protochain` into a backward ja
 * (accepted by libpcap's validator, refused by FreeBSD's and Linux's).
 */
export const ROUND_TRIP_ONLY: readonly string[] = ['inbound', 'ifindex 3', 'ip6 protochain 6', 'vlan and inbound'];

/** For ng_iface's inet and inet6 hooks, which see bare IP packets (tcpdump -y RAW). */
export const RAW_IP_EXPRESSIONS: readonly string[] = [
  'ip', 'ip6', 'tcp port 80', 'udp and dst port 53', 'icmp[icmptype] == icmp-echo', 'ip6 and tcp dst port 22', 'tcp[tcpflags] & tcp-syn != 0',
  'net 192.168.1.0/24', 'ip[6:2] & 0x1fff != 0',
];
