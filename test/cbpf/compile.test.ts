import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { compileFilter, MATCH_SNAPLEN } from '../../src/cbpf/compile.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import type { CbpfProgram, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation } from '../../src/cbpf/validate.js';
import { findLinuxViolation } from '../../src/cbpf/validate-linux.js';
import { isBpf2pfError } from '../../src/errors.js';
import { skipLine } from '../support/tools.js';
import { FILTER_EXPRESSIONS, LONG_HOSTS, MATCH_NOTHING, REFUSED, title } from './filter-expressions.js';
import { filterFrames, nearMisses } from './filter-frames.js';
import { hasHarness, hasTcpdump, runPeers, sweepPeers, tcpdumpDump } from './peer.js';

// `compileFilter` against tcpdump: for every expression, our program run in our
// interpreter and in libpcap's bpf_filter, and tcpdump's own program run in libpcap,
// give the same verdict on every frame (shared frames plus near misses of the frames
// the expression matches); our program is never longer than tcpdump's, and FreeBSD's
// validator (and Linux's) accepts it.

const SHARED_FRAMES = 2000;
const NEAR_MISSES = 600;

const raw = (p: CbpfProgram): RawInsn[] => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));

describe('compileFilter', () => {
  const ready = hasTcpdump();
  const compiled = new Map(FILTER_EXPRESSIONS.map((e) => [e, compileFilter(e)]));

  it('takes a suite of at least 100 expressions', () => {
    expect(FILTER_EXPRESSIONS.length).toBeGreaterThanOrEqual(100);
  });

  it('gives programs FreeBSD and Linux accept, ending in ret #-1 or ret #0', () => {
    for (const [expr, prog] of compiled) {
      expect(findFreeBsdViolation(prog, { rejectEmpty: true }), expr).toBeUndefined();
      expect(findLinuxViolation(prog), expr).toBeUndefined();
      for (const insn of prog) if (insn.kind === 'ret') expect([0, MATCH_SNAPLEN], expr).toContain(insn.k);
      expect(prog.some((i) => i.kind === 'ret' && i.src === 'a'), expr).toBe(false);
    }
  });

  it('is never longer than tcpdump -d', () => {
    if (!ready) return skipLine('cbpf compile', 'tcpdump not installed');
    let ours = 0;
    let theirs = 0;
    const shorter: string[] = [];
    for (const [expr, prog] of compiled) {
      const ref = assembleCbpf(tcpdumpDump('-d', expr));
      expect(prog.length, `${title(expr)}: ours ${prog.length}, tcpdump ${ref.length}`).toBeLessThanOrEqual(ref.length);
      ours += prog.length;
      theirs += ref.length;
      if (prog.length < ref.length) shorter.push(`${title(expr)} (${prog.length}/${ref.length})`);
    }
    console.log(`cbpf compile: ${compiled.size} expressions, ${ours} instructions in all, tcpdump -d ${theirs}; `
      + `shorter on ${shorter.length}: ${shorter.join('; ')}`);
  });

  it(`agrees with tcpdump's program and libpcap on ${SHARED_FRAMES} + ${NEAR_MISSES} frames per expression`, () => {
    if (!ready) return skipLine('cbpf compile', 'tcpdump not installed');
    if (!hasHarness()) return skipLine('cbpf compile', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const shared = filterFrames(SHARED_FRAMES, 0xc0ffee);
    const exprs = [...compiled.keys()];
    const refs = exprs.map((e) => assembleCbpf(tcpdumpDump('-ddd', e)));
    const ours = exprs.map((e) => compiled.get(e) as CbpfProgram);
    // The near misses are made from the frames tcpdump's program matches.
    const near = refs.map((ref, i) => {
      const f = cbpfFilter(ref);
      return nearMisses(shared.filter((fr) => f({ bytes: fr }) !== 0), shared, NEAR_MISSES, 1000 + i);
    });
    const sweep = sweepPeers([...ours, ...refs].map(raw), shared);
    const jobs = runPeers([...ours.map((p, i) => ({ prog: raw(p), frames: near[i] })), ...refs.map((p, i) => ({ prog: raw(p), frames: near[i] }))]);
    let runs = 0;
    let matches = 0;
    exprs.forEach((expr, i) => {
      const frames = [...shared, ...near[i]];
      const pcapOurs = [...(sweep[i].pcap ?? []), ...jobs[i].pcap];
      const pcapRef = [...(sweep[exprs.length + i].pcap ?? []), ...jobs[exprs.length + i].pcap];
      expect(sweep[i].pcapValid && jobs[i].pcapValid, expr).toBe(true);
      expect(pcapOurs.length, expr).toBe(frames.length);
      const filter = cbpfFilter(ours[i]);
      frames.forEach((f, j) => {
        const mine = filter({ bytes: f });
        const where = `${title(expr)} on frame ${j} ${Buffer.from(f).toString('hex')}`;
        expect(pcapOurs[j], `${where}: libpcap runs our program differently`).toBe(mine);
        expect(mine !== 0, `${where}: tcpdump's program says ${pcapRef[j]}`).toBe(pcapRef[j] !== 0);
        if (mine !== 0) matches++;
      });
      runs += frames.length;
    });
    console.log(`cbpf compile: ${exprs.length} expressions x ${SHARED_FRAMES + NEAR_MISSES} frames = ${runs} runs agreed `
      + `(ours in our interpreter, ours in libpcap, tcpdump's in libpcap); ${matches} matches`);
  });

  it('compiles what tcpdump calls "rejects all packets" to ret #0', () => {
    for (const expr of MATCH_NOTHING) {
      expect(compileFilter(expr).map((i) => [i.kind, i.k]), expr).toEqual([['ret', 0]]);
      if (ready) expect(() => tcpdumpDump('-d', expr)).toThrow(/rejects all packets/);
    }
    expect(compileFilter('').map((i) => [i.kind, i.k])).toEqual([['ret', MATCH_SNAPLEN]]);
  });

  it('reaches far targets: ret copies instead of tcpdump\'s ja trampolines', () => {
    const prog = compiled.get(LONG_HOSTS) as CbpfProgram;
    expect(prog.length).toBeGreaterThan(256);
    expect(prog.filter((i) => i.kind === 'ret').length).toBeGreaterThan(2);
    expect(prog.some((i) => i.kind === 'ja')).toBe(false);
    expect(() => compileFilter(LONG_HOSTS, { maxInsns: 300 })).toThrow(/net.bpf.maxinsns/);
  });

  it('computes % and ^ without MOD and XOR for FreeBSD 10 (legacyOpcodes), with the same verdicts', () => {
    const frames = filterFrames(1500, 7);
    for (const expr of ['ip[8] % 3 == 0', '(ip[9] ^ 0x06) == 0', 'ip[8] % ip[9] == 1', 'ip[1] ^ ip[2] > 7', 'tcp[0:2] % 100 == 22 and ip[8] ^ 64 == 0']) {
      const modern = compileFilter(expr);
      const legacy = compileFilter(expr, { legacyOpcodes: true });
      expect(findFreeBsdViolation(legacy, { legacyOpcodes: true }), expr).toBeUndefined();
      expect(legacy.some((i) => i.kind === 'alu' && (i.op === 'mod' || i.op === 'xor')), expr).toBe(false);
      const a = cbpfFilter(modern);
      const b = cbpfFilter(legacy);
      frames.forEach((f, j) => expect(b({ bytes: f }), `${expr} frame ${j}`).toBe(a({ bytes: f })));
    }
  });
});

describe('compileFilter refuses', () => {
  for (const { expr, code, says } of REFUSED) {
    it(`${expr} (${code})`, () => {
      let error: unknown;
      try {
        compileFilter(expr);
      } catch (e) {
        error = e;
      }
      expect(isBpf2pfError(error), `${expr} should fail with ${code}`).toBe(true);
      if (!isBpf2pfError(error)) return;
      expect(error.code).toBe(code);
      expect(error.message).toContain(says);
      expect(error.message).not.toContain('\n');
    });
  }
});
