import { describe, expect, it } from 'vitest';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { csumDiff, csumPartialWords, csumReplace4, protoCsumReplace4 } from '../../src/vm/helpers/checksum.js';
import { assemble, I } from './support/asm.js';
import { tcpSyn, udpTo } from './support/frames.js';

/** The checksum arithmetic of reference §4.1, and the helpers on real frames. */
describe('checksum arithmetic', () => {
  it('csum_diff from 0x0100000a to 0x0900000a is 0x800 (folded, not complemented)', () => {
    expect(csumDiff([0x0100000a], [0x0900000a], 0)).toBe(0x800);
  });

  it('csum_diff of {0x12345678, 0x9abcdef0} with seed 0xdeadbeef is 0x7ff7', () => {
    expect(csumDiff([], [0x12345678, 0x9abcdef0], 0xdeadbeef)).toBe(0x7ff7);
  });

  it('l3: IPv4 checksum 0x66ce becomes 0x66c6 for 10.0.0.1 -> 10.0.0.9', () => {
    // The field read as a little-endian u16 (bytes 66 ce), addresses as stored (0a 00 00 01).
    expect(csumReplace4(0xce66, 0x0100000a, 0x0900000a)).toBe(0xc666);
  });

  it('l4 with PSEUDO_HDR: TCP checksum 0x1234 becomes 0x122c', () => {
    expect(protoCsumReplace4(0x3412, 0x0100000a, 0x0900000a)).toBe(0x2c12);
  });

  it('end-around-carry sums are 0 only when every input is 0', () => {
    expect(csumPartialWords([0, 0], 0)).toBe(0);
    expect(csumPartialWords([0xffffffff, 0], 0)).toBe(0xffffffff);
    expect(csumPartialWords([0xffffffff, 1], 0)).toBe(1);
    expect(csumPartialWords([0x80000000, 0x80000000], 0)).toBe(1);
  });
});

/** r6 = ctx; then the given helper calls with (skb, r2..r5); r0 = 0. */
function callsProgram(calls: readonly [number, number, number, number, number][]): ReturnType<typeof assemble> {
  const insns = [I.mov64r(6, 1)];
  for (const [helper, a2, a3, a4, a5] of calls) {
    insns.push(I.mov64r(1, 6), I.mov64i(2, a2), I.mov64i(3, a3), I.mov64i(4, a4), I.mov64i(5, a5), I.call(helper));
  }
  insns.push(I.mov64i(0, 0), I.exit());
  return assemble('tc', [{ name: 'p', insns }]);
}

describe('l3_csum_replace and l4_csum_replace on a frame', () => {
  it('reproduce the reference example in packet bytes', () => {
    const obj = callsProgram([
      [10, 24, 0x0100000a, 0x0900000a, 4],
      [11, 50, 0x0100000a, 0x0900000a, 0x10 | 4],
    ]);
    const p = tcpSyn('10.0.0.1', '10.0.0.2', 1, 2);
    p.set([0x66, 0xce], 24);
    p.set([0x12, 0x34], 50);
    const r = runProgram(obj, createMapStore(obj), { program: 'p', packet: p });
    expect([...r.packet.slice(24, 26)]).toEqual([0x66, 0xc6]);
    expect([...r.packet.slice(50, 52)]).toEqual([0x12, 0x2c]);
    expect(r.helperCalls.map((c) => c.ret)).toEqual([0n, 0n]);
  });

  it('MARK_MANGLED_0: a zero UDP checksum stays zero, a result of zero becomes 0xffff', () => {
    const obj = callsProgram([[11, 40, 0x1111, 0x2222, 0x20 | 2]]);
    const p = udpTo('10.0.0.1', '10.0.0.2', 1, 2, [1, 2]);
    p.set([0, 0], 40);
    expect([...runProgram(obj, createMapStore(obj), { program: 'p', packet: p }).packet.slice(40, 42)]).toEqual([0, 0]);
    // Replacing 0 by the current checksum (as read, little endian) leaves ~(~c + ~0 + c) = 0.
    const q = udpTo('10.0.0.1', '10.0.0.2', 1, 2, [1, 2]);
    const current = q[40] | (q[41] << 8);
    const zeroing = callsProgram([[11, 40, 0, current, 0x20 | 2]]);
    expect([...runProgram(zeroing, createMapStore(zeroing), { program: 'p', packet: q }).packet.slice(40, 42)]).toEqual([0xff, 0xff]);
  });

  it('refuses odd offsets (EFAULT), unknown sizes and flags (EINVAL), fields past the end (EFAULT)', () => {
    const obj = callsProgram([
      [10, 25, 0, 0, 2],
      [10, 24, 1, 2, 3],
      [10, 24, 0, 0, 0x100],
      [11, 2000, 0, 0, 2],
      [10, 24, 1, 0, 0],
    ]);
    const r = runProgram(obj, createMapStore(obj), { program: 'p', packet: tcpSyn('10.0.0.1', '10.0.0.2', 1, 2) });
    expect(r.helperCalls.map((c) => BigInt.asIntN(64, c.ret))).toEqual([-14n, -22n, -22n, -14n, -22n]);
  });
});
