import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { disassembleCbpf } from '../../src/cbpf/disassemble.js';
import { formatDd, formatDdd } from '../../src/cbpf/encode.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import { withUnusedFieldsCleared } from '../../src/cbpf/opcodes.js';
import type { CbpfProgram, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation } from '../../src/cbpf/validate.js';
import { findLinuxViolation } from '../../src/cbpf/validate-linux.js';
import { skipLine } from '../support/tools.js';
import { EXPRESSIONS, RAW_IP_EXPRESSIONS, ROUND_TRIP_ONLY } from './expressions.js';
import { FILTER_EXPRESSIONS } from './filter-expressions.js';
import { generateFrames } from './frames.js';
import { hasHarness, hasTcpdump, sweepPeers, tcpdumpDump } from './peer.js';

// Every expression is compiled by tcpdump (-d, -dd, -ddd); our assembler must read all
// three forms to the same instructions, our disassembler must print tcpdump's -d text
// byte for byte, our validator must accept what libpcap's accepts, and our interpreter
// must return what libpcap's bpf_filter returns (and what the Linux kernel delivers) on
// every generated frame.

const FRAME_COUNT = 2500;
/** 120 alternatives: 481 instructions, with ja trampolines for branches over 255. */
const LONG_EXPRESSION = Array.from({ length: 120 }, (_, i) => `host 10.0.0.${i + 1}`).join(' or ');
const ALL = [...EXPRESSIONS, LONG_EXPRESSION];

const raw = (p: CbpfProgram): RawInsn[] => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));

describe('tcpdump filter expressions', () => {
  const ready = hasTcpdump();

  it('cover what ng_bpf classifiers need', () => {
    expect(EXPRESSIONS.length).toBeGreaterThanOrEqual(60);
  });

  // And the compiler's suite (filter-expressions.ts), so the whole expression suite round-trips.
  const compilerSuite = FILTER_EXPRESSIONS.filter((e) => !ALL.includes(e) && !ROUND_TRIP_ONLY.includes(e));
  for (const expr of [...ALL, ...ROUND_TRIP_ONLY, ...compilerSuite]) {
    const name = expr === LONG_EXPRESSION ? 'host 10.0.0.1 or ... or host 10.0.0.120' : expr.length > 80 ? `${expr.slice(0, 40)} ... ${expr.slice(-30)}` : expr;
    it(`${name}: -d, -dd and -ddd assemble alike and disassemble to tcpdump's text`, () => {
      if (!ready) return skipLine('cbpf tcpdump suite', 'tcpdump not installed');
      const d = tcpdumpDump('-d', expr);
      const dd = tcpdumpDump('-dd', expr);
      const ddd = tcpdumpDump('-ddd', expr);
      const fromD = assembleCbpf(d);
      const fromDd = assembleCbpf(dd);
      // -dd and -ddd carry every field; -d leaves out the ones an instruction ignores
      // (libpcap leaves junk there, such as k=1 on a tax), so it is compared without them.
      expect(raw(assembleCbpf(ddd))).toEqual(raw(fromDd));
      expect(raw(fromDd.map(withUnusedFieldsCleared))).toEqual(raw(fromD));
      // and the prefixes are optional
      expect(raw(assembleCbpf(d.replace(/^\(\d+\) /gm, '')))).toEqual(raw(fromD));
      expect(disassembleCbpf(fromD)).toBe(d);
      expect(disassembleCbpf(fromDd)).toBe(d);
      expect(formatDd(fromDd)).toBe(dd);
      expect(formatDdd(fromDd)).toBe(ddd);
    });
  }

  it(`validators and interpreter agree with libpcap and Linux on ${FRAME_COUNT} frames per expression`, () => {
    if (!ready) return skipLine('cbpf tcpdump suite', 'tcpdump not installed');
    if (!hasHarness()) return skipLine('cbpf tcpdump suite', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const frames = generateFrames(FRAME_COUNT, 0xc0ffee);
    const progs = ALL.map((e) => assembleCbpf(tcpdumpDump('-ddd', e)));
    const peers = sweepPeers(progs.map(raw), frames, true);
    let runs = 0;
    let agreeLibpcap = 0;
    let agreeLinux = 0;
    let matches = 0;
    const oneSided: string[] = [];
    progs.forEach((prog, p) => {
      const peer = peers[p];
      const expr = ALL[p];
      // libpcap's validator and the kernel's accept every tcpdump program here, and so must ours.
      expect(peer.pcapValid, expr).toBe(true);
      expect(findFreeBsdViolation(prog), expr).toBeUndefined();
      expect(peer.linuxValid, expr).toBe(true);
      expect(findLinuxViolation(prog), expr).toBeUndefined();
      const filter = cbpfFilter(prog);
      let progMatches = 0;
      frames.forEach((f, i) => {
        const ours = filter({ bytes: f });
        runs++;
        if (ours !== 0) progMatches++;
        expect(ours, `${expr} on frame ${i} ${Buffer.from(f).toString('hex')}`).toBe(peer.pcap?.[i]);
        agreeLibpcap++;
        // The kernel drops on 0 and otherwise delivers min(len, ret) bytes.
        const linux = ours === 0 ? 'drop' : Math.min(f.length, ours);
        expect(peer.linux?.[i], `${expr} (Linux) on frame ${i}`).toBe(linux);
        agreeLinux++;
      });
      matches += progMatches;
      if (progMatches === 0 || progMatches === frames.length) oneSided.push(expr);
    });
    console.log(`cbpf tcpdump suite: ${ALL.length} expressions x ${frames.length} frames = ${runs} runs; `
      + `libpcap agreed on ${agreeLibpcap}, Linux on ${agreeLinux}; ${matches} matches; `
      + `expressions matching all or none: ${oneSided.length ? oneSided.join(', ') : 'none'}`);
    // The frames exercise both outcomes of (almost) every filter.
    expect(oneSided.length).toBeLessThanOrEqual(2);
  });

  it('bare IP programs (tcpdump -y RAW, for ng_iface) agree with libpcap on the frames without their Ethernet header', () => {
    if (!ready) return skipLine('cbpf tcpdump suite', 'tcpdump not installed');
    if (!hasHarness()) return skipLine('cbpf tcpdump suite', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const frames = generateFrames(FRAME_COUNT, 0xbeef).map((f) => f.subarray(Math.min(14, f.length)));
    for (const expr of RAW_IP_EXPRESSIONS) {
      const d = tcpdumpDump('-d', expr, 'RAW');
      const prog = assembleCbpf(d);
      expect(disassembleCbpf(prog)).toBe(d);
      const [peer] = sweepPeers([raw(prog)], frames);
      expect(peer.pcapValid).toBe(true);
      const filter = cbpfFilter(prog);
      frames.forEach((f, i) => expect(filter({ bytes: f }), `${expr} on frame ${i}`).toBe(peer.pcap?.[i]));
    }
  });

  it('Linux-only and backward-jump programs: the verdicts each side gives them', () => {
    if (!ready) return skipLine('cbpf tcpdump suite', 'tcpdump not installed');
    if (!hasHarness()) return skipLine('cbpf tcpdump suite', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const frames = generateFrames(200, 17);
    const progs = ROUND_TRIP_ONLY.map((e) => assembleCbpf(tcpdumpDump('-ddd', e)));
    const peers = sweepPeers(progs.map(raw), frames, true);
    progs.forEach((prog, p) => {
      const expr = ROUND_TRIP_ONLY[p];
      expect(peers[p].linuxValid, expr).toBe(findLinuxViolation(prog) === undefined);
      const ours = findFreeBsdViolation(prog);
      if (/protochain/.test(expr)) {
        // libpcap emits and accepts a backward ja; FreeBSD (and Linux) refuse it.
        expect(ours?.rule).toBe('jump-range');
        expect(prog[ours?.index ?? 0].kind).toBe('ja');
        expect(peers[p].pcapValid).toBe(true);
        expect(peers[p].linuxValid).toBe(false);
      } else {
        // Ancillary loads are out of range on FreeBSD: accepted, and never a match.
        expect(ours).toBeUndefined();
        expect(peers[p].pcapValid).toBe(true);
        const filter = cbpfFilter(prog);
        frames.forEach((f, i) => {
          expect(filter({ bytes: f })).toBe(0);
          expect(peers[p].pcap?.[i]).toBe(0);
        });
      }
    });
  });
});
