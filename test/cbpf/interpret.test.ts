import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { cbpfFilter, runCbpf } from '../../src/cbpf/interpret.js';
import type { CbpfProgram } from '../../src/cbpf/types.js';
import { findLinuxViolation } from '../../src/cbpf/validate-linux.js';
import { isBpf2pfError } from '../../src/errors.js';
import { skipLine } from '../support/tools.js';
import { hasHarness, runPeers } from './peer.js';

// The corners of the run-time semantics (reference §3.4 and §3.6), each run by our
// interpreter, libpcap's bpf_filter and the Linux kernel. Where a peer is known to
// differ from FreeBSD the case names the peer and the reason; everywhere else all three
// must agree (Linux delivers min(len, ret) bytes and drops on 0).

interface Case {
  readonly name: string;
  readonly text: string;
  readonly frame: Uint8Array;
  /** A wire length above the buffer length (libpcap only: a socket sees the buffer). */
  readonly wireLen?: number;
  readonly libpcapDiffers?: string;
  /** libpcap's answer is not even predictable (our 'libpcap' semantics does not model it). */
  readonly libpcapUndefined?: boolean;
  /** Why Linux refuses the program (as our Linux model must predict) or runs it differently. */
  readonly linuxDiffers?: string;
}

const frame = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
const F54 = frame(54);

const CASES: readonly Case[] = [
  { name: 'ldh [52] is the last two bytes', text: 'ldh [52]\nret a', frame: F54 },
  { name: 'ldh [53] runs past the end: no match, not A = 0', text: 'ldh [53]\nret #7', frame: F54 },
  { name: 'ld [50] fits exactly', text: 'ld [50]\nret a', frame: F54 },
  { name: 'ld [51] does not', text: 'ld [51]\nret #7', frame: F54 },
  { name: 'ldb [1000]', text: 'ldb [1000]\nret #7', frame: F54 },
  { name: 'ld [-1] (k = 0xffffffff)', text: 'ld [-1]\nret #7', frame: F54, linuxDiffers: 'Linux refuses an unknown ancillary offset' },
  { name: 'ld [x + 46] with X = 4', text: 'ldx #4\nld [x + 46]\nret a', frame: F54 },
  { name: 'ld [x + 47] with X = 4', text: 'ldx #4\nld [x + 47]\nret #7', frame: F54 },
  { name: 'ldh [x + 2] with X = 0xffffffff', text: 'ldx #0xffffffff\nldh [x + 2]\nret #7', frame: F54, linuxDiffers: 'Linux adds X + k in 32 bits: the load wraps to offset 1' },
  { name: 'ldb [x + 0xffffffff] with X = 1', text: 'ldx #1\nldb [x + -1]\nret #7', frame: F54, linuxDiffers: 'Linux adds X + k in 32 bits: the load wraps to offset 0' },
  { name: 'ldxb 4*([53]&0xf), the last byte', text: 'ldxb 4*([53]&0xf)\ntxa\nadd #1\nret a', frame: F54 },
  { name: 'ldxb 4*([54]&0xf), past the end', text: 'ldxb 4*([54]&0xf)\nret #7', frame: F54 },
  { name: 'div x with X = 0 ends the run with 0', text: 'ld #10\ndiv x\nret #7', frame: F54 },
  { name: 'mod x with X = 0 ends the run with 0', text: 'ld #10\nmod x\nret #7', frame: F54 },
  { name: 'mod #7 on 10', text: 'ld #10\nmod #7\nret a', frame: F54 },
  { name: 'div #3 is unsigned', text: 'ld #0xfffffff0\ndiv #3\nret a', frame: F54 },
  { name: 'xor #0xff on 0x0f', text: 'ld #0xf\nxor #0xff\nret a', frame: F54 },
  { name: 'mul wraps', text: 'ld #0xffffffff\nmul #0xffffffff\nret a', frame: F54 },
  { name: 'add wraps', text: 'ld #0xffffffff\nadd #3\nret a', frame: F54 },
  { name: 'sub wraps', text: 'ld #1\nsub #3\njgt #0x80000000 jt 3 jf 4\nret #0\nret #9', frame: F54 },
  { name: 'neg', text: 'ld #40\nneg\nadd #50\nret a', frame: F54 },
  { name: 'comparisons are unsigned', text: 'ld #0x80000000\njgt #1 jt 2 jf 3\nret #5\nret #6', frame: F54 },
  { name: 'jset', text: 'ldb [0]\njset #0x2 jt 2 jf 3\nret #5\nret #6', frame: F54 },
  { name: 'jeq x, jge x', text: 'ldx #12\nld #12\njeq x jt 3 jf 5\njge x jt 4 jf 5\nret #3\nret #4', frame: F54 },
  { name: 'lsh #31', text: 'ld #3\nlsh #31\nrsh #30\nret a', frame: F54 },
  { name: 'lsh #33 (count mod 32 on amd64)', text: 'ld #1\nlsh #33\nret a', frame: F54, linuxDiffers: 'Linux refuses a constant shift of 32 or more' },
  { name: 'lsh x with X = 33', text: 'ld #1\nldx #33\nlsh x\nret a', frame: F54, libpcapDiffers: 'libpcap sets A = 0 for X >= 32; FreeBSD on amd64 (and Linux) shift by X mod 32' },
  { name: 'rsh x with X = 32', text: 'ld #8\nldx #32\nrsh x\nret a', frame: F54, libpcapDiffers: 'libpcap sets A = 0 for X >= 32; FreeBSD on amd64 (and Linux) shift by X mod 32' },
  {
    name: 'scratch memory starts at 0', text: 'ld M[4]\nadd #1\nret a', frame: F54, linuxDiffers: 'Linux refuses a read of M[] before a store',
    libpcapDiffers: "libpcap 1.10.3's bpf_filter does not clear M[]: the read returns whatever was on the stack", libpcapUndefined: true,
  },
  { name: 'st and ld M[]', text: 'ldh [12]\nst M[3]\nld #0\nldx M[3]\ntxa\nret a', frame: F54 },
  { name: 'ld #pktlen', text: 'ld #pktlen\nret a', frame: F54 },
  { name: 'ldx #pktlen', text: 'ldx #pktlen\ntxa\nadd #1\nret a', frame: F54 },
  { name: 'ld #pktlen sees the wire length', text: 'ld #pktlen\nret a', frame: F54, wireLen: 1500 },
  { name: 'a load past the buffer fails even within the wire length', text: 'ldb [60]\nret #7', frame: F54, wireLen: 1500 },
  { name: 'ret a with A = 0 drops', text: 'ld #0\nret a', frame: F54 },
  { name: 'ret #-1 accepts whole', text: 'ret #-1', frame: F54 },
  { name: 'an empty frame', text: 'ldb [0]\nret #7', frame: frame(0) },
  { name: 'an empty frame, no loads', text: 'ld #pktlen\nadd #9\nret a', frame: frame(0) },
  { name: 'ja over a ret', text: 'ja 2\nret #0\nret #5', frame: F54 },
  { name: 'ld [proto] is only a load past the end outside Linux', text: 'ld [proto]\nret #7', frame: F54, linuxDiffers: 'Linux reads the socket buffer protocol (0 for AF_UNIX) and carries on' },
];

describe('interpreter corner cases against libpcap and Linux', () => {
  it('agrees with both peers, except where a peer is known to differ', () => {
    const progs = CASES.map((c) => assembleCbpf(c.text));
    const ours = CASES.map((c, i) => runCbpf(progs[i], { bytes: c.frame, wireLen: c.wireLen }));
    if (!hasHarness()) return skipLine('cbpf interpreter corners', 'pcap-harness not built (gcc or libpcap-dev missing)');
    const peers = runPeers(CASES.map((c, i) => ({ prog: progs[i], frames: [c.frame], wireLens: c.wireLen ? [c.wireLen] : undefined })), true);
    CASES.forEach((c, i) => {
      const pcap = peers[i].pcap[0];
      if (c.libpcapUndefined) {
        // Nothing to compare: the value depends on what the harness left on its stack.
      } else if (c.libpcapDiffers) {
        expect(pcap, c.name).not.toBe(ours[i]);
        expect(pcap, `${c.name}: libpcap semantics`).toBe(runCbpf(progs[i], { bytes: c.frame }, { semantics: 'libpcap' }));
      } else {
        expect(ours[i], `${c.name}: libpcap`).toBe(pcap);
      }
      if (c.wireLen) return; // a socket has no separate wire length
      const linux = peers[i].linuxValid ? peers[i].linux[0] : 'refused';
      const expected = ours[i] === 0 ? 'drop' : Math.min(c.frame.length, ours[i]);
      if (findLinuxViolation(progs[i])) expect(linux, `${c.name}: Linux refuses it`).toBe('refused');
      else if (c.linuxDiffers) expect(linux, `${c.name}: Linux`).not.toEqual(expected);
      else expect(linux, `${c.name}: Linux`).toEqual(expected);
    });
  });

  it('the mbuf-chain path: an out-of-range ldh [k] gives A = 0 and carries on (reference §3.4)', () => {
    const run = (text: string, mbufChain: boolean): number => runCbpf(assembleCbpf(text), { bytes: F54, mbufChain });
    expect(run('ldh [100]\nadd #1\nret a', false)).toBe(0);
    expect(run('ldh [100]\nadd #1\nret a', true)).toBe(1);
    expect(run('ld [100]\nret #1', true)).toBe(0);
    expect(run('ldb [100]\nret #1', true)).toBe(0);
    expect(run('ldh [x + 100]\nret #1', true)).toBe(0);
    expect(run('ldh [12]\nret a', true)).toBe(run('ldh [12]\nret a', false));
  });

  it('refuses programs FreeBSD would refuse, with a typed error', () => {
    const bad: CbpfProgram = assembleCbpf('ld #1\nja 0\nret a');
    let code = '';
    try {
      cbpfFilter(bad);
    } catch (e) {
      code = isBpf2pfError(e) ? e.code : 'untyped';
    }
    expect(code).toBe('CBPF_INVALID');
  });
});
