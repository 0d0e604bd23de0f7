import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { classify, MOD_XOR_CODES, VALID_CODES } from '../../src/cbpf/opcodes.js';
import type { CbpfProgram, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation, validateCbpf, type ValidationRule } from '../../src/cbpf/validate.js';
import { findLinuxViolation } from '../../src/cbpf/validate-linux.js';
import { isBpf2pfError } from '../../src/errors.js';
import { skipLine } from '../support/tools.js';
import { hasHarness, runPeers } from './peer.js';

// Hand-made programs, each breaking (or just keeping) one rule, against libpcap's
// bpf_validate and the Linux kernel's SO_ATTACH_FILTER. Where FreeBSD and libpcap are
// known to differ (reference §3.6 and §5.1) the case says so and the test checks that
// libpcap really does differ; everywhere else the verdicts must be equal. Our model of
// Linux's checker must match the kernel on every case.

interface Case {
  readonly name: string;
  readonly prog: CbpfProgram;
  /** FreeBSD's expected verdict, from the rules in reference §3.5: undefined accepts. */
  readonly freebsd: ValidationRule | undefined;
  /** Why libpcap's validator gives the other verdict, where it does. */
  readonly libpcapDiffers?: string;
}

const asm = (text: string): CbpfProgram => assembleCbpf(text);
const raws = (...r: [number, number, number, number][]): CbpfProgram => r.map(([code, jt, jf, k]) => classify({ code, jt, jf, k }));
const repeat = (n: number, line: string, last: string): CbpfProgram => asm(`${new Array<string>(n - 1).fill(line).join('\n')}\n${last}`);

const CASES: readonly Case[] = [
  { name: 'ret #0 alone', prog: asm('ret #0'), freebsd: undefined },
  { name: 'empty program', prog: [], freebsd: undefined, libpcapDiffers: 'libpcap refuses an empty program; FreeBSD bpf_validate treats it as accept-all' },
  { name: 'no final ret', prog: asm('ld #1'), freebsd: 'no-final-ret' },
  { name: 'ends in tax', prog: asm('ld #1\ntax'), freebsd: 'no-final-ret' },
  { name: 'conditional jump last', prog: asm('ldh [12]\njeq #1 jt 2 jf 2'), freebsd: 'jump-range' },
  { name: 'jt past the end', prog: asm('ldh [12]\njeq #1 jt 3 jf 2\nret #0'), freebsd: 'jump-range' },
  { name: 'jf past the end', prog: asm('ldh [12]\njeq #1 jt 2 jf 3\nret #0'), freebsd: 'jump-range' },
  { name: 'jt = 255 to the last ret', prog: asm(`jeq #1 jt 256 jf 1\n${new Array<string>(255).fill('ret #1').join('\n')}\nret #0`), freebsd: undefined },
  { name: 'ja past the end', prog: asm('ja 5\nret #0'), freebsd: 'jump-range' },
  { name: 'ja to the last ret', prog: asm('ja 2\nret #0\nret #1'), freebsd: undefined },
  { name: 'ja last', prog: asm('ret #0\nja 2'), freebsd: 'jump-range' },
  { name: 'backward ja', prog: asm('ld #0\nja 0\nret #1'), freebsd: 'jump-range', libpcapDiffers: 'libpcap accepts a backward ja (and then loops)' },
  { name: 'ja to itself', prog: asm('ld #0\nja 1\nret #1'), freebsd: 'jump-range', libpcapDiffers: 'libpcap accepts a backward ja (and then loops)' },
  { name: 'ja with k = 2^31', prog: raws([5, 0, 0, 0x80000000], [6, 0, 0, 0]), freebsd: 'jump-range' },
  { name: 'div #0', prog: asm('div #0\nret #0'), freebsd: 'div-by-zero' },
  { name: 'mod #0', prog: asm('mod #0\nret #0'), freebsd: 'div-by-zero' },
  { name: 'div x (checked at run time)', prog: asm('div x\nret a'), freebsd: undefined },
  { name: 'div #1', prog: asm('div #1\nret a'), freebsd: undefined },
  { name: 'st M[16]', prog: asm('st M[16]\nret #0'), freebsd: 'mem-index' },
  { name: 'stx M[16]', prog: asm('stx M[16]\nret #0'), freebsd: 'mem-index' },
  { name: 'ld M[16]', prog: asm('ld M[16]\nret #0'), freebsd: 'mem-index' },
  { name: 'ldx M[-1]', prog: asm('ldx M[-1]\nret #0'), freebsd: 'mem-index' },
  { name: 'st and ld M[15]', prog: asm('st M[15]\nld M[15]\nret a'), freebsd: undefined },
  { name: 'ld M[0] before any store', prog: asm('ld M[0]\nret a'), freebsd: undefined },
  { name: 'ldx M[3] stored on one path only', prog: asm('ldb [0]\njeq #1 jt 2 jf 3\nst M[3]\nldx M[3]\nret #1'), freebsd: undefined },
  { name: 'ld M[3] stored on both paths', prog: asm('ldb [0]\njeq #1 jt 2 jf 4\nst M[3]\nja 5\nst M[3]\nld M[3]\nret a'), freebsd: undefined },
  { name: 'M[1] read after a ret, reached only by a jump that stored it', prog: asm('st M[1]\njeq #0 jt 3 jf 2\nret #0\nld M[1]\nret a'), freebsd: undefined },
  { name: 'lsh #31', prog: asm('lsh #31\nret a'), freebsd: undefined },
  { name: 'lsh #33', prog: asm('lsh #33\nret a'), freebsd: undefined },
  { name: 'rsh #32', prog: asm('rsh #32\nret a'), freebsd: undefined },
  { name: 'lsh x', prog: asm('lsh x\nret a'), freebsd: undefined },
  { name: 'ld [proto] (a Linux ancillary load)', prog: asm('ld [proto]\nret a'), freebsd: undefined },
  { name: 'ldb [vlan_tpid]', prog: asm('ldb [vlan_tpid]\nret a'), freebsd: undefined },
  { name: 'ld at an unknown ancillary offset', prog: raws([0x20, 0, 0, 0xfffff040], [6, 0, 0, 0]), freebsd: undefined },
  { name: 'ldh [x + -4032] (indexed, not ancillary)', prog: raws([0x48, 0, 0, 0xfffff040], [6, 0, 0, 0]), freebsd: undefined },
  { name: 'ld [-1048576] (Linux SKF_NET_OFF)', prog: raws([0x20, 0, 0, 0xfff00000], [6, 0, 0, 0]), freebsd: undefined },
  { name: 'ldx #pktlen (0x81)', prog: raws([0x81, 0, 0, 0], [0x87, 0, 0, 0], [0x16, 0, 0, 0]), freebsd: undefined },
  { name: 'mod and xor', prog: asm('mod #7\nxor #0xff\nmod x\nxor x\nret a'), freebsd: undefined },
  { name: 'code 0x08 (ld|h|imm)', prog: raws([0x08, 0, 0, 0], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap validates loads by mode only, so ld|h|imm passes (and bpf_filter aborts)' },
  { name: 'code 0x0e (ret|x)', prog: raws([0x0e, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap accepts any RET-class code (and bpf_filter aborts)' },
  { name: 'code 0x0d (ja|x)', prog: raws([0x0d, 0, 0, 0], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap checks a JMP-class code by its op bits, so ja|x passes as a ja' },
  { name: 'code 0x8c (neg|x)', prog: raws([0x8c, 0, 0, 0], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap checks ALU codes by their op bits, so neg|x passes' },
  { name: 'code 0x0f (misc, not tax or txa)', prog: raws([0x0f, 0, 0, 0], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap accepts any MISC-class code' },
  { name: 'code 0xb0 (ld|b|msh)', prog: raws([0xb0, 0, 0, 14], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap checks loads by mode, so an msh load into A passes' },
  { name: 'code 0x106 (above 0xff)', prog: raws([0x106, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap accepts any RET-class code' },
  { name: 'code 0x0d (ja|x) jumping past the end', prog: raws([0x0d, 0, 0, 14], [6, 0, 0, 0]), freebsd: 'bad-opcode' },
  { name: 'code 0x120 (above 0xff)', prog: raws([0x120, 0, 0, 0], [6, 0, 0, 0]), freebsd: 'bad-opcode', libpcapDiffers: 'libpcap ignores bits above the low byte: 0x120 passes as ld [k]' },
  { name: '512 instructions', prog: repeat(512, 'ld #1', 'ret a'), freebsd: undefined },
  { name: '513 instructions', prog: repeat(513, 'ld #1', 'ret a'), freebsd: 'too-long', libpcapDiffers: 'libpcap has no length limit' },
  { name: '4097 instructions', prog: repeat(4097, 'ld #1', 'ret a'), freebsd: 'too-long', libpcapDiffers: 'libpcap has no length limit' },
];

describe('validation against libpcap bpf_validate and the Linux kernel', () => {
  it('FreeBSD rules on hand-made programs, and the peers on the same programs', () => {
    for (const c of CASES) expect(findFreeBsdViolation(c.prog)?.rule, c.name).toBe(c.freebsd);
    if (!hasHarness()) return skipLine('cbpf validation', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const peers = runPeers(CASES.map((c) => ({ prog: c.prog })), true);
    const differences: string[] = [];
    CASES.forEach((c, i) => {
      const ours = c.freebsd === undefined;
      expect(peers[i].pcapValid, `${c.name}: libpcap`).toBe(c.libpcapDiffers ? !ours : ours);
      if (c.libpcapDiffers) differences.push(`${c.name}: ${c.libpcapDiffers}`);
      expect(peers[i].linuxValid, `${c.name}: Linux (our model says ${findLinuxViolation(c.prog)?.rule ?? 'accept'})`)
        .toBe(findLinuxViolation(c.prog) === undefined);
    });
    console.log(`cbpf validation: ${CASES.length} hand-made programs; libpcap differs from FreeBSD on ${differences.length}, all expected`);
  });

  it('Linux-only refusals are what our Linux model names', () => {
    const rule = (name: string): ValidationRule | undefined => findLinuxViolation(CASES.find((c) => c.name === name)!.prog)?.rule;
    expect(rule('lsh #33')).toBe('shift-range');
    expect(rule('ld M[0] before any store')).toBe('mem-uninit');
    expect(rule('ldx M[3] stored on one path only')).toBe('mem-uninit');
    expect(rule('ld at an unknown ancillary offset')).toBe('ancillary');
    expect(rule('empty program')).toBe('empty');
    expect(rule('4097 instructions')).toBe('too-long');
    expect(rule('513 instructions')).toBeUndefined();
  });

  it('typed errors name the instruction and the rule; legacy FreeBSD refuses MOD and XOR', () => {
    const fails = (prog: CbpfProgram, opts = {}): string => {
      try {
        validateCbpf(prog, opts);
      } catch (e) {
        if (isBpf2pfError(e)) return `${e.code}: ${e.message}`;
        throw e;
      }
      return 'accepted';
    };
    expect(fails(asm('ldh [12]\njeq #1 jt 3 jf 2\nret #0'))).toMatch(/^CBPF_INVALID: instruction 1 \(jeq #0x1 jt 3 jf 2\): .*\[jump-range\]$/);
    expect(fails(asm('div #0\nret #0'))).toMatch(/^CBPF_INVALID: instruction 0 \(div #0\): div by the constant 0 \[div-by-zero\]$/);
    expect(fails(repeat(513, 'ld #1', 'ret a'))).toMatch(/^CBPF_TOO_LONG: 513 instructions/);
    expect(fails(repeat(513, 'ld #1', 'ret a'), { maxInsns: 1024 })).toBe('accepted');
    expect(fails([], { rejectEmpty: true })).toMatch(/^CBPF_INVALID: .*\[empty\]$/);
    for (const code of MOD_XOR_CODES) {
      const prog = raws([code, 0, 0, 3], [0x16, 0, 0, 0]);
      expect(fails(prog)).toBe('accepted');
      expect(fails(prog, { legacyOpcodes: true })).toMatch(/\[bad-opcode\]$/);
    }
  });

  it('random programs: our Linux model matches the kernel, and libpcap differs only on backward ja', () => {
    if (!hasHarness()) return skipLine('cbpf validation', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const kValues = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 15, 16, 31, 32, 33, 0xfffff000, 0xfffff02c, 0xfffff040, 0xfffffffe, 0xffffffff), fc.nat({ max: 0xffffffff }));
    const insn = fc.record({
      code: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...VALID_CODES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xff }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }) }),
      jt: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 255 })),
      jf: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 255 })),
      k: kValues,
    });
    const program = fc.tuple(fc.array(insn, { minLength: 0, maxLength: 12 }), fc.constantFrom<RawInsn>({ code: 6, jt: 0, jf: 0, k: 1 }, { code: 0x16, jt: 0, jf: 0, k: 0 }), fc.boolean())
      .map(([body, ret, end]) => (end ? [...body, ret] : body).map(classify));
    const progs = fc.sample(program, { numRuns: 4000, seed: 42 });
    const peers = runPeers(progs.map((prog) => ({ prog })), true);
    let linuxAgree = 0;
    let pcapCompared = 0;
    let pcapBackwardJa = 0;
    progs.forEach((prog, i) => {
      const model = findLinuxViolation(prog);
      expect(peers[i].linuxValid, `Linux on ${JSON.stringify(prog)} (model: ${model?.message ?? 'accept'})`).toBe(model === undefined);
      linuxAgree++;
      // libpcap's checker is class-based and lets non-canonical codes through, so
      // compare it only on programs made of the 49 valid codes.
      if (prog.length === 0 || prog.some((p) => p.kind === 'unknown')) return;
      pcapCompared++;
      const ours = findFreeBsdViolation(prog);
      if (peers[i].pcapValid && ours) {
        // The only difference: a ja whose k, taken as negative, lands inside the program.
        const ja = prog[ours.index];
        expect(ours.rule, JSON.stringify(prog)).toBe('jump-range');
        expect(ja.kind).toBe('ja');
        expect((ours.index + 1 + ja.k) % 2 ** 32).toBeLessThan(prog.length);
        pcapBackwardJa++;
      } else {
        expect(peers[i].pcapValid, `libpcap on ${JSON.stringify(prog)} (ours: ${ours?.message ?? 'accept'})`).toBe(ours === undefined);
      }
    });
    console.log(`cbpf validation: ${progs.length} random programs; Linux model agreed on ${linuxAgree}; `
      + `libpcap compared on ${pcapCompared}, differing only on ${pcapBackwardJa} backward ja`);
  });
});
