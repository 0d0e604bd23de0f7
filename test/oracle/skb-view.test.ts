import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/state/map-state.js';
import type { SkbContextIn } from '../../src/vm/run-types.js';
import { buildCtxProbe, CTX_PROBE_MAP, CTX_PROBE_PROGRAM, decodeCtxProbe, type SkbFieldName } from './ctx-probe.js';
import { ethernet, udp4Frame, type Mac } from './frames.js';
import { openOracle, oracleUnavailable, type Oracle, type RunOptions } from './oracle.js';

// What a tc program reads from `struct __sk_buff` under BPF_PROG_TEST_RUN, pinned down
// with a probe that stores every readable field: the facts the interpreter's skb set-up
// must reproduce (reference §9.2, §9.3), checked on the running kernel.

const unavailable = oracleUnavailable();

describe('__sk_buff as a tc program sees it under test_run', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: __sk_buff probe: ${unavailable}`));
    return;
  }

  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-ctx-probe-'));
  let o: Oracle;
  beforeAll(() => {
    const path = join(dir, 'ctx-probe.o');
    writeFileSync(path, buildCtxProbe());
    o = openOracle(path);
  });
  afterAll(() => {
    o?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seen = (packet: Uint8Array, ctx?: SkbContextIn, opts?: RunOptions): Record<SkbFieldName, number> => {
    const r = o.run({ program: CTX_PROBE_PROGRAM, packet, ...(ctx && { ctx }) }, opts);
    if (r.error) throw new Error(r.error);
    const e = o.dumpMaps([CTX_PROBE_MAP]).maps[CTX_PROBE_MAP].entries[0] as { value: string };
    const d = decodeCtxProbe(fromHex(e.value));
    return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Number(v)])) as Record<SkbFieldName, number>;
  };
  const udp = udp4Frame([10, 0, 0, 1], [10, 0, 0, 2], 1, 2);
  const withDst = (dst: Mac): Uint8Array => {
    const p = udp.slice();
    p.set(dst, 0);
    return p;
  };
  const other = (type: number, payload: number[]): Uint8Array => ethernet([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], type, payload);

  it('defaults with an all-zero ctx_in: loopback, OTHERHOST, wire_len = len, everything else 0', () => {
    expect(seen(udp)).toEqual({
      len: udp.length,
      pkt_type: 3,
      mark: 0,
      queue_mapping: 0,
      protocol: 0x0008, // htons(ETH_P_IP) read on a little-endian host
      vlan_present: 0,
      vlan_tci: 0,
      priority: 0,
      ingress_ifindex: 0,
      ifindex: 1,
      tc_index: 0,
      cb0: 0,
      hash: 0,
      tc_classid: 0,
      napi_id: 0,
      tstamp: 0,
      wire_len: udp.length,
      gso_segs: 0,
      gso_size: 0,
      hwtstamp: 0,
    });
  });

  it('without any ctx the program reads wire_len 0, and no ctx comes back', () => {
    expect(seen(udp, undefined, { omitCtx: true }).wire_len).toBe(0);
    expect(o.run({ program: CTX_PROBE_PROGRAM, packet: udp }, { omitCtx: true }).outcome.ctx).toBeUndefined();
  });

  it('the ctx fields test_run accepts reach the program', () => {
    const v = seen(udp, { mark: 5, priority: 6, ingressIfindex: 7, cb: [9, 0, 0, 0, 0], tstamp: 11n, wireLen: 1000, gsoSegs: 3, gsoSize: 1400, hwtstamp: 13n });
    expect(v).toMatchObject({ mark: 5, priority: 6, ingress_ifindex: 7, cb0: 9, tstamp: 11, wire_len: 1000, gso_segs: 3, gso_size: 1400, hwtstamp: 13, ifindex: 1 });
  });

  it('pkt_type follows the destination MAC against loopback\'s all-zero address', () => {
    expect(seen(withDst([0, 0, 0, 0, 0, 0])).pkt_type).toBe(0); // HOST
    expect(seen(withDst([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).pkt_type).toBe(2); // MULTICAST: lo's broadcast is 00:..
    expect(seen(withDst([0x01, 0x00, 0x5e, 0, 0, 1])).pkt_type).toBe(2);
    expect(seen(withDst([0x02, 0, 0, 0, 0, 9])).pkt_type).toBe(3); // OTHERHOST
  });

  it('protocol is the EtherType; below 0x600 it becomes 802.2, and a VLAN tag stays in the packet', () => {
    expect(seen(other(0x0806, new Array(28).fill(0))).protocol).toBe(0x0608);
    expect(seen(other(0x0040, new Array(28).fill(0))).protocol).toBe(0x0400); // htons(ETH_P_802_2)
    const vlan = seen(other(0x8100, [0, 5, 0x08, 0, ...udp.subarray(14)]));
    expect({ protocol: vlan.protocol, vlan_present: vlan.vlan_present, vlan_tci: vlan.vlan_tci }).toEqual({ protocol: 0x0081, vlan_present: 0, vlan_tci: 0 });
  });

  it('size limits and ctx checks: the kernel refuses these runs', () => {
    const refuse = (packet: Uint8Array, ctx?: SkbContextIn) => o.run({ program: CTX_PROBE_PROGRAM, packet, ...(ctx && { ctx }) }).errno;
    expect(refuse(new Uint8Array(13))).toBe(22); // shorter than an Ethernet header
    expect(refuse(udp.subarray(0, 33))).toBe(22); // IPv4 needs 34 bytes
    expect(refuse(other(0x86dd, [0x60, ...new Array(38).fill(0)]))).toBe(22); // IPv6 needs 54
    expect(refuse(other(0x86dd, [0x60, ...new Array(39).fill(0)]))).toBeUndefined();
    expect(refuse(new Uint8Array(3712))).toBeUndefined(); // the largest linear skb on x86-64 6.18
    expect(refuse(new Uint8Array(3713))).toBe(22);
    expect(refuse(udp, { wireLen: udp.length - 1 })).toBe(22); // wire_len below len
    expect(refuse(udp, { ifindex: 0x7ffffff0 })).toBe(19); // ENODEV
  });
});
