/**
 * pcap files in both byte orders and stamp resolutions; address text in and out.
 */
import { describe, expect, it } from 'vitest';
import { Bpf2pfError } from '../../src/errors.js';
import { formatIpv6, parseCidr, parseIpv4, parseIpv6, parseMac, formatMac, ipv4ToNumber, numberToIpv4 } from '../../src/packet/addresses.js';
import { LINKTYPE_ETHERNET, readPcap, writePcap } from '../../src/packet/pcap.js';

describe('pcap', () => {
  const frames = [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06]), new Uint8Array(100).fill(7)];

  it('reads back what it writes', () => {
    const f = readPcap(writePcap(frames, { startSeconds: 1000 }));
    expect(f.linkType).toBe(LINKTYPE_ETHERNET);
    expect(f.records.map((r) => [...r.bytes])).toEqual(frames.map((x) => [...x]));
    expect(f.records.map((r) => [r.seconds, r.nanos, r.originalLength])).toEqual([[1000, 0, 14], [1000, 1000, 100]]);
  });

  it('cuts frames at the snap length and keeps their wire length', () => {
    const f = readPcap(writePcap(frames, { snapLength: 50 }));
    expect(f.records[1].bytes.length).toBe(50);
    expect(f.records[1].originalLength).toBe(100);
  });

  it('reads big-endian files and nanosecond stamps', () => {
    const le = writePcap(frames);
    const be = new Uint8Array(le);
    const v = new DataView(be.buffer);
    const src = new DataView(le.buffer);
    v.setUint32(0, 0xa1b23c4d, false); // nanosecond magic, big endian
    v.setUint16(4, 2, false);
    v.setUint16(6, 4, false);
    v.setUint32(16, src.getUint32(16, true), false);
    v.setUint32(20, 1, false);
    let off = 24;
    for (const f of frames) {
      for (let k = 0; k < 4; k++) v.setUint32(off + 4 * k, src.getUint32(off + 4 * k, true), false);
      off += 16 + f.length;
    }
    const r = readPcap(be);
    expect(r.records.map((x) => x.nanos)).toEqual([0, 1]);
    expect(r.records.map((x) => x.bytes.length)).toEqual([14, 100]);
  });

  it('refuses what is not a pcap file, and records that run past the end', () => {
    expect(() => readPcap(new Uint8Array(24))).toThrow(Bpf2pfError);
    const cut = writePcap(frames).slice(0, 24 + 16 + 14 + 16 + 20);
    expect(() => readPcap(cut)).toThrow(/past the end/);
  });
});

describe('addresses', () => {
  it('parses and prints IPv4, MACs and prefixes', () => {
    expect([...parseIpv4('169.254.68.6')]).toEqual([169, 254, 68, 6]);
    expect(() => parseIpv4('256.1.1.1')).toThrow();
    expect(ipv4ToNumber('10.99.0.0')).toBe(0x0a630000);
    expect(numberToIpv4(0xc0000201)).toBe('192.0.2.1');
    expect(formatMac(parseMac('20:90:6F:fc:fc:fc'))).toBe('20:90:6f:fc:fc:fc');
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: Uint8Array.from([10, 0, 0, 0]), prefixLength: 8 });
    expect(parseCidr('2001:db8::/32').prefixLength).toBe(32);
    expect(parseCidr('1.2.3.4').prefixLength).toBe(32);
    expect(() => parseCidr('10.0.0.0/33')).toThrow();
  });

  it('parses every IPv6 form and prints RFC 5952', () => {
    const cases: [string, string][] = [
      ['2001:db8::1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ];
    for (const [input, printed] of cases) expect(formatIpv6(parseIpv6(input)), input).toBe(printed);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7']) expect(() => parseIpv6(bad), bad).toThrow();
  });
});
