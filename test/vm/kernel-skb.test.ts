import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLine } from '../support/tools.js';
import { probePair, type ProbePair } from './support/compare.js';
import { arpRequest, ethernet, ipv4Packet, ipv6Udp, tcpSegment, tcpSyn, udpTo } from './support/frames.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/**
 * skb helpers and __sk_buff access against BPF_PROG_TEST_RUN: packet bytes, resizing
 * (change_tail/head/proto, adjust_room), VLAN tags, hash, ECN, tstamp, every readable
 * and writable ctx field, redirect return codes and the host helpers' answers on this
 * machine (lo only, no listener on port 9, forwarding off).
 */
const why = kernelProbeUnavailable();

const tcp = tcpSyn('10.0.0.1', '10.0.0.2', 40000, 443);
const udp = udpTo('10.0.0.1', '10.0.0.9', 5353, 53, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const inner = ipv4Packet({ src: '192.168.0.1', dst: '192.168.0.2', proto: 6, payload: tcpSegment('192.168.0.1', '192.168.0.2', 1, 2, 0x10) });
const ipip = ethernet(0x0800, ipv4Packet({ src: '10.0.0.1', dst: '192.0.2.1', proto: 4, payload: inner }));
const tagged = ethernet(0x8100, [0x00, 0x2a, 0x08, 0x00, ...ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: [0, 1, 0, 2, 0, 8, 0, 0] })]);
const doubleTagged = ethernet(0x88a8, [0x00, 0x05, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00, ...ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: [0, 1, 0, 2, 0, 8, 0, 0] })]);
const ecnFrame = (tos: number): Uint8Array => ethernet(0x0800, ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, tos, payload: [0, 1, 0, 2, 0, 8, 0, 0] }));
const ipv6Ecn = (tc: number): Uint8Array => {
  const p = ipv6Udp();
  p[14] = 0x60 | (tc >> 4);
  p[15] = (tc & 0xf) << 4;
  return p;
};

describe.skipIf(why !== undefined)('skb helpers and ctx match the kernel', () => {
  let pair: ProbePair;
  beforeAll(() => {
    pair = probePair('skb', readFileSync(join(import.meta.dirname, 'probes/skb.bpf.c'), 'utf8'));
  });
  afterAll(() => pair?.close());

  it('skb_load_bytes, load_bytes_relative, store_bytes, pull_data', () => {
    const frames = [tcp, udp, arpRequest('10.0.0.1', '10.0.0.2'), ethernet(0x88b5, [])];
    for (const packet of frames) expect(pair.compare({ program: 'bytes', packet, label: `bytes ${packet.length}` })).toEqual([]);
  });

  it('change_tail, change_head, change_proto, adjust_room', () => {
    const cases: [number, Uint8Array][] = [
      [0, tcp], [1, tcp], [2, tcp], [3, tcp], [4, tcp], [5, tcp], [6, ipv6Udp()], [6, tcp], [7, tcp], [8, ipip], [9, tcp],
      [10, tcp], [11, udp], [12, tcp], [13, tcp], [14, ipip], [15, tcp], [5, arpRequest('1.2.3.4', '5.6.7.8')], [8, arpRequest('1.2.3.4', '5.6.7.8')],
      [9, ipv6Udp()], [11, ipv6Udp()],
    ];
    for (const [mark, packet] of cases) {
      expect(pair.compare({ program: 'resize', packet, ctx: { mark }, label: `resize mark ${mark} len ${packet.length}` })).toEqual([]);
    }
  });

  it('vlan push and pop', () => {
    const cases: [number, Uint8Array][] = [[0, tcp], [1, tcp], [2, tcp], [2, tagged], [2, doubleTagged], [3, tcp], [3, tagged]];
    for (const [mark, packet] of cases) expect(pair.compare({ program: 'vlan', packet, ctx: { mark }, label: `vlan mark ${mark}` })).toEqual([]);
  });

  it('hash, pkt_type, ecn, tstamp', () => {
    for (const packet of [tcp, udp, ecnFrame(2)]) expect(pair.compare({ program: 'meta', packet, label: 'meta' })).toEqual([]);
    for (const tos of [0, 1, 2, 3, 0xfe, 0xfd]) expect(pair.compare({ program: 'ecn', packet: ecnFrame(tos), label: `ecn tos ${tos}` })).toEqual([]);
    for (const tc of [0, 1, 2, 3]) expect(pair.compare({ program: 'ecn', packet: ipv6Ecn(tc), label: `ecn ipv6 tc ${tc}` })).toEqual([]);
    expect(pair.compare({ program: 'ecn', packet: arpRequest('1.2.3.4', '5.6.7.8'), label: 'ecn arp' })).toEqual([]);
  });

  it('reads and writes every allowed __sk_buff field', () => {
    const ctxs = [
      {},
      { mark: 0x1234, priority: 7, cb: [99, 1, 2, 3, 0xffffffff] as const, tstamp: 5n },
      { ingressIfindex: 3, wireLen: 1000, gsoSegs: 4, gsoSize: 1400, hwtstamp: 0x123456789n },
      { ifindex: 1, mark: 0xffffffff },
    ];
    const packets = [
      tcp,
      tcpSyn('10.0.0.1', '10.0.0.2', 1, 2, { dstMac: '00:00:00:00:00:00' }),
      tcpSyn('10.0.0.1', '10.0.0.2', 1, 2, { dstMac: 'ff:ff:ff:ff:ff:ff' }),
      tcpSyn('10.0.0.1', '10.0.0.2', 1, 2, { dstMac: '01:00:5e:00:00:01' }),
      arpRequest('1.2.3.4', '5.6.7.8'),
      ethernet(0x0400, [0xff, 0xff, 1, 2]),
      ethernet(0x0400, [0x42, 0x42, 1, 2]),
    ];
    for (const packet of packets) expect(pair.compare({ program: 'ctx', packet, omitCtx: true, label: 'ctx omitted' })).toEqual([]);
    for (const ctx of ctxs) for (const packet of packets) expect(pair.compare({ program: 'ctx', packet, ctx, label: `ctx ${JSON.stringify(ctx, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}` })).toEqual([]);
  });

  it('redirect return codes and clone_redirect', () => {
    for (let mark = 0; mark <= 9; mark++) expect(pair.compare({ program: 'redirect', packet: tcp, ctx: { mark }, label: `redirect ${mark}` })).toEqual([]);
  });

  it('skb->sk is test_run\'s dummy socket, filled from IPv4 and IPv6 frames', () => {
    for (const packet of [tcp, ipv6Udp(), arpRequest('1.2.3.4', '5.6.7.8')]) expect(pair.compare({ program: 'sock', packet, label: `sock ${packet.length}` })).toEqual([]);
  });

  it('check_mtu, fib_lookup and sk_lookup answer as this host does by default', () => {
    expect(pair.compare({ program: 'host', packet: tcp, label: 'host' })).toEqual([]);
  });
});

if (why !== undefined) skipLine('kernel skb helper cross-check', why);
