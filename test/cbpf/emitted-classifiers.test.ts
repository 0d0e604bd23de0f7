/**
 * Every ng_bpf classifier translate emits (Coppice and every idiom, from the committed
 * goldens' IR), compiled as the netgraph emitter compiles it, run by libpcap's
 * bpf_filter (the C harness) and by our FreeBSD interpreter on the same frames: the two
 * must give the same return value on every frame, and FreeBSD's validator must accept
 * the program.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/cbpf/compile.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import type { CbpfProgram, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation } from '../../src/cbpf/validate.js';
import { planNetgraph } from '../../src/emit/netgraph/plan.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { repoRoot } from '../support/corpus.js';
import { skipLine } from '../support/tools.js';
import { l2Frames } from '../lift/support/l2-frames.js';
import { filterFrames, nearMisses } from './filter-frames.js';
import { hasHarness, sweepPeers } from './peer.js';

const SHARED = 2000;
const NEAR = 600;

function goldenIrs(): { where: string; ir: PolicyIR }[] {
  const out = [{ where: 'coppice', ir: JSON.parse(readFileSync(join(repoRoot, 'corpus/coppice/golden/ir.json'), 'utf8')) as PolicyIR }];
  const idioms = join(repoRoot, 'corpus/idioms/golden');
  for (const name of readdirSync(idioms).sort()) {
    out.push({ where: name, ir: JSON.parse(readFileSync(join(idioms, name, 'ir.json'), 'utf8')) as PolicyIR });
  }
  return out;
}

/** Each placed program once: the predicate with the instance's values in it. */
function emittedPredicates(): { where: string; predicate: string }[] {
  const seen = new Map<string, string>();
  for (const { where, ir } of goldenIrs()) {
    for (const iface of planNetgraph(ir).interfaces) {
      for (const p of [iface.lower, iface.upper]) if (p && !seen.has(p.predicate)) seen.set(p.predicate, `${where} ${iface.ifname}:${p.classifier.hook}`);
    }
  }
  return [...seen].map(([predicate, where]) => ({ where, predicate }));
}

const raw = (p: CbpfProgram): RawInsn[] => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));

describe('the classifiers translate emits', () => {
  const emitted = emittedPredicates();

  it('include the Coppice sandbox classifier and some of the idioms\'', () => {
    expect(emitted.some((e) => e.where.startsWith('coppice '))).toBe(true);
    expect(emitted.filter((e) => !e.where.startsWith('coppice ')).length).toBeGreaterThan(2);
  });

  it(`pass FreeBSD's validator and run alike in libpcap and our interpreter on ${SHARED} + ${NEAR} frames each`, () => {
    if (!hasHarness()) return skipLine('emitted classifiers', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const shared = [...filterFrames(SHARED - 500, 0xb2f), ...l2Frames(400).map((f) => f.bytes).slice(0, 500)];
    expect(shared.length).toBe(SHARED);
    const progs = emitted.map((e) => compileFilter(e.predicate));
    progs.forEach((p, i) => expect(findFreeBsdViolation(p), emitted[i].where).toBeUndefined());
    const sweep = sweepPeers(progs.map(raw), shared);
    let runs = 0;
    let matched = 0;
    progs.forEach((prog, i) => {
      const { where, predicate } = emitted[i];
      const ours = cbpfFilter(prog);
      const near = nearMisses(shared.filter((f) => ours({ bytes: f }) !== 0), shared, NEAR, 77 + i);
      const nearSweep = sweepPeers([raw(prog)], near)[0];
      const frames = [...shared, ...near];
      const pcap = [...(sweep[i].pcap ?? []), ...(nearSweep.pcap ?? [])];
      expect(sweep[i].pcapValid, `${where}: libpcap's bpf_validate refuses ${predicate}`).toBe(true);
      expect(pcap.length, where).toBe(frames.length);
      frames.forEach((f, j) => {
        const mine = ours({ bytes: f });
        if (mine !== 0) matched++;
        expect(mine, `${where} (${predicate}) on ${Buffer.from(f).toString('hex')}`).toBe(pcap[j]);
      });
      runs += frames.length;
      // A classifier may match nothing (a fail-closed drop-all when the program was not
      // lifted to its end), never everything: that would be no classifier.
      const hits = frames.filter((f) => ours({ bytes: f }) !== 0).length;
      expect(hits, `${where}: matches every frame`).toBeLessThan(frames.length);
      if (hits === 0) console.log(`emitted classifiers: ${where} (${predicate}) matches none of the frames`);
    });
    // Both outcomes must be exercised, or agreement says little.
    expect(matched).toBeGreaterThan(0);
    expect(matched).toBeLessThan(runs);
    console.log(`emitted classifiers: ${emitted.length} programs x ${SHARED + NEAR} frames = ${runs} runs agreed (libpcap bpf_filter and ours); ${matched} matches`);
  });
});
