/**
 * One frame of each kind the builders make, labelled: every header field a builder
 * takes is set somewhere here, and every malformed variant appears once. Shared by the
 * tcpdump peer test and the decoder's unit tests.
 */
import { dnsFlags, encodeDns } from '../../src/packet/dns.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type EthernetFrameSpec, type FrameSpec, type Ipv4Spec, type L3Spec } from '../../src/packet/frame-spec.js';

const MAC_VM = '20:90:6f:fc:fc:fc';
const MAC_GW = 'ee:ff:ff:ff:ff:ff';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

function v4(payload: Ipv4Spec['payload'], extra: Partial<Ipv4Spec> = {}): Ipv4Spec {
  return { kind: 'ipv4', src: '169.254.68.6', dst: '93.184.216.34', id: 4242, ttl: 64, payload, ...extra };
}

function frame(body: L3Spec, extra: Partial<EthernetFrameSpec> = {}): FrameSpec {
  return { kind: 'ethernet', src: MAC_VM, dst: MAC_GW, body, ...extra };
}

const query = encodeDns({ id: 0x1234, flags: dnsFlags({ rd: true }), questions: [{ name: 'www.Example.com' }] });
const answer = encodeDns({
  id: 0x1234,
  flags: dnsFlags({ qr: true, rd: true, ra: true }),
  questions: [{ name: 'www.example.com' }],
  answers: [
    { name: 'www.example.com', ttl: 300, data: { kind: 'cname', target: 'edge.example.net' } },
    { name: 'edge.example.net', ttl: 60, data: { kind: 'a', address: '93.184.216.34' } },
    { name: 'edge.example.net', ttl: 60, data: { kind: 'a', address: '93.184.216.35' } },
  ],
});

export const FRAME_CATALOGUE: readonly { readonly label: string; readonly spec: FrameSpec }[] = [
  { label: 'arp request', spec: frame({ kind: 'arp', op: 1, sha: MAC_VM, spa: '169.254.68.6', tpa: '169.254.68.5' }, { dst: 'ff:ff:ff:ff:ff:ff' }) },
  { label: 'arp reply', spec: frame({ kind: 'arp', op: 2, sha: MAC_GW, spa: '169.254.68.5', tha: MAC_VM, tpa: '169.254.68.6' }) },
  { label: 'arp wrong htype', spec: frame({ kind: 'arp', op: 1, htype: 6, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }) },
  { label: 'arp wrong ptype', spec: frame({ kind: 'arp', op: 1, ptype: 0x86dd, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }) },
  { label: 'arp wrong hlen', spec: frame({ kind: 'arp', op: 1, hlen: 8, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }) },
  { label: 'arp wrong plen', spec: frame({ kind: 'arp', op: 1, plen: 16, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }) },
  { label: 'arp unknown op', spec: frame({ kind: 'arp', op: 9, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }) },
  { label: 'arp padded to 60', spec: frame({ kind: 'arp', op: 1, sha: MAC_VM, spa: '0.0.0.0', tpa: '10.0.0.2' }, { minLength: 60 }) },
  { label: 'tcp syn with options', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 443, flags: TCP_SYN, seq: 123456789, options: [{ kind: 'mss', value: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamp', value: 7, echo: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }] }, { df: true })) },
  { label: 'tcp syn-ack', spec: frame(v4({ kind: 'tcp', sport: 443, dport: 40000, flags: TCP_SYN | TCP_ACK, seq: 1, ack: 123456790, window: 29200 })) },
  { label: 'tcp psh-ack data', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 80, flags: TCP_PSH | TCP_ACK, seq: 5, ack: 9, payload: bytes(100) }, { tos: 0xb8 })) },
  { label: 'tcp fin-ack', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 80, flags: TCP_FIN | TCP_ACK, seq: 500, ack: 900 })) },
  { label: 'tcp rst', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 80, flags: TCP_RST, seq: 77 })) },
  { label: 'tcp null scan', spec: frame(v4({ kind: 'tcp', sport: 1, dport: 22, flags: 0, seq: 3 })) },
  { label: 'tcp xmas', spec: frame(v4({ kind: 'tcp', sport: 1, dport: 22, flags: TCP_FIN | TCP_PSH | TCP_URG, urgent: 5, seq: 3 })) },
  { label: 'tcp syn-fin', spec: frame(v4({ kind: 'tcp', sport: 1, dport: 22, flags: TCP_SYN | TCP_FIN, seq: 3 })) },
  { label: 'tcp all flags', spec: frame(v4({ kind: 'tcp', sport: 1, dport: 22, flags: 0xff, seq: 3, ack: 4 })) },
  { label: 'tcp bad checksum', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 443, flags: TCP_ACK, seq: 1, ack: 2, checksum: 'corrupt' })) },
  { label: 'ip bad checksum', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 443, flags: TCP_ACK, seq: 1, ack: 2 }, { checksum: 'corrupt' })) },
  { label: 'ip options rr+nop', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 443, flags: TCP_SYN }, { options: [{ kind: 'rr', slots: 3 }, { kind: 'nop' }] })) },
  { label: 'ip option router alert', spec: frame(v4({ kind: 'udp', sport: 5000, dport: 5001, payload: bytes(8) }, { options: [{ kind: 'ra' }] })) },
  { label: 'ip option timestamp', spec: frame(v4({ kind: 'icmp', type: 8, id: 1, seq: 2 }, { options: [{ kind: 'timestamp', slots: 2 }] })) },
  { label: 'ip ttl 1 and tos', spec: frame(v4({ kind: 'udp', sport: 33434, dport: 33435 }, { ttl: 1, tos: 0x22, id: 65535 })) },
  { label: 'ip first fragment', spec: frame(v4({ kind: 'udp', sport: 5000, dport: 53, payload: bytes(64) }, { mf: true, id: 99 })) },
  { label: 'ip later fragment', spec: frame(v4({ kind: 'raw', protocol: 17, bytes: bytes(40) }, { fragOffset: 9, id: 99, protocol: 17 })) },
  { label: 'ip last fragment df', spec: frame(v4({ kind: 'raw', protocol: 6, bytes: bytes(16) }, { fragOffset: 185, mf: false, df: true, protocol: 6 })) },
  { label: 'udp', spec: frame(v4({ kind: 'udp', sport: 40000, dport: 9999, payload: bytes(33) })) },
  { label: 'udp zero checksum', spec: frame(v4({ kind: 'udp', sport: 40000, dport: 9999, payload: bytes(12), checksum: 'zero' })) },
  { label: 'udp bad checksum', spec: frame(v4({ kind: 'udp', sport: 40000, dport: 9999, payload: bytes(12), checksum: 'corrupt' })) },
  { label: 'dns query', spec: frame(v4({ kind: 'udp', sport: 40002, dport: 53, payload: query }, { dst: '8.8.8.8' })) },
  { label: 'dns answer', spec: frame(v4({ kind: 'udp', sport: 53, dport: 40002, payload: answer }, { src: '8.8.8.8', dst: '169.254.68.6' })) },
  { label: 'icmp echo request', spec: frame(v4({ kind: 'icmp', type: 8, id: 77, seq: 3, payload: bytes(56) })) },
  { label: 'icmp echo reply', spec: frame(v4({ kind: 'icmp', type: 0, id: 77, seq: 3, payload: bytes(56) })) },
  { label: 'icmp unreachable', spec: frame(v4({ kind: 'icmp', type: 3, code: 3, rest: 0, payload: bytes(28) })) },
  { label: 'icmp frag needed', spec: frame(v4({ kind: 'icmp', type: 3, code: 4, rest: 1400, payload: bytes(28) })) },
  { label: 'icmp time exceeded', spec: frame(v4({ kind: 'icmp', type: 11, code: 0, rest: 0, payload: bytes(28) })) },
  { label: 'icmp bad checksum', spec: frame(v4({ kind: 'icmp', type: 8, id: 1, seq: 1, checksum: 'corrupt' })) },
  { label: 'ipip', spec: frame(v4(v4({ kind: 'udp', sport: 1, dport: 2 }, { src: '10.1.1.1', dst: '10.2.2.2' }), { src: '198.51.100.2', dst: '192.0.2.1' })) },
  { label: 'gre raw', spec: frame(v4({ kind: 'raw', protocol: 47, bytes: bytes(24) })) },
  { label: 'ipv6 tcp', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8:1::53', trafficClass: 0x20, flowLabel: 0x12345, payload: { kind: 'tcp', sport: 40000, dport: 23, flags: TCP_SYN, seq: 9 } }) },
  { label: 'ipv6 udp', spec: frame({ kind: 'ipv6', src: 'fe80::1', dst: 'ff02::1', hopLimit: 255, payload: { kind: 'udp', sport: 546, dport: 547, payload: bytes(20) } }) },
  { label: 'ipv6 icmp echo', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '::1', payload: { kind: 'icmpv6', type: 128, rest: (5 << 16) | 6, payload: bytes(16) } }) },
  { label: 'ipv6 icmp bad checksum', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '::1', payload: { kind: 'icmpv6', type: 129, rest: 1, checksum: 'corrupt' } }) },
  { label: 'ipv6 hop+dest options', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ kind: 'hop' }, { kind: 'dest', hdrExtLen: 1 }], payload: { kind: 'tcp', sport: 1, dport: 23, flags: TCP_SYN } }) },
  { label: 'ipv6 routing', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ kind: 'routing' }], payload: { kind: 'udp', sport: 1, dport: 19 } }) },
  { label: 'ipv6 first fragment', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '::ffff:192.0.2.1', extensions: [{ kind: 'fragment', more: true, id: 77 }], payload: { kind: 'udp', sport: 1, dport: 19, payload: bytes(16) } }) },
  { label: 'ipv6 later fragment', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', extensions: [{ kind: 'fragment', offset: 3, id: 77 }], payload: { kind: 'raw', protocol: 6, bytes: bytes(24) } }) },
  { label: 'vlan tcp', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 80, flags: TCP_SYN }), { vlans: [{ vid: 10, pcp: 5 }] }) },
  { label: 'vlan dei arp', spec: frame({ kind: 'arp', op: 1, sha: MAC_VM, spa: '10.0.0.1', tpa: '10.0.0.2' }, { vlans: [{ vid: 20, dei: true }] }) },
  { label: 'qinq', spec: frame(v4({ kind: 'udp', sport: 1, dport: 2 }), { vlans: [{ tpid: 0x88a8, vid: 100, pcp: 1 }, { vid: 30 }] }) },
  { label: 'double 802.1q', spec: frame({ kind: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2', payload: { kind: 'udp', sport: 1, dport: 2 } }, { vlans: [{ vid: 1 }, { vid: 4094 }] }) },
  { label: 'truncated tcp', spec: frame(v4({ kind: 'tcp', sport: 40000, dport: 443, flags: TCP_ACK, payload: bytes(50) }), { truncateTo: 40 }) },
  { label: 'ipv4 header only', spec: frame(v4({ kind: 'udp', sport: 1, dport: 2, payload: bytes(20) }), { truncateTo: 34 }) },
  { label: 'lldp', spec: frame({ kind: 'raw', etherType: 0x88cc, bytes: bytes(46) }, { dst: '01:80:c2:00:00:0e' }) },
  { label: '802.3 llc', spec: frame({ kind: 'raw', etherType: 38, bytes: Uint8Array.from([0x42, 0x42, 0x03, ...new Array<number>(35).fill(0)]) }, { dst: '01:80:c2:00:00:00' }) },
];
