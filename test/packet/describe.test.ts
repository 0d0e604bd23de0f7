/**
 * describePacket on what the builders make: every field a builder is told comes back,
 * checksums verify unless corrupted on purpose, truncation and fragments are reported
 * rather than guessed at, and the one-line text says the same.
 */
import { describe, expect, it } from 'vitest';
import { buildFrame } from '../../src/packet/build-frame.js';
import { describePacket } from '../../src/packet/describe.js';
import { packetText, tcpFlagText } from '../../src/packet/describe-text.js';
import { dnsFlags, encodeDns } from '../../src/packet/dns.js';
import { decodeDns } from '../../src/packet/dns-decode.js';
import { FRAME_CATALOGUE } from './frame-catalogue.js';

const frameOf = (label: string): Uint8Array => {
  const f = FRAME_CATALOGUE.find((x) => x.label === label);
  if (!f) throw new Error(`no catalogue frame ${label}`);
  return buildFrame(f.spec);
};

describe('describePacket', () => {
  it('reads back every catalogue frame without throwing, with a one-line text', () => {
    for (const f of FRAME_CATALOGUE) {
      const text = packetText(describePacket(buildFrame(f.spec)));
      expect(text, f.label).not.toContain('\n');
      expect(text.length, f.label).toBeGreaterThan(20);
    }
  });

  it('reads a TCP SYN field by field', () => {
    const d = describePacket(frameOf('tcp syn with options'));
    expect(d.ethernet).toMatchObject({ src: '20:90:6f:fc:fc:fc', dst: 'ee:ff:ff:ff:ff:ff', etherType: 0x0800, vlans: [], l3Offset: 14 });
    expect(d.ipv4).toMatchObject({ version: 4, ihl: 5, id: 4242, ttl: 64, df: true, mf: false, fragOffset: 0, protocol: 6, src: '169.254.68.6', dst: '93.184.216.34', checksumValid: true });
    expect(d.tcp).toMatchObject({ sport: 40000, dport: 443, flags: 0x02, seq: 123456789, dataOffset: 10, options: [2, 4, 8, 1, 3], checksumValid: true, payloadLength: 0 });
    expect(d.ipv4?.totalLength).toBe(60);
  });

  it('finds corrupted checksums and only those', () => {
    expect(describePacket(frameOf('tcp bad checksum')).tcp?.checksumValid).toBe(false);
    expect(describePacket(frameOf('tcp bad checksum')).ipv4?.checksumValid).toBe(true);
    expect(describePacket(frameOf('ip bad checksum')).ipv4?.checksumValid).toBe(false);
    expect(describePacket(frameOf('ip bad checksum')).tcp?.checksumValid).toBe(true);
    expect(describePacket(frameOf('udp bad checksum')).udp?.checksumValid).toBe(false);
    expect(describePacket(frameOf('icmp bad checksum')).icmp?.checksumValid).toBe(false);
    expect(describePacket(frameOf('ipv6 icmp bad checksum')).icmpv6?.checksumValid).toBe(false);
    expect(describePacket(frameOf('udp zero checksum')).udp).toMatchObject({ checksum: 0, checksumValid: undefined });
    for (const label of ['udp', 'icmp echo request', 'ipv6 tcp', 'ipv6 udp', 'ipv6 icmp echo', 'ip options rr+nop', 'dns answer']) {
      const d = describePacket(frameOf(label));
      expect([d.tcp, d.udp, d.icmp, d.icmpv6].find(Boolean)?.checksumValid, label).toBe(true);
    }
  });

  it('does not judge what it cannot see: fragments and cut frames', () => {
    const first = describePacket(frameOf('ip first fragment'));
    expect(first.ipv4).toMatchObject({ mf: true, fragOffset: 0, id: 99 });
    expect(first.udp?.checksumValid).toBeUndefined();
    const later = describePacket(frameOf('ip later fragment'));
    expect(later.ipv4?.fragOffset).toBe(9);
    expect(later.udp).toBeUndefined();
    const cut = describePacket(frameOf('truncated tcp'));
    expect(cut.length).toBe(40);
    expect(cut.truncated).toBe('tcp');
    expect(describePacket(frameOf('ipv4 header only')).truncated).toBe('udp');
    expect(describePacket(new Uint8Array(10)).truncated).toBe('ethernet');
  });

  it('reads ARP, malformed ARP, VLAN stacks and IPv6 extension chains', () => {
    expect(describePacket(frameOf('arp request')).arp).toMatchObject({ op: 1, spa: '169.254.68.6', tpa: '169.254.68.5', ethernetIpv4: true });
    expect(describePacket(frameOf('arp wrong hlen')).arp).toMatchObject({ hlen: 8, ethernetIpv4: false });
    expect(describePacket(frameOf('arp padded to 60')).length).toBe(60);
    expect(describePacket(frameOf('qinq')).ethernet?.vlans).toEqual([
      { tpid: 0x88a8, pcp: 1, dei: false, vid: 100 },
      { tpid: 0x8100, pcp: 0, dei: false, vid: 30 },
    ]);
    expect(describePacket(frameOf('vlan dei arp')).ethernet?.vlans[0]).toMatchObject({ vid: 20, dei: true });
    const v6 = describePacket(frameOf('ipv6 hop+dest options'));
    expect(v6.ipv6?.extensions.map((e) => [e.type, e.length])).toEqual([[0, 8], [60, 16]]);
    expect(v6.ipv6?.upperProtocol).toBe(6);
    expect(v6.tcp?.dport).toBe(23);
    expect(describePacket(frameOf('ipv6 first fragment')).ipv6?.dst).toBe('::ffff:192.0.2.1');
    expect(describePacket(frameOf('ipv6 later fragment')).tcp).toBeUndefined();
    expect(describePacket(frameOf('ipv6 tcp')).ipv6).toMatchObject({ trafficClass: 0x20, flowLabel: 0x12345 });
  });

  it('summarises DNS queries and answers, following compression pointers', () => {
    const q = describePacket(frameOf('dns query')).dns;
    expect(q).toMatchObject({ id: 0x1234, qr: false, qdcount: 1, questions: [{ name: 'www.Example.com', type: 1, class: 1 }] });
    const a = describePacket(frameOf('dns answer')).dns;
    expect(a?.answers.map((x) => [x.name, x.type, x.data])).toEqual([
      ['www.example.com', 5, 'edge.example.net'],
      ['edge.example.net', 1, '93.184.216.34'],
      ['edge.example.net', 1, '93.184.216.35'],
    ]);
    expect(packetText(describePacket(frameOf('dns answer')))).toContain('A 93.184.216.35');
  });

  it('writes compressed names the way servers do, and full names when asked', () => {
    const m = { id: 1, flags: dnsFlags({ qr: true }), questions: [{ name: 'a.example.com' }], answers: [{ name: 'a.example.com', ttl: 5, data: { kind: 'a' as const, address: '192.0.2.1' } }] };
    const packed = encodeDns(m);
    expect([packed[31], packed[32]]).toEqual([0xc0, 0x0c]); // the answer's owner points at the question
    const full = encodeDns({ ...m, compress: false });
    expect(full.length).toBe(packed.length + 13);
    expect(decodeDns(full, 0, full.length)?.answers[0].name).toBe('a.example.com');
    const loop = Uint8Array.from([...packed.subarray(0, 12), 0xc0, 0x0c, 0, 1, 0, 1]);
    expect(decodeDns(loop, 0, loop.length)?.error).toMatch(/backwards/);
  });

  it('names TCP flags as tcpdump does', () => {
    expect(tcpFlagText(0x12)).toBe('S.');
    expect(tcpFlagText(0x29)).toBe('FPU');
    expect(tcpFlagText(0x03)).toBe('FS');
    expect(tcpFlagText(0)).toBe('none');
    expect(tcpFlagText(0xff)).toBe('FSRP.UEW');
  });
});
