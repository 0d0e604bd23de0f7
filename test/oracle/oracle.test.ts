import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject } from '../../src/object/types.js';
import { fromHex, toHex, type MapStateFile } from '../../src/state/map-state.js';
import type { PacketRun } from '../../src/vm/run-types.js';
import { repoRoot } from '../support/corpus.js';
import {
  arpRequest,
  icmp4Frame,
  inetChecksum,
  ip4At,
  tcp4Frame,
  u16At,
  udp4Frame,
  type Ip4,
} from './frames.js';
import { prng } from './alu-fuzz.js';
import { globalPatch, openOracle, oracleUnavailable, type Oracle } from './oracle.js';

// The kernel as the reference: every expectation below comes from the C source of the
// program under test, and is checked against what BPF_PROG_TEST_RUN really does.

const unavailable = oracleUnavailable();
const IDIOMS = 'corpus/idioms/obj';
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const TC_ACT_REDIRECT = 7;
const XDP_DROP = 1;
const XDP_PASS = 2;

function objectOf(path: string): BpfObject {
  return loadObject(new Uint8Array(readFileSync(join(repoRoot, path))));
}

const ip = (s: string): Ip4 => s.split('.').map(Number) as unknown as Ip4;
const ipHex = (s: string): string => toHex(Uint8Array.from(ip(s)));
const u32le = (n: number): string => toHex(Uint8Array.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]));
const u64le = (n: bigint): string => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return toHex(b);
};
const state = (maps: MapStateFile['maps']): MapStateFile => ({ version: 1, maps });

/** Opens, runs `body`, always closes. */
function withOracle<T>(path: string, body: (o: Oracle, obj: BpfObject) => T, options?: Parameters<typeof openOracle>[1]): T {
  const obj = objectOf(path);
  const o = openOracle(path, options);
  try {
    return body(o, obj);
  } finally {
    o.close();
  }
}

/** Our map names pinned in bpffs: must stay empty. */
function pinnedOurs(names: ReadonlySet<string>): string[] {
  try {
    return readdirSync('/sys/fs/bpf').filter((e) => names.has(e));
  } catch {
    return [];
  }
}

describe('kernel oracle', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: kernel oracle tests: ${unavailable}`));
    return;
  }

  const coppiceMapNames = new Set(objectOf('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o').maps.map((m) => m.name));
  let pinnedBefore: string[] = [];
  beforeAll(() => {
    pinnedBefore = pinnedOurs(coppiceMapNames);
  });
  afterAll(() => {
    // Pinning is cleared before load: not one of the Coppice maps (pinned by name in
    // production) may appear in bpffs because of us.
    expect(pinnedOurs(coppiceMapNames)).toEqual(pinnedBefore);
  });

  describe('map round trips (set, then dump, gives the same state)', () => {
    it('HASH: blocked hosts', () => {
      withOracle(`${IDIOMS}/hash_blocked_hosts.bpfel.o`, (o, obj) => {
        const s = state({
          blocked_hosts: {
            entries: [
              { key: ipHex('10.0.0.1'), value: '0100000000000000' + '2a00000000000000' },
              { key: ipHex('192.168.1.7'), value: '00'.repeat(16) },
            ].sort((a, b) => a.key.localeCompare(b.key)),
          },
        });
        o.setMaps(s, obj);
        expect(o.dumpMaps()).toEqual(s);
        // Setting replaces: the old keys go.
        const s2 = state({ blocked_hosts: { entries: [{ key: ipHex('1.2.3.4'), value: 'ff'.repeat(16) }] } });
        o.setMaps(s2, obj);
        expect(o.dumpMaps()).toEqual(s2);
      });
    });

    it('ARRAY: only non-zero slots, sorted by key hex (slot 256 sorts before slot 6)', () => {
      withOracle(`${IDIOMS}/atomic_counters.bpfel.o`, (o, obj) => {
        const entries = [
          { key: u32le(6), value: u64le(3n) + u64le(180n) },
          { key: u32le(256), value: u64le(1n) + u64le(60n) },
          { key: u32le(17), value: u64le(9n) + u64le(0n) },
        ].sort((a, b) => a.key.localeCompare(b.key));
        o.setMaps(state({ proto_counters: { entries } }), obj);
        expect(o.dumpMaps().maps.proto_counters.entries).toEqual(entries);
        expect(entries[0].key).toBe(u32le(256));
        // A slot set to zero is not listed, and clearing zeroes the others.
        o.setMaps(state({ proto_counters: { entries: [{ key: u32le(1), value: '00'.repeat(16) }] } }), obj);
        expect(o.dumpMaps().maps.proto_counters.entries).toEqual([]);
      });
    });

    it('a bpf_spin_lock inside a value is neither written nor read from user space', () => {
      withOracle(`${IDIOMS}/spin_lock_policer.bpfel.o`, (o, obj) => {
        // struct udp_policer { bpf_spin_lock lock; u32 pad; u64 tokens; u64 last_ns; }
        const rest = 'eeeeeeee' + u64le(1n) + u64le(2n);
        o.setMaps(state({ udp_policer: { entries: [{ key: u32le(0), value: 'ffffffff' + rest }] } }), obj);
        expect(o.dumpMaps().maps.udp_policer.entries).toEqual([{ key: u32le(0), value: '00000000' + rest }]);
      });
    });

    it('PERCPU_ARRAY and legacy bpf_map_def maps (our own loader)', () => {
      withOracle(`${IDIOMS}/legacy_bpf_map_def.bpfel.o`, (o, obj) => {
        expect(o.legacy).toBe(true);
        const s = state({
          xdp_verdicts: { entries: [{ key: u32le(1), value: u64le(5n) }, { key: u32le(2), value: u64le(7n) }] },
          udp_deny_ports: { entries: [{ key: '0b00', value: '01' }, { key: 'd504', value: '01' }] },
        });
        o.setMaps(s, obj);
        expect(o.dumpMaps()).toEqual(s);
      });
    });

    it('LPM_TRIE: prefixes keep their exact key bytes', () => {
      withOracle(`${IDIOMS}/lpm_allow_dst.bpfel.o`, (o, obj) => {
        const entries = [
          { key: u32le(8) + ipHex('10.0.0.0'), value: '01' },
          { key: u32le(24) + ipHex('10.1.2.0'), value: '02' },
          { key: u32le(32) + ipHex('192.0.2.9'), value: '03' },
        ].sort((a, b) => a.key.localeCompare(b.key));
        o.setMaps(state({ allow_dst: { entries } }), obj);
        expect(o.dumpMaps()).toEqual(state({ allow_dst: { entries } }));
        const run = (dst: string): number =>
          o.run({ program: 'allow_dst_only', packet: udp4Frame(ip('198.51.100.1'), ip(dst), 1000, 53) }).outcome.retval;
        expect(run('10.1.2.3')).toBe(TC_ACT_OK);
        expect(run('10.200.0.1')).toBe(TC_ACT_OK);
        expect(run('11.0.0.1')).toBe(TC_ACT_SHOT);
        expect(run('192.0.2.9')).toBe(TC_ACT_OK);
        expect(run('192.0.2.8')).toBe(TC_ACT_SHOT);
      });
    });

    it('HASH_OF_MAPS with inner LPM tries (Coppice allow_out), created from the object template', () => {
      withOracle('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', (o, obj) => {
        const trie = (...p: [number, string, number][]) => ({
          entries: p
            .map(([len, addr, flags]) => ({ key: u32le(len) + ipHex(addr), value: u32le(flags) }))
            .sort((a, b) => a.key.localeCompare(b.key)),
        });
        const s = state({
          allow_out: {
            entries: [
              { key: u32le(7), inner: trie([24, '203.0.113.0', 0], [32, '198.51.100.4', 1]) },
              { key: u32le(300), inner: trie() },
            ].sort((a, b) => a.key.localeCompare(b.key)),
          },
          deny_out: { entries: [{ key: u32le(7), inner: trie([8, '10.0.0.0', 0]) }] },
        });
        o.setMaps(s, obj);
        expect(o.dumpMaps(['allow_out', 'deny_out'])).toEqual(s);
      });
    });

    it('ARRAY_OF_MAPS: initial inner maps from .rel.maps, then replaced', () => {
      withOracle(`${IDIOMS}/array_of_maps_gen.bpfel.o`, (o, obj) => {
        // The static initialiser put deny_gen0 and deny_gen1 (both empty) in the slots.
        expect(o.dumpMaps(['deny_generations']).maps.deny_generations.entries).toEqual([
          { key: u32le(0), inner: { entries: [] } },
          { key: u32le(1), inner: { entries: [] } },
        ]);
        const s = state({
          deny_active: { entries: [{ key: u32le(0), value: u32le(1) }] },
          deny_generations: { entries: [{ key: u32le(1), inner: { entries: [{ key: ipHex('10.9.9.9'), value: '01' }] } }] },
        });
        o.setMaps(s, obj);
        expect(o.dumpMaps(['deny_active', 'deny_generations'])).toEqual(s);
        const from = (src: string): number =>
          o.run({ program: 'deny_current_generation', packet: udp4Frame(ip(src), ip('10.0.0.2'), 1, 2) }).outcome.retval;
        expect(from('10.9.9.9')).toBe(TC_ACT_SHOT);
        expect(from('10.9.9.8')).toBe(TC_ACT_OK);
        // Generation 0 is now empty (cleared slot): lookups of the set fail, traffic passes.
        o.setMaps(state({ deny_active: { entries: [] } }), obj);
        expect(from('10.9.9.9')).toBe(TC_ACT_OK);
      });
    });

    it('PROG_ARRAY: initial slots by program name, and set by name', () => {
      withOracle(`${IDIOMS}/tail_call_chain.bpfel.o`, (o, obj) => {
        const initial = o.dumpMaps(['stages']);
        expect(initial.maps.stages.entries).toEqual([
          { key: u32le(0), program: 'stage_ipv4' },
          { key: u32le(1), program: 'stage_ipv6' },
          { key: u32le(2), program: 'stage_tcp4' },
        ]);
        const swapped = state({ stages: { entries: [{ key: u32le(0), program: 'stage_tcp4' }, { key: u32le(5), program: 'stage_ipv4' }] } });
        o.setMaps(swapped, obj);
        expect(o.dumpMaps(['stages'])).toEqual(swapped);
        o.setMaps(initial, obj);
        expect(o.dumpMaps(['stages'])).toEqual(initial);
      });
    });

    it('.rodata from options, .data and .bss as single-entry arrays', () => {
      const path = `${IDIOMS}/rodata_config.bpfel.o`;
      const obj = objectOf(path);
      // cfg_admin_port = 2222 instead of 22.
      const port = new Uint8Array([2222 & 0xff, 2222 >> 8]);
      withOracle(
        path,
        (o) => {
          const maps = o.dumpMaps().maps;
          const rodata = fromHex((maps['.rodata'].entries[0] as { value: string }).value);
          const g = obj.globals.find((x) => x.name === 'cfg_admin_port')!;
          expect(Array.from(rodata.subarray(g.offset, g.offset + 2))).toEqual([0xae, 0x08]);
          expect(maps['.data'].entries).toEqual([{ key: '00000000', value: u32le(1) }]);
          expect(maps['.bss'].entries).toEqual([]);
          expect(o.maps.find((m) => m.name === '.rodata')?.frozen).toBe(true);

          const outsider = (dport: number) => o.run({ program: 'admin_access', packet: tcp4Frame(ip('198.51.100.1'), ip('10.0.0.1'), 40000, dport) });
          expect(outsider(22).outcome.retval).toBe(TC_ACT_OK); // no longer the admin port
          expect(o.run({ program: 'admin_access', packet: icmp4Frame(ip('198.51.100.1'), ip('10.0.0.1')) }).outcome.retval).toBe(TC_ACT_OK); // cfg_allow_icmp
          expect(outsider(2222).outcome.retval).toBe(TC_ACT_SHOT);
          expect(o.dumpMaps(['.bss']).maps['.bss'].entries).toEqual([{ key: '00000000', value: u64le(1n) }]);
          // Monitor mode through .data: counted, not dropped.
          o.setMaps(state({ '.data': { entries: [] } }), obj);
          expect(outsider(2222).outcome.retval).toBe(TC_ACT_OK);
          expect(o.dumpMaps(['.bss', '.data']).maps).toEqual({ '.bss': { entries: [{ key: '00000000', value: u64le(2n) }] }, '.data': { entries: [] } });
          // .rodata after load: the same contents are accepted, others refused.
          o.setMaps(state({ '.rodata': maps['.rodata'] }), obj);
          expect(() => o.setMaps(state({ '.rodata': { entries: [] } }), obj)).toThrow(/frozen/);
        },
        { patches: [globalPatch(obj, 'cfg_admin_port', port)] },
      );
    });
  });

  describe('runs give the verdicts the C source says', () => {
    it('hash_blocked_hosts drops a listed source, passes another, and counts the hit', () => {
      withOracle(`${IDIOMS}/hash_blocked_hosts.bpfel.o`, (o, obj) => {
        o.setMaps(state({ blocked_hosts: { entries: [{ key: ipHex('10.0.0.1'), value: '00'.repeat(16) }] } }), obj);
        const bad = udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 1234, 53);
        const good = udp4Frame(ip('10.0.0.3'), ip('10.0.0.2'), 1234, 53);
        expect(o.run({ program: 'block_hosts', packet: bad }).outcome.retval).toBe(TC_ACT_SHOT);
        expect(o.run({ program: 'block_hosts', packet: good }).outcome.retval).toBe(TC_ACT_OK);
        // To the listed host is blocked too.
        expect(o.run({ program: 'block_hosts', packet: udp4Frame(ip('10.0.0.3'), ip('10.0.0.1'), 1, 2) }).outcome.retval).toBe(TC_ACT_SHOT);
        expect(o.dumpMaps().maps.blocked_hosts.entries).toEqual([
          { key: ipHex('10.0.0.1'), value: u64le(2n) + u64le(BigInt(bad.length * 2)) },
        ]);
      });
    });

    it('tail_call_chain reaches its stages, and a missing stage drops', () => {
      withOracle(`${IDIOMS}/tail_call_chain.bpfel.o`, (o, obj) => {
        const run = (packet: Uint8Array) => o.run({ program: 'pipeline_entry', packet }).outcome.retval;
        expect(run(tcp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 4000, 23))).toBe(TC_ACT_SHOT); // stage_tcp4: telnet
        expect(run(tcp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 4000, 80))).toBe(TC_ACT_OK);
        expect(run(udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 4000, 19))).toBe(TC_ACT_SHOT); // stage_ipv4: chargen
        expect(run(udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 4000, 53))).toBe(TC_ACT_OK);
        o.setMaps(state({ stages: { entries: [{ key: u32le(0), program: 'stage_ipv4' }] } }), obj);
        expect(run(tcp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 4000, 80))).toBe(TC_ACT_SHOT); // stage_tcp4 missing
      });
    });

    it('mark_set: the mark written by the program comes back in ctx_out; other fields pass through', () => {
      withOracle(`${IDIOMS}/mark_set.bpfel.o`, (o) => {
        const ssh = o.run({ program: 'mark_mgmt_traffic', packet: tcp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 5000, 22) });
        expect(ssh.outcome.retval).toBe(TC_ACT_OK);
        expect(ssh.outcome.ctx?.mark).toBe(0x10);
        const dns = o.run({
          program: 'mark_mgmt_traffic',
          packet: udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 5000, 53),
          ctx: { mark: 7, priority: 3, cb: [1, 2, 3, 4, 5], tstamp: 123456789n, hwtstamp: 42n, ingressIfindex: 9 },
        });
        expect(dns.outcome.ctx).toEqual({
          mark: 0x20,
          priority: 3,
          ingressIfindex: 9,
          ifindex: 1, // loopback: the kernel's default device
          cb: [1, 2, 3, 4, 5],
          tstamp: 123456789n,
          wireLen: dns.outcome.packet.length, // 0 in ctx_in means "the packet's length"
          gsoSegs: 0,
          hwtstamp: 42n,
        });
        const other = o.run({ program: 'mark_mgmt_traffic', packet: udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 5000, 54), ctx: { mark: 7 } });
        expect(other.outcome.ctx?.mark).toBe(7);
      });
    });

    it('dnat_port_map rewrites the destination, and both checksums stay valid', () => {
      withOracle(`${IDIOMS}/dnat_port_map.bpfel.o`, (o, obj) => {
        // dnat_key {port be16 8080, proto 6, pad}; dnat_target {addr 10.1.1.1, port be16 80, pad}.
        o.setMaps(state({ dnat_rules: { entries: [{ key: '1f900600', value: ipHex('10.1.1.1') + '00500000' }] } }), obj);
        const frame = tcp4Frame(ip('198.51.100.7'), ip('203.0.113.5'), 40000, 8080);
        const r = o.run({ program: 'dnat_published_ports', packet: frame });
        expect(r.outcome.retval).toBe(TC_ACT_OK);
        const out = r.outcome.packet;
        expect(out.length).toBe(frame.length);
        expect(ip4At(out, 30)).toBe('10.1.1.1');
        expect(u16At(out, 36)).toBe(80);
        expect(inetChecksum(out.subarray(14, 34))).toBe(0); // IPv4 header sums to zero
        const seg = out.subarray(34);
        const pseudo = [...out.subarray(26, 34), 0, 6, 0, seg.length];
        expect(inetChecksum([...pseudo, ...seg])).toBe(0);
        // No rule for the port: unchanged bytes.
        const other = tcp4Frame(ip('198.51.100.7'), ip('203.0.113.5'), 40000, 8081);
        expect(toHex(o.run({ program: 'dnat_published_ports', packet: other }).outcome.packet)).toBe(toHex(other));
      });
    });

    it('atomic_counters: the program\'s updates show in the dump', () => {
      withOracle(`${IDIOMS}/atomic_counters.bpfel.o`, (o) => {
        const udp = udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 1, 2);
        const tcp = tcp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 1, 2);
        const arp = arpRequest([2, 0, 0, 0, 0, 1], ip('10.0.0.1'), ip('10.0.0.2'));
        const results = o.runBatch([udp, udp, tcp, arp].map((packet) => ({ program: 'count_by_proto', packet })), { dumpAfterEach: true });
        expect(results.map((r) => r.outcome.retval)).toEqual([0, 0, 0, 0]);
        const last = results[3].outcome.maps!.maps.proto_counters.entries;
        expect(last).toEqual(
          [
            { key: u32le(6), value: u64le(1n) + u64le(BigInt(tcp.length)) },
            { key: u32le(17), value: u64le(2n) + u64le(BigInt(2 * udp.length)) },
            { key: u32le(256), value: u64le(1n) + u64le(BigInt(arp.length)) },
          ].sort((a, b) => a.key.localeCompare(b.key)),
        );
        // After the first run only UDP has counted.
        expect(results[0].outcome.maps!.maps.proto_counters.entries).toEqual([{ key: u32le(17), value: u64le(1n) + u64le(BigInt(udp.length)) }]);
      });
    });

    it('lru_conntrack: egress remembers a flow at the kernel clock, ingress admits its replies only', () => {
      withOracle(`${IDIOMS}/lru_conntrack.bpfel.o`, (o) => {
        const out = o.run({ program: 'ct_egress', packet: tcp4Frame(ip('10.0.0.1'), ip('93.184.216.34'), 40000, 443) });
        expect(out.outcome.retval).toBe(TC_ACT_OK);
        const entries = o.dumpMaps(['ct_flows']).maps.ct_flows.entries;
        expect(entries).toHaveLength(1);
        // ct_key: local, remote, lport, rport (network order), proto, pad.
        expect(entries[0].key).toBe(ipHex('10.0.0.1') + ipHex('93.184.216.34') + '9c40' + '01bb' + '06000000');
        const value = fromHex((entries[0] as { value: string }).value);
        const seen = new DataView(value.buffer).getBigUint64(0, true);
        expect(seen >= out.clockBefore && seen <= out.clockAfter).toBe(true);
        expect(new DataView(value.buffer).getBigUint64(8, true)).toBe(1n);
        const reply = o.run({ program: 'ct_ingress', packet: tcp4Frame(ip('93.184.216.34'), ip('10.0.0.1'), 443, 40000) });
        expect(reply.outcome.retval).toBe(TC_ACT_OK);
        const stranger = o.run({ program: 'ct_ingress', packet: tcp4Frame(ip('93.184.216.35'), ip('10.0.0.1'), 443, 40000) });
        expect(stranger.outcome.retval).toBe(TC_ACT_SHOT);
        const ssh = o.run({ program: 'ct_ingress', packet: tcp4Frame(ip('93.184.216.35'), ip('10.0.0.1'), 50000, 22) });
        expect(ssh.outcome.retval).toBe(TC_ACT_OK);
      });
    });

    it('legacy XDP: per-CPU verdict counters and a UDP port deny list', () => {
      withOracle(`${IDIOMS}/legacy_bpf_map_def.bpfel.o`, (o, obj) => {
        o.setMaps(state({ udp_deny_ports: { entries: [{ key: '0b2d', value: '01' }] } }), obj); // 11531, host order
        const run = (dport: number) => o.run({ program: 'xdp_udp_port_deny', packet: udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 1, dport) });
        const denied = run(11531);
        expect(denied.outcome.retval).toBe(XDP_DROP);
        expect(denied.outcome.ctx).toBeUndefined();
        expect(run(53).outcome.retval).toBe(XDP_PASS);
        expect(o.dumpMaps(['xdp_verdicts']).maps.xdp_verdicts.entries).toEqual([
          { key: u32le(1), value: u64le(1n) },
          { key: u32le(2), value: u64le(1n) },
        ]);
      });
    });
  });

  describe('Coppice', () => {
    for (const name of ['mvmtap', 'nodenic', 'localgw']) {
      it(`${name} loads alone with its shared maps, nothing pinned`, () => {
        const path = `corpus/coppice/obj/${name}.bpfel.v3.O2.o`;
        withOracle(path, (o, obj) => {
          expect(o.programs.map((p) => p.name).sort()).toEqual(obj.programs.map((p) => p.name).sort());
          const kernelNames = o.maps.map((m) => m.name).sort();
          const ours = [...obj.maps.map((m) => m.name), ...obj.dataSections.map((d) => d.name)].sort();
          expect(kernelNames).toEqual(ours);
          for (const m of obj.maps) {
            const k = o.maps.find((x) => x.name === m.name)!;
            expect({ type: k.type, keySize: k.keySize, maxEntries: k.maxEntries }).toEqual({ type: m.type, keySize: m.keySize, maxEntries: m.maxEntries });
          }
        });
      });
    }

    it('from_cube answers an ARP request for the gateway with a reply, back out of the same TAP', () => {
      withOracle('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', (o) => {
        const vmMac = [0x20, 0x90, 0x6f, 0xfc, 0xfc, 0xfc] as const;
        const gwMac = [0xee, 0xff, 0xff, 0xff, 0xff, 0xff];
        const req = arpRequest(vmMac, ip('169.254.68.6'), ip('169.254.68.5'));
        const r = o.run({ program: 'from_cube', packet: req });
        expect(r.outcome.retval).toBe(TC_ACT_REDIRECT);
        const p = r.outcome.packet;
        expect(Array.from(p.subarray(0, 6))).toEqual([...vmMac]); // to the asker
        expect(Array.from(p.subarray(6, 12))).toEqual(gwMac);
        expect(u16At(p, 20)).toBe(2); // ARP reply
        expect(Array.from(p.subarray(22, 28))).toEqual(gwMac); // sender hardware address
        expect(ip4At(p, 28)).toBe('169.254.68.5');
        expect(Array.from(p.subarray(32, 38))).toEqual([...vmMac]);
        expect(ip4At(p, 38)).toBe('169.254.68.6');
        // A probe for the VM's own address stays unanswered.
        expect(o.run({ program: 'from_cube', packet: arpRequest(vmMac, ip('0.0.0.0'), ip('169.254.68.6')) }).outcome.retval).toBe(TC_ACT_SHOT);
      });
    });
  });

  it('every little-endian corpus object loads, with the programs and map names loadObject reports', () => {
    const objects = readdirSync(join(repoRoot, IDIOMS))
      .filter((f) => f.endsWith('.bpfel.o'))
      .map((f) => `${IDIOMS}/${f}`)
      .concat(['mvmtap', 'nodenic', 'localgw'].map((n) => `corpus/coppice/obj/${n}.bpfel.v1.O1.o`));
    const problems: string[] = [];
    for (const path of objects) {
      const obj = objectOf(path);
      try {
        withOracle(path, (o) => {
          const kernel = { programs: o.programs.map((p) => p.name).sort(), maps: o.maps.map((m) => m.name).sort() };
          const ours = {
            programs: obj.programs.filter((p) => p.autoload).map((p) => p.name).sort(),
            maps: [...obj.maps.map((m) => m.name), ...obj.dataSections.filter((d) => d.size > 0).map((d) => d.name)].sort(),
          };
          if (JSON.stringify(kernel) !== JSON.stringify(ours)) problems.push(`${path}: kernel ${JSON.stringify(kernel)} ours ${JSON.stringify(ours)}`);
          // A full dump works on every object (ring buffers and the like are left out).
          const dumped = Object.keys(o.dumpMaps().maps).sort();
          expect(dumped).toEqual(o.maps.filter((m) => m.dumpable).map((m) => m.name).sort());
        });
      } catch (e) {
        problems.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    expect(problems.join('\n')).toBe('');
  });

  describe('protocol robustness', () => {
    it('bad requests get JSON errors and the oracle keeps answering', () => {
      withOracle(`${IDIOMS}/hash_blocked_hosts.bpfel.o`, (o) => {
        const bad = [
          'frobnicate',
          '',
          'put',
          'put blocked_hosts zz 00',
          'put blocked_hosts 0a00000 00',
          'put blocked_hosts 0a000001 00', // value too short
          'put blocked_hosts 0a0000 ' + '00'.repeat(16), // key too short
          'put nosuchmap 00 00',
          'put-prog blocked_hosts 00000000 block_hosts',
          'put-inner blocked_hosts 00000000 1 4 4 1 0',
          'run nosuchprog 00',
          'run block_hosts xyz',
          'run block_hosts 00 mark=notanumber',
          'run block_hosts 00 cb=1,2,3',
          'run block_hosts 00 color=blue',
          'dump nosuchmap',
          'init .rodata 00', // after load
          'clear',
          'patch .data 99999999999999999999999 00',
          'batch',
        ];
        for (const line of bad) {
          const r = o.request(line);
          expect(r.ok, line).toBe(false);
          expect(typeof r.error).toBe('string');
        }
        expect(() => o.request('batch 2')).toThrow(/single requests/);
        expect(o.request('hello').ok).toBe(true);
      });
    });

    it('random garbage: one JSON answer per line, and the oracle survives', () => {
      withOracle('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', (o) => {
        const rng = prng(7);
        const words = ['put', 'put-prog', 'put-inner', 'run', 'dump', 'clear', 'init', 'patch', 'load', 'hello', 'clock'];
        const args = ['allow_out', 'cube_dns_progs', 'cube_percpu', '.rodata', 'from_cube', 'cube_dns_hdr', '00000000', '-', 'ff', '0x10', '99999999999', '11', '13', 'mark=1', 'cb=1,2,3,4,5', 'noctx', 'zz', '=', '0a000001' + '00'.repeat(20)];
        for (let k = 0; k < 400; k++) {
          const n = Math.floor(rng() * 10);
          const line = [words[Math.floor(rng() * words.length)], ...Array.from({ length: n }, () => args[Math.floor(rng() * args.length)])].join(' ');
          const r = o.request(line);
          expect(typeof r.ok, line).toBe('boolean');
        }
        expect(o.request('hello').ok).toBe(true);
      });
    });

    it('a run the kernel refuses is reported with errno, not thrown', () => {
      withOracle(`${IDIOMS}/hash_blocked_hosts.bpfel.o`, (o) => {
        // EtherType IPv4 with fewer than 34 bytes: EINVAL on 6.18.
        const short = udp4Frame(ip('10.0.0.1'), ip('10.0.0.2'), 1, 2).subarray(0, 30);
        const r = o.run({ program: 'block_hosts', packet: short });
        expect(r.errno).toBe(22);
        expect(r.error).toMatch(/Invalid argument/);
        const tiny = o.run({ program: 'block_hosts', packet: new Uint8Array(13) });
        expect(tiny.errno).toBe(22);
        expect(o.run({ program: 'block_hosts', packet: new Uint8Array(14) }).outcome.retval).toBe(TC_ACT_OK);
      });
    });

    it('opening a missing object or loading a bad override fails cleanly', () => {
      expect(() => openOracle('corpus/idioms/obj/no_such_object.o')).toThrow(/cannot open/);
      expect(() => openOracle(`${IDIOMS}/rodata_config.bpfel.o`, { sections: { '.rodata': new Uint8Array(3) } })).toThrow(/13 bytes/);
      expect(() => openOracle(`${IDIOMS}/rodata_config.bpfel.o`, { patches: [{ section: '.rodata.nope', offset: 0, bytes: new Uint8Array(1) }] })).toThrow(/no section/);
    });
  });

  it('runs per second for a batch of 2,000 runs', () => {
    withOracle(`${IDIOMS}/hash_blocked_hosts.bpfel.o`, (o, obj) => {
      o.setMaps(state({ blocked_hosts: { entries: [{ key: ipHex('10.0.0.1'), value: '00'.repeat(16) }] } }), obj);
      const runs: PacketRun[] = Array.from({ length: 2000 }, (_, i) => ({
        program: 'block_hosts',
        packet: udp4Frame(ip(`10.0.${(i >> 8) & 3}.${i & 0xff}`), ip('10.0.0.2'), 1000 + i, 53),
      }));
      const rate = (label: string, f: () => void): number => {
        const t = process.hrtime.bigint();
        f();
        const s = Number(process.hrtime.bigint() - t) / 1e9;
        const perSecond = Math.round(runs.length / s);
        console.log(`oracle: ${label}: ${perSecond} runs/s (${((s * 1e6) / runs.length).toFixed(1)} µs per run)`);
        return perSecond;
      };
      o.runBatch(runs.slice(0, 300)); // warm up the JIT of both codecs first
      let batch: ReturnType<Oracle['runBatch']> = [];
      const batched = rate('runBatch of 2,000', () => {
        batch = o.runBatch(runs);
      });
      rate('runBatch of 2,000 with a dump after each', () => o.runBatch(runs, { dumpAfterEach: true }));
      rate('2,000 single run() calls', () => runs.forEach((r) => o.run(r)));
      const listed = runs.filter((r) => ip4At(r.packet, 26) === '10.0.0.1').length;
      expect(batch.filter((r) => r.outcome.retval === TC_ACT_SHOT)).toHaveLength(listed);
      expect(batched).toBeGreaterThan(1000);
    });
  });
});
