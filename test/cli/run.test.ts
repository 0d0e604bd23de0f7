import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { buildFrame } from '../../src/packet/build-frame.js';
import { writePcap } from '../../src/packet/pcap.js';
import { stateFile } from '../../src/state/state-file.js';
import { entry } from '../../src/state/map-entries.js';
import { toHex } from '../../src/state/map-state.js';
import { openOracle, oracleUnavailable } from '../oracle/oracle.js';
import { repoRoot } from '../support/corpus.js';
import { runCli } from '../support/cli.js';

// `bpf2pf run` end to end: what a user sees for a packet, and the kernel's verdict for
// the same object, state and packet where the kernel can be asked.

const tcp = (src: string, dst: string, dport: number): Uint8Array =>
  buildFrame({ kind: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', body: { kind: 'ipv4', src, dst, payload: { kind: 'tcp', sport: 40000, dport, flags: 2 } } });

const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-run-'));

function blockedHostsState(): string {
  const path = 'corpus/idioms/obj/hash_blocked_hosts.bpfel.o';
  const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, path))));
  const map = obj.maps.find((m) => m.name === 'blocked_hosts')!;
  const state = stateFile(obj.maps, { blocked_hosts: [entry(map, '192.0.2.66', {}, obj.littleEndian)] }, obj.littleEndian);
  const file = join(dir, 'blocked.json');
  writeFileSync(file, JSON.stringify(state));
  return file;
}

describe('bpf2pf run', () => {
  it('shows the verdict, the rewritten packet and context writes', () => {
    const r = runCli(['run', 'corpus/idioms/obj/mark_set.bpfel.o', '--packet', toHex(tcp('10.0.0.1', '10.0.0.2', 22)), '--ctx', 'mark=1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/verdict: TC_ACT_OK \(0\)/);
    expect(r.stdout).toMatch(/ctx\.mark: 1 -> \d+/);
  });

  it('starts from a map state file and agrees with the kernel on the verdict', () => {
    const state = blockedHostsState();
    const blocked = tcp('192.0.2.66', '10.0.0.2', 80);
    const other = tcp('192.0.2.67', '10.0.0.2', 80);
    const r = runCli(['run', 'corpus/idioms/obj/hash_blocked_hosts.bpfel.o', '--maps', state, '--packet', toHex(blocked), '--packet', toHex(other), '--json']);
    expect(r.stderr).toBe('');
    const runs = JSON.parse(r.stdout) as { retval: number; maps: { maps: Record<string, { entries: { key: string; value: string }[] }> } }[];
    expect(runs).toHaveLength(2);
    expect(runs[0].retval).not.toBe(runs[1].retval);
    if (oracleUnavailable()) return console.log(`SKIP: kernel verdicts for bpf2pf run: ${oracleUnavailable()}`);
    const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, 'corpus/idioms/obj/hash_blocked_hosts.bpfel.o'))));
    const oracle = openOracle(join(repoRoot, 'corpus/idioms/obj/hash_blocked_hosts.bpfel.o'));
    try {
      oracle.setMaps(JSON.parse(readFileSync(state, 'utf8')), obj);
      const k = [blocked, other].map((p) => oracle.run({ program: 'block_hosts', packet: p }).outcome.retval);
      expect(runs.map((x) => x.retval)).toEqual(k);
      expect(runs[1].maps.maps.blocked_hosts).toEqual(oracle.dumpMaps(['blocked_hosts']).maps.blocked_hosts);
    } finally {
      oracle.close();
    }
  });

  it('runs every frame of a pcap file and shows rewrites with their checksums', () => {
    const file = join(dir, 'in.pcap');
    writeFileSync(file, writePcap([tcp('10.0.0.1', '198.51.100.7', 80), tcp('10.0.0.1', '198.51.100.8', 443)]));
    const r = runCli(['run', 'corpus/coppice/obj/localgw.bpfel.v3.O2.o', '--pcap', file]);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^packet \d+:/gm)).toHaveLength(2);
    // from_envoy rewrites both addresses before it looks the destination up: no entry, drop.
    expect(r.stdout).toMatch(/169\.254\.68\.5\.40000 > 169\.254\.68\.6\.80/);
    expect(r.stdout).toMatch(/changed bytes: /);
    expect(r.stdout).not.toMatch(/bad cksum/);
  });

  it('runs on the interface --ctx ifindex names (the device exists), e.g. a sandbox TAP of Coppice', () => {
    const echo = buildFrame({ kind: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', body: { kind: 'ipv4', src: '169.254.68.6', dst: '169.254.68.5', payload: { kind: 'icmp', type: 8, code: 0, rest: 0 } } });
    const on = (ifindex: number, ...more: string[]) =>
      runCli(['run', 'corpus/coppice/mvmtap.o', '--program', 'from_cube', '--maps', 'corpus/coppice/snapshot.json', '--ctx', `ifindex=${ifindex}`, ...more, '--packet', toHex(echo)]);
    // Each registered TAP's ping to the gateway leaves with that sandbox's host-side address.
    for (const [ifindex, ip] of [[101, '10.200.0.1'], [102, '10.200.0.2']] as const) {
      const r = on(ifindex);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/verdict: TC_ACT_REDIRECT \(7\) -> redirect to ifindex 216 \(ingress\)/);
      expect(r.stdout).toContain(`${ip} > 203.0.113.1: ICMP echo request`);
    }
    expect(on(999).stdout).toMatch(/verdict: TC_ACT_SHOT/);
    expect(on(101, '--device', '216:cube-dev:1500').status).toBe(0);
    const twice = on(101, '--device', '7', '--device', '7');
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/--device 7: ifindex 7 is given twice \[USAGE\]\n$/);
    expect(on(101, '--device', 'eth0').stderr).toMatch(/expected IFINDEX\[:NAME\[:MTU\]\]/);
  });

  it('refuses what it cannot run, in one line', () => {
    const noProgram = runCli(['run', 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', '--packet', toHex(tcp('1.1.1.1', '2.2.2.2', 1))]);
    expect(noProgram.status).toBe(2);
    expect(noProgram.stderr).toMatch(/choose a program with --program: .*from_cube .*\[USAGE\]\n$/);
    const badHex = runCli(['run', 'corpus/idioms/obj/mark_set.bpfel.o', '--packet', 'zz']);
    expect(badHex.status).toBe(2);
    const badCtx = runCli(['run', 'corpus/idioms/obj/mark_set.bpfel.o', '--packet', toHex(tcp('1.1.1.1', '2.2.2.2', 1)), '--ctx', 'len=3']);
    expect(badCtx.status).toBe(2);
    expect(badCtx.stderr).toMatch(/not a field a test run can set/);
    const short = runCli(['run', 'corpus/idioms/obj/mark_set.bpfel.o', '--packet', '0011']);
    expect(short.status).toBe(2);
    expect(short.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
