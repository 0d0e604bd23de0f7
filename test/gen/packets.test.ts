/**
 * Generated runs: 2,000 per program and state in well under a second, the same for the
 * same seed, every frame within BPF_PROG_TEST_RUN's limits and readable by
 * describePacket. For Coppice, a coverage smoke test prints what the traffic is made of
 * (which part of each program it is aimed at) and checks the shares are not starved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coppiceView, type CoppiceView } from '../../src/gen/coppice-view.js';
import { packetsFor, type GeneratedRun } from '../../src/gen/packets-for.js';
import { createRng } from '../../src/gen/rng.js';
import { statesFor } from '../../src/gen/states-for.js';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject } from '../../src/object/types.js';
import { describePacket, type PacketDescription } from '../../src/packet/describe.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';

const load = (file: string): BpfObject => loadObject(readFileSync(join(repoRoot, file)));
const COUNT = 2000;

function checkFrames(runs: readonly GeneratedRun[], where: string): string[] {
  const problems: string[] = [];
  for (const r of runs) {
    const b = r.packet;
    const type = (b[12] << 8) | b[13];
    const min = type === 0x0800 ? 34 : type === 0x86dd ? 54 : 14;
    if (b.length < min || b.length > 3712) problems.push(`${where}: ${r.category} frame of ${b.length} bytes (EtherType 0x${type.toString(16)})`);
    describePacket(b);
  }
  return problems;
}

describe('generated packets', () => {
  const files = [
    ...['mvmtap', 'nodenic', 'localgw'].map((p) => `corpus/coppice/obj/${p}.bpfel.v3.O2.o`),
    'corpus/coppice/obj/mvmtap.bpfeb.v1.O1.o',
    'corpus/coppice/obj/renamed/nodenic.bpfel.v3.O2.o',
    // Both byte orders of the idioms with hand-written states, the little-endian build of the rest.
    ...corpusObjects().filter((f) => f.includes('/idioms/') && (f.endsWith('.bpfel.o') || /(snat_session|xdp_src_port_bitmap|nobtf_legacy|legacy_bpf_map_def|hom_ifindex_sets)\./.test(f))),
  ];

  it(`${COUNT} runs per program and state: fast, in limits, readable`, () => {
    const problems: string[] = [];
    let slowest = { ms: 0, what: '' };
    let total = 0;
    for (const file of files) {
      const obj = load(file);
      const rng = createRng(file);
      const idiom = file.includes('/idioms/') ? file.split('/').pop()!.split('.')[0] : undefined;
      for (const s of statesFor(obj, rng, { idiom })) {
        for (const p of obj.programs) {
          const t0 = performance.now();
          const runs = packetsFor(obj, p.name, s.state, rng, COUNT, { hints: s.hints });
          const ms = performance.now() - t0;
          if (ms > slowest.ms) slowest = { ms, what: `${file} ${s.name} ${p.name}` };
          expect(runs).toHaveLength(COUNT);
          expect(runs.every((r) => r.program === p.name)).toBe(true);
          problems.push(...checkFrames(runs, `${file} ${s.name} ${p.name}`));
          total += runs.length;
        }
      }
    }
    console.log(`generated packets: ${total} runs over ${files.length} objects; slowest ${COUNT}: ${slowest.ms.toFixed(0)} ms (${slowest.what})`);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(slowest.ms).toBeLessThan(1000);
  });

  it('are the same for the same seed, and differ for another', () => {
    const obj = load('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const state = statesFor(obj, createRng(1))[1].state;
    const a = packetsFor(obj, 'from_cube', state, createRng(9), 300);
    const b = packetsFor(obj, 'from_cube', state, createRng(9), 300);
    const c = packetsFor(obj, 'from_cube', state, createRng(10), 300);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('set the context fields a program reads, and only for tc programs', () => {
    const marks = load('corpus/idioms/obj/mark_test.bpfel.o');
    const runs = packetsFor(marks, 'enforce_marks', statesFor(marks, createRng(1))[0].state, createRng(2), 500);
    expect(runs.filter((r) => r.ctx?.mark === 0x666).length).toBeGreaterThan(10);
    expect(runs.filter((r) => r.ctx?.mark !== undefined && (r.ctx.mark & 0x80000000) !== 0).length).toBeGreaterThan(10);
    const xdp = load('corpus/idioms/obj/xdp_src_port_bitmap.bpfel.o');
    expect(packetsFor(xdp, 'xdp_src_ports', statesFor(xdp, createRng(1))[1].state, createRng(2), 200).every((r) => r.ctx === undefined)).toBe(true);
    const hom = load('corpus/idioms/obj/hom_ifindex_sets.bpfel.o');
    const homRuns = packetsFor(hom, 'sandbox_egress_guard', statesFor(hom, createRng(1), { idiom: 'hom_ifindex_sets' })[2].state, createRng(2), 500);
    expect(new Set(homRuns.map((r) => r.ctx?.ingressIfindex))).toEqual(new Set([11, 12, 13, 14, undefined]));
  });
});

/** What a frame is, in the terms of the program it is for. */
function classify(program: string, d: PacketDescription, run: GeneratedRun, v: CoppiceView): string[] {
  const out: string[] = [];
  const ip = d.ipv4;
  if (d.arp) out.push(d.arp.op === 1 && d.arp.tpa === v.config.gatewayIp && d.arp.ethernetIpv4 ? 'arp request for the gateway' : 'arp other');
  else if (!ip) out.push('not ipv4');
  else {
    const l4 = d.tcp ? (d.tcp.flags & 0x17) === 0x02 ? 'tcp bare syn' : 'tcp other' : d.udp ? d.dns ? 'udp dns' : 'udp other' : d.icmp ? d.icmp.type === 8 || d.icmp.type === 0 ? 'icmp echo' : 'icmp other' : ip.fragOffset ? 'later fragment' : 'other protocol';
    out.push(l4);
    if (ip.mf || ip.fragOffset) out.push('fragment');
  }
  if (program === 'from_cube') {
    const tap = run.ctx?.ifindex;
    const sb = v.sandboxes.find((s) => s.tap === tap);
    out.push(sb ? 'on a registered TAP' : 'on an unknown TAP');
    if (ip && ip.src === v.config.innerIp && sb) {
      if (ip.dst === v.config.gatewayIp) out.push('to the gateway');
      const sport = d.tcp?.sport ?? d.udp?.sport ?? d.icmp?.id;
      const dport = d.tcp?.dport ?? d.udp?.dport ?? 0;
      if (v.egress.some((e) => e.vmIfindex === sb.tap && e.dstIp === ip.dst && e.srcPort === sport && e.dstPort === dport && e.protocol === ip.protocol)) out.push('in a live egress session');
      if (d.tcp && v.localPorts.some((l) => l.tap === sb.tap && l.listenPort === d.tcp!.sport)) out.push('reply from a forwarded port');
      if (d.dns && d.udp?.dport === 53 && sb.domains.some((n) => d.dns!.questions[0]?.name.toLowerCase().endsWith(n))) out.push('dns query for a listed domain');
    }
  }
  if (program === 'from_world' && ip) {
    const sport = d.tcp?.sport ?? d.udp?.sport ?? 0;
    const dport = d.tcp?.dport ?? d.udp?.dport ?? d.icmp?.id ?? 0;
    if (v.ingress.some((r) => r.srcIp === ip.src && r.dstIp === ip.dst && r.srcPort === sport && r.dstPort === dport && r.protocol === ip.protocol)) out.push('reply to a live session');
    if (d.tcp && v.remotePorts.some((r) => r.hostPort === d.tcp!.dport)) out.push('to a forwarded host port');
    if (d.dns?.qr && v.pending.some((q) => q.id === d.dns!.id)) out.push('dns answer to a pending query');
  }
  if (program === 'from_envoy' && ip && v.sandboxes.some((s) => s.hostIp === ip.dst)) out.push('to a sandbox host-side address');
  return out;
}

describe('Coppice traffic coverage (smoke)', () => {
  const expectations: Record<string, Record<string, number>> = {
    from_cube: { 'arp request for the gateway': 0.02, 'on a registered TAP': 0.7, 'to the gateway': 0.05, 'in a live egress session': 0.08, 'reply from a forwarded port': 0.03, 'dns query for a listed domain': 0.03, 'tcp bare syn': 0.1, 'icmp echo': 0.05, fragment: 0.02 },
    from_world: { 'reply to a live session': 0.2, 'to a forwarded host port': 0.08, 'dns answer to a pending query': 0.05 },
    from_envoy: { 'to a sandbox host-side address': 0.4 },
  };
  for (const [program, object] of [['from_cube', 'mvmtap'], ['from_world', 'nodenic'], ['from_envoy', 'localgw']] as const) {
    it(`${program}: traffic aimed at every step`, () => {
      const obj = load(`corpus/coppice/obj/${object}.bpfel.v3.O2.o`);
      const state = statesFor(obj, createRng(1)).find((s) => s.name === 'three-sandboxes')!.state;
      const view = coppiceView(obj, state);
      const runs = packetsFor(obj, program, state, createRng(program), COUNT);
      const counts = new Map<string, number>();
      for (const r of runs) for (const c of classify(program, describePacket(r.packet), r, view)) counts.set(c, (counts.get(c) ?? 0) + 1);
      const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `  ${(n / runs.length * 100).toFixed(1).padStart(5)}%  ${c}`);
      console.log(`${program} over three-sandboxes, ${runs.length} runs:\n${lines.join('\n')}`);
      for (const [c, share] of Object.entries(expectations[program])) expect((counts.get(c) ?? 0) / runs.length, c).toBeGreaterThanOrEqual(share);
    });
  }
});
