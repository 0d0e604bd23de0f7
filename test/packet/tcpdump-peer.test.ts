/**
 * Peer test: the frames our builders make, and our reading of them, against tcpdump's.
 * Every frame of the catalogue plus a few hundred generated ones (generic mix, and
 * from_cube/from_world/from_envoy traffic over the Coppice states) go into one pcap;
 * `tcpdump -r FILE -nn -vv -e -S` decodes it, and for each frame the fields
 * describePacket reports must appear in tcpdump's line: addresses, VLAN tags, ARP
 * operation, IPv4 TTL/id/offset/flags/protocol/length, ports, TCP flags and sequence
 * numbers, ICMP type/id/seq, DNS ids and names; and every checksum we call valid
 * tcpdump must call correct, every one we call wrong it must call wrong.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { buildFrame } from '../../src/packet/build-frame.js';
import { describePacket, type PacketDescription } from '../../src/packet/describe.js';
import { tcpFlagText } from '../../src/packet/describe-text.js';
import { writePcap } from '../../src/packet/pcap.js';
import { createRng } from '../../src/gen/rng.js';
import { statesFor } from '../../src/gen/states-for.js';
import { packetsFor } from '../../src/gen/packets-for.js';
import { repoRoot } from '../support/corpus.js';
import { hasTool, skipLine } from '../support/tools.js';
import { FRAME_CATALOGUE } from './frame-catalogue.js';

const present = hasTool('tcpdump');
if (!present) skipLine('tcpdump peer test', 'tcpdump is not installed (apt-get install tcpdump)');

interface Stats {
  frames: number;
  fields: number;
  confirmed: Record<string, number>;
  corruptDetected: Record<string, number>;
}

function generatedFrames(): { label: string; bytes: Uint8Array }[] {
  const out: { label: string; bytes: Uint8Array }[] = [];
  // TCPDUMP_PEER_SEED draws other frames, for hunting disagreements beyond the fixed set.
  const rng = createRng(process.env.TCPDUMP_PEER_SEED ?? 'tcpdump-peer');
  for (const [file, programs] of [
    ['corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', ['from_cube']],
    ['corpus/coppice/obj/nodenic.bpfel.v3.O2.o', ['from_world']],
    ['corpus/coppice/obj/localgw.bpfel.v3.O2.o', ['from_envoy']],
    ['corpus/idioms/obj/snat_session.bpfel.o', ['snat_egress']],
    ['corpus/idioms/obj/bounded_loop_ext_hdr.bpfel.o', ['ipv6_telnet_guard']],
    ['corpus/idioms/obj/vlan_inpacket_8021q.bpfel.o', ['vlan_allowed_inpacket']],
  ] as const) {
    const obj = loadObject(readFileSync(join(repoRoot, file)));
    const state = statesFor(obj, rng).find((s) => s.name !== 'empty') ?? statesFor(obj, rng)[0];
    for (const p of programs) {
      for (const r of packetsFor(obj, p, state.state, rng, 150, { hints: state.hints })) out.push({ label: `${p} ${r.category}`, bytes: r.packet });
    }
  }
  return out;
}

/** tcpdump's output, one entry per frame (a frame's lines joined). */
function tcpdumpLines(pcap: string): string[] {
  // (tcpdump's "reading from file" goes to stderr, which stays out of the test output.)
  const text = execFileSync('tcpdump', ['-r', pcap, '-nn', '-vv', '-e', '-S'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\d\d:\d\d:\d\d\.\d{6} /.test(line)) out.push(line);
    else if (line.trim() && out.length) out[out.length - 1] += ` ${line.trim()}`;
  }
  return out;
}

/** The balanced parenthesised group starting at `start` ('' when there is none). */
function parenthesised(line: string, start: number): string {
  if (start < 0) return '';
  let depth = 0;
  for (let i = start; i < line.length; i++) {
    if (line[i] === '(') depth++;
    else if (line[i] === ')' && --depth === 0) return line.slice(start, i + 1);
  }
  return line.slice(start);
}

/** What tcpdump must say about a frame, given our description; problems in words. */
function compare(d: PacketDescription, line: string, stats: Stats): string[] {
  const problems: string[] = [];
  const want = (s: string, why: string): void => {
    stats.fields++;
    if (!line.includes(s)) problems.push(`${why}: expected "${s}"`);
  };
  const wantNot = (s: string, why: string): void => {
    stats.fields++;
    if (line.includes(s)) problems.push(`${why}: did not expect "${s}"`);
  };
  // tcpdump does not verify checksums behind an IPv6 fragment header, even an atomic one.
  const unverified = d.ipv6?.extensions.some((x) => x.fragment) ?? false;
  const confirm = (proto: string, valid: boolean | undefined, good: string, bad: string): void => {
    if (valid === undefined || (unverified && proto !== 'ipv4')) return;
    if (valid) {
      want(good, `${proto} checksum`);
      wantNot(bad, `${proto} checksum`);
      stats.confirmed[proto] = (stats.confirmed[proto] ?? 0) + 1;
    } else {
      want(bad, `${proto} checksum`);
      stats.corruptDetected[proto] = (stats.corruptDetected[proto] ?? 0) + 1;
    }
  };
  const e = d.ethernet;
  if (!e) return problems;
  want(`${e.src} > ${e.dst}`, 'MAC addresses');
  for (const v of e.vlans) want(`vlan ${v.vid}, p ${v.pcp}`, 'VLAN tag');
  if (d.arp?.ethernetIpv4 && d.arp.op === 1) want(`Request who-has ${d.arp.tpa} tell ${d.arp.spa}`, 'ARP request');
  if (d.arp?.ethernetIpv4 && d.arp.op === 2) want(`Reply ${d.arp.spa} is-at ${d.arp.sha}`, 'ARP reply');
  const ip = d.ipv4;
  if (ip && ip.version === 4 && ip.ihl >= 5 && ip.totalLength < ip.ihl * 4) want(`bad-len ${ip.totalLength}`, 'IPv4 length below the header');
  else if (ip && ip.version === 4 && ip.ihl >= 5 && d.truncated !== 'ipv4 options') {
    // tcpdump leaves out a TTL of 0.
    want(`${ip.ttl ? `ttl ${ip.ttl}, ` : ''}id ${ip.id}, offset ${ip.fragOffset * 8}`, 'IPv4 header');
    want(`length ${ip.totalLength}`, 'IPv4 length');
    want(`(${ip.protocol})`, 'IPv4 protocol');
    const flags = /flags \[([^\]]*)\]/.exec(line)?.[1] ?? '';
    stats.fields++;
    if (flags.includes('DF') !== ip.df || flags.includes('+') !== ip.mf || flags.includes('rsvd') !== ip.reservedFlag) problems.push(`IPv4 flags: tcpdump says [${flags}]`);
    // Only the outer header's group: an ICMP error or a tunnel prints the inner one too.
    const outer = parenthesised(line, line.indexOf('(tos '));
    stats.fields++;
    if (ip.checksumValid !== undefined && outer.includes('bad cksum') === ip.checksumValid) problems.push(`IPv4 checksum: tcpdump's header reads "${outer}"`);
    if (ip.checksumValid === true) stats.confirmed.ipv4 = (stats.confirmed.ipv4 ?? 0) + 1;
    if (ip.checksumValid === false) stats.corruptDetected.ipv4 = (stats.corruptDetected.ipv4 ?? 0) + 1;
  }
  if (ip && (ip.version !== 4 || ip.ihl < 5 || ip.totalLength < ip.ihl * 4)) return problems;
  // Behind IPv6 extension headers tcpdump prints the ports without the addresses.
  const bare = (d.ipv6?.extensions.length ?? 0) > 0;
  const src = bare ? '' : `${ip?.src ?? d.ipv6?.src}.`;
  const dst = bare ? '' : `${ip?.dst ?? d.ipv6?.dst}.`;
  if (d.ipv6) {
    want(`hlim ${d.ipv6.hopLimit}`, 'IPv6 hop limit');
    want(`payload length: ${d.ipv6.payloadLength}`, 'IPv6 payload length');
    // (TCP and UDP print them with the ports, below.)
    if (d.ipv6.upperProtocol === 58 || bare) want(`${d.ipv6.src} > ${d.ipv6.dst}`, 'IPv6 addresses');
  }
  // tcpdump stops at the first header it cannot read (or will not: a hop-by-hop header
  // anywhere but first is "(invalid)" to it); so do our checks.
  if (d.truncated || line.includes('Hop-by-Hop Options header')) return problems;
  if (d.tcp && d.tcp.dataOffset < 5) want('bad hdr length', 'TCP data offset below 5');
  else if (d.tcp) {
    const t = d.tcp;
    want(`${src}${t.sport} > ${dst}${t.dport}: Flags [${tcpFlagText(t.flags)}]`, 'TCP ports and flags');
    if (t.flags & 0x10) want(`ack ${t.ack}`, 'TCP ack');
    want(`win ${t.window}`, 'TCP window');
    confirm('tcp', t.checksumValid, '(correct)', '(incorrect');
  }
  if (d.udp) {
    want(`${src}${d.udp.sport} > ${dst}${d.udp.dport}:`, 'UDP ports');
    confirm('udp', d.udp.checksumValid, 'udp sum ok', 'bad udp cksum');
  }
  if (d.icmp && !line.includes('[|icmp]')) {
    if (d.icmp.type === 8 || d.icmp.type === 0) want(`ICMP echo ${d.icmp.type === 8 ? 'request' : 'reply'}, id ${d.icmp.id}, seq ${d.icmp.seq}`, 'ICMP echo');
    if (d.icmp.checksumValid === false) want('wrong icmp cksum', 'ICMP checksum');
    if (d.icmp.checksumValid === true) {
      wantNot('wrong icmp cksum', 'ICMP checksum');
      stats.confirmed.icmp = (stats.confirmed.icmp ?? 0) + 1;
    } else if (d.icmp.checksumValid === false) stats.corruptDetected.icmp = (stats.corruptDetected.icmp ?? 0) + 1;
  }
  if (d.icmpv6) confirm('icmp6', d.icmpv6.checksumValid, 'icmp6 sum ok', 'bad icmp6 cksum');
  if (d.dns && !d.dns.error && d.dns.qdcount === d.dns.questions.length && d.dns.questions.length === 1 && d.dns.opcode === 0) {
    want(`${d.dns.id}`, 'DNS id');
    for (const q of d.dns.questions) want(`${q.name}.`, 'DNS question');
    for (const a of d.dns.answers) if (a.type === 1 && a.class === 1 && /^\d+\.\d+\.\d+\.\d+$/.test(a.data)) want(`A ${a.data}`, 'DNS A record');
  }
  return problems;
}

describe.skipIf(!present)('builders and decoder agree with tcpdump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-tcpdump-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const frames = [...FRAME_CATALOGUE.map((f) => ({ label: f.label, bytes: buildFrame(f.spec) })), ...generatedFrames()];
  const stats: Stats = { frames: 0, fields: 0, confirmed: {}, corruptDetected: {} };

  it('every frame reads the same to tcpdump as to describePacket', () => {
    const pcap = join(dir, 'frames.pcap');
    writeFileSync(pcap, writePcap(frames.map((f) => f.bytes)));
    const lines = tcpdumpLines(pcap);
    expect(lines.length).toBe(frames.length);
    const failures: string[] = [];
    frames.forEach((f, i) => {
      stats.frames++;
      for (const p of compare(describePacket(f.bytes), lines[i], stats)) failures.push(`#${i} ${f.label}: ${p}\n    ${lines[i].slice(0, 400)}`);
    });
    console.log(
      `tcpdump peer: ${stats.frames} frames (${FRAME_CATALOGUE.length} catalogue), ${stats.fields} fields compared, ` +
        `checksums tcpdump confirmed correct: ${JSON.stringify(stats.confirmed)}, corruptions it also flagged: ${JSON.stringify(stats.corruptDetected)}, ` +
        `mismatches: ${failures.length}`,
    );
    expect(failures.slice(0, 15)).toEqual([]);
  });

  it('checks every kind of checksum in both directions', () => {
    for (const proto of ['ipv4', 'tcp', 'udp', 'icmp', 'icmp6']) {
      expect(stats.confirmed[proto] ?? 0, `${proto} confirmed`).toBeGreaterThan(0);
      expect(stats.corruptDetected[proto] ?? 0, `${proto} corrupted`).toBeGreaterThan(0);
    }
  });
});
