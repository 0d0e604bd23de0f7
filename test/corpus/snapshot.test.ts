import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coppiceSnapshotText } from '../../src/gen/coppice-snapshot.js';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject } from '../../src/object/types.js';
import { buildFrame, TCP_SYN } from '../../src/packet/index.js';
import type { MapStateFile } from '../../src/state/map-state.js';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/corpus.js';

// corpus/coppice/snapshot.json (src/gen/coppice-snapshot.ts): up to date, loadable into
// each default Coppice object, and meaning what it says when the programs run on it.

const SNAPSHOT = 'corpus/coppice/snapshot.json';
const objects = Object.fromEntries(
  ['mvmtap', 'nodenic', 'localgw'].map((p) => [p, loadObject(new Uint8Array(readFileSync(join(repoRoot, `corpus/coppice/${p}.o`))))]),
) as Record<'mvmtap' | 'nodenic' | 'localgw', BpfObject>;
const text = readFileSync(join(repoRoot, SNAPSHOT), 'utf8');
const snapshot = JSON.parse(text) as MapStateFile;

const TAP_MAC = '20:90:6f:fc:fc:fc';
const devices = [1, 2, 101, 102, 103, 104, 216].map((ifindex) => ({ ifindex, name: `dev${ifindex}`, mtu: 1500, hardHeaderLen: 14, mac: [2, 0, 0, 0, 0, ifindex & 0xff], forwarding: false }));

function syn(src: string, dst: string, sport: number, dport: number): Uint8Array {
  return buildFrame({ kind: 'ethernet', src: TAP_MAC, dst: 'ee:ff:ff:ff:ff:ff', body: { kind: 'ipv4', src, dst, payload: { kind: 'tcp', sport, dport, flags: TCP_SYN } } });
}

function fromCube(tap: number, dst: string, dport: number) {
  const store = createMapStore(objects.mvmtap, snapshot);
  return runProgram(objects.mvmtap, store, { program: 'from_cube', packet: syn('169.254.68.6', dst, 40000, dport), ctx: { ifindex: tap } }, { devices, dumpMaps: false });
}

describe(SNAPSHOT, () => {
  it('is what npm run corpus:snapshot writes', () => {
    expect(coppiceSnapshotText([objects.mvmtap, objects.nodenic, objects.localgw]), `${SNAPSHOT} is out of date: run npm run corpus:snapshot`).toBe(text);
  });

  it('loads into each of the three objects', () => {
    for (const obj of Object.values(objects)) expect(() => createMapStore(obj, snapshot)).not.toThrow();
  });

  it('from_cube: registered TAPs are NATed to the host NIC, policy as planned', () => {
    const ok = fromCube(101, '1.1.1.1', 443);
    expect(ok.retval).toBe(7); // TC_ACT_REDIRECT
    expect(ok.redirect?.ifindex).toBe(2);
    expect(fromCube(101, '10.1.2.3', 80).redirect?.ifindex).toBe(2); // the allow hole in 10/8
    expect(fromCube(101, '10.9.9.9', 80).retval).toBe(2); // TC_ACT_SHOT: private range
    expect(fromCube(102, '192.168.7.7', 22).redirect?.ifindex).toBe(2);
    expect(fromCube(103, '1.1.1.1', 443).retval).toBe(2); // no internet: 0.0.0.0/0 denied
    const l7 = fromCube(103, '93.184.216.34', 443); // ALLOW_F_L7: to the proxy on cube-dev
    expect(l7.redirect?.ifindex).toBe(216);
    expect((l7.ctx?.mark ?? 0) >>> 0).toBe(0xce020000);
    expect(fromCube(104, '1.1.1.1', 443).retval).toBe(2); // not registered
  });

  it('through the CLI: from_world forwards host port 8080 to TAP 101, from_envoy finds TAP 102', () => {
    const world = runCli(['run', 'corpus/coppice/nodenic.o', '--program', 'from_world', '--maps', SNAPSHOT, '--packet', Buffer.from(syn('198.51.100.7', '9.135.10.2', 50000, 8080)).toString('hex')]);
    expect(world.status, world.stderr).toBe(0);
    expect(world.stdout).toContain('redirect to ifindex 101');
    expect(world.stdout).toContain('> 169.254.68.6.80:');
    const envoy = runCli(['run', 'corpus/coppice/localgw.o', '--maps', SNAPSHOT, '--packet', Buffer.from(syn('203.0.113.1', '10.200.0.2', 50000, 22)).toString('hex')]);
    expect(envoy.status, envoy.stderr).toBe(0);
    expect(envoy.stdout).toContain('redirect to ifindex 102');
  });
});
