import type { DnsSummary } from './dns-decode.js';
import type { Ipv4Description, PacketDescription, TcpDescription } from './describe.js';

/**
 * One line per frame in the manner of `tcpdump -nn -v -e`: link header, then the IP
 * header details in parentheses, then the transport summary. Checksums that do not
 * verify are called out ("bad cksum"), since that is what a reader of a rewritten
 * packet most needs to see.
 */
export function packetText(d: PacketDescription): string {
  const e = d.ethernet;
  if (!e) return `${d.length} bytes, truncated ethernet header`;
  const parts: string[] = [`${e.src} > ${e.dst}`];
  for (const v of e.vlans) parts.push(`${v.tpid === 0x8100 ? 'vlan' : `ethertype 0x${hex4(v.tpid)} vlan`} ${v.vid}, p ${v.pcp}${v.dei ? ', DEI' : ''}`);
  parts.push(`ethertype ${etherTypeName(e.etherType)} (0x${hex4(e.etherType)}), length ${d.length}`);
  return `${parts.join(', ')}: ${bodyText(d)}`;
}

function bodyText(d: PacketDescription): string {
  if (d.arp) {
    const a = d.arp;
    if (!a.ethernetIpv4) return `ARP, htype ${a.htype}, ptype 0x${hex4(a.ptype)}, hlen ${a.hlen}, plen ${a.plen}, op ${a.op}`;
    if (a.op === 1) return `ARP, Request who-has ${a.tpa} tell ${a.spa} (${a.sha})`;
    if (a.op === 2) return `ARP, Reply ${a.spa} is-at ${a.sha}`;
    return `ARP, op ${a.op}, ${a.spa} (${a.sha}) > ${a.tpa} (${a.tha})`;
  }
  if (d.ipv4) return ipv4Text(d, d.ipv4);
  if (d.ipv6) {
    const ip = d.ipv6;
    const exts = ip.extensions.map((x) => (x.fragment ? `frag ${x.fragment.offset * 8}${x.fragment.more ? '+' : ''}` : `ext ${x.type}`));
    const head = `(hlim ${ip.hopLimit}, next-header ${ip.nextHeader}, payload length ${ip.payloadLength}${exts.length ? `, ${exts.join(', ')}` : ''})`;
    return `IP6 ${head} ${transportText(d, ip.src, ip.dst, ip.upperProtocol)}${trunc(d)}`;
  }
  return `${d.length - (d.ethernet?.l3Offset ?? 14)} bytes of payload${trunc(d)}`;
}

function ipv4Text(d: PacketDescription, ip: Ipv4Description): string {
  const flags = [ip.reservedFlag ? 'R' : '', ip.df ? 'DF' : '', ip.mf ? '+' : ''].filter(Boolean).join('');
  const head = [
    `tos 0x${ip.tos.toString(16)}`,
    `ttl ${ip.ttl}`,
    `id ${ip.id}`,
    `offset ${ip.fragOffset * 8}`,
    `flags [${flags || 'none'}]`,
    `proto ${protoName(ip.protocol)} (${ip.protocol})`,
    `length ${ip.totalLength}`,
  ];
  if (ip.options.length) head.push(`options [${ip.options.join(',')}]`);
  if (ip.checksumValid === false) head.push(`bad cksum ${hex4(ip.checksum)}`);
  if (ip.version !== 4 || ip.ihl < 5) head.push(`version ${ip.version}, ihl ${ip.ihl}`);
  return `IP (${head.join(', ')}) ${transportText(d, ip.src, ip.dst, ip.protocol)}${trunc(d)}`;
}

function transportText(d: PacketDescription, src: string, dst: string, proto: number): string {
  if (d.tcp) return `${src}.${d.tcp.sport} > ${dst}.${d.tcp.dport}: ${tcpText(d.tcp)}`;
  if (d.udp) {
    const u = d.udp;
    const sum = u.checksumValid === false ? ' [bad udp cksum]' : '';
    const dns = d.dns ? ` ${dnsText(d.dns)}` : '';
    return `${src}.${u.sport} > ${dst}.${u.dport}: UDP, length ${u.payloadLength}${sum}${dns}`;
  }
  if (d.icmp) {
    const i = d.icmp;
    const echo = i.id !== undefined ? `, id ${i.id}, seq ${i.seq}` : '';
    const sum = i.checksumValid === false ? ' [bad icmp cksum]' : '';
    return `${src} > ${dst}: ICMP ${icmpName(i.type)}${i.code ? ` code ${i.code}` : ''}${echo}${sum}`;
  }
  if (d.icmpv6) {
    const sum = d.icmpv6.checksumValid === false ? ' [bad icmp6 cksum]' : '';
    return `${src} > ${dst}: ICMP6 type ${d.icmpv6.type}, code ${d.icmpv6.code}${sum}`;
  }
  return `${src} > ${dst}: ${protoName(proto)}`;
}

function tcpText(t: TcpDescription): string {
  const sum = t.checksumValid === false ? ', bad cksum' : '';
  return `Flags [${tcpFlagText(t.flags)}], seq ${t.seq}, ack ${t.ack}, win ${t.window}, length ${t.payloadLength}${sum}`;
}

/** tcpdump's letters in tcpdump's order: F S R P, '.' for ACK, U E W; 'none' for no flags. */
export function tcpFlagText(flags: number): string {
  const letters: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
  const s = letters.filter(([bit]) => flags & bit).map(([, l]) => l).join('');
  return s || 'none';
}

function dnsText(m: DnsSummary): string {
  const q = m.questions.map((x) => `${dnsTypeName(x.type)}? ${x.name}.`).join(' ');
  if (!m.qr) return `DNS ${m.id}${m.opcode ? ` op${m.opcode}` : ''} ${q}${m.error ? ` [${m.error}]` : ''}`;
  const a = m.answers.map((x) => `${dnsTypeName(x.type)} ${x.data}`).join(', ');
  const rcode = m.rcode ? ` rcode ${m.rcode}` : '';
  return `DNS ${m.id}${rcode} ${q} ${m.ancount}/${m.nscount}/${m.arcount} ${a}${m.error ? ` [${m.error}]` : ''}`.trimEnd();
}

function trunc(d: PacketDescription): string {
  return d.truncated ? ` [|${d.truncated}]` : '';
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function etherTypeName(t: number): string {
  const names: Record<number, string> = { 0x0800: 'IPv4', 0x0806: 'ARP', 0x86dd: 'IPv6', 0x8100: '802.1Q', 0x88a8: '802.1Q-QinQ' };
  return names[t] ?? (t < 0x600 ? '802.3' : 'Unknown');
}

function protoName(p: number): string {
  const names: Record<number, string> = { 1: 'ICMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 58: 'ICMPv6' };
  return names[p] ?? `ip-proto-${p}`;
}

function icmpName(t: number): string {
  const names: Record<number, string> = { 0: 'echo reply', 3: 'unreachable', 5: 'redirect', 8: 'echo request', 11: 'time exceeded', 13: 'timestamp request', 14: 'timestamp reply' };
  return names[t] ?? `type ${t}`;
}

function dnsTypeName(t: number): string {
  const names: Record<number, string> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 15: 'MX', 16: 'TXT', 2: 'NS', 12: 'PTR' };
  return names[t] ?? `TYPE${t}`;
}
