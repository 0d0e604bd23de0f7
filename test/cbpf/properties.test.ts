import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { decodeCbpf } from '../../src/cbpf/decode.js';
import { disassembleCbpf } from '../../src/cbpf/disassemble.js';
import { encodeCbpf, formatDd, formatDdd } from '../../src/cbpf/encode.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import { ALU_OPS, classify, JUMP_CONDS, makeInsn, VALID_CODES, withUnusedFieldsCleared } from '../../src/cbpf/opcodes.js';
import type { CbpfInsn, CbpfProgram, LoadSize, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation } from '../../src/cbpf/validate.js';
import { findLinuxViolation } from '../../src/cbpf/validate-linux.js';
import { isBpf2pfError } from '../../src/errors.js';
import { skipLine } from '../support/tools.js';
import { generateFrames } from './frames.js';
import { hasHarness, runPeers, tcpdumpDump, hasTcpdump } from './peer.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const size = fc.constantFrom<LoadSize>('w', 'h', 'b');
/** Packet offsets: mostly inside a frame, sometimes at the edges of 32 bits. */
const offset = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(12, 14, 23, 0x7fffffff, 0xfffffff0, 0xffffffff), u32);
const imm = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.constantFrom(0x800, 0x86dd, 0x7fffffff, 0x80000000, 0xffffffff), u32);

/** One instruction at index i of n, with every jump forward and in range. */
function insnAt(i: number, n: number): fc.Arbitrary<CbpfInsn> {
  const ret = fc.oneof(imm.map((k) => makeInsn({ kind: 'ret', src: 'k' }, k)), fc.constant(makeInsn({ kind: 'ret', src: 'a' })));
  const room = n - i - 2;
  if (room < 0) return ret;
  const off = fc.integer({ min: 0, max: Math.min(255, room) });
  const mem = fc.integer({ min: 0, max: 15 });
  const alu = fc.tuple(fc.constantFrom(...ALU_OPS), fc.boolean(), imm, fc.integer({ min: 0, max: 40 })).map(([op, useX, k, shift]) => {
    if (useX) return makeInsn({ kind: 'alu', op, src: 'x' });
    const kk = op === 'lsh' || op === 'rsh' ? shift : (op === 'div' || op === 'mod') && k === 0 ? 1 : k;
    return makeInsn({ kind: 'alu', op, src: 'k' }, kk);
  });
  return fc.oneof(
    imm.map((k) => makeInsn({ kind: 'ld-imm' }, k)),
    fc.tuple(size, offset).map(([s, k]) => makeInsn({ kind: 'ld-abs', size: s }, k)),
    fc.tuple(size, offset).map(([s, k]) => makeInsn({ kind: 'ld-ind', size: s }, k)),
    mem.map((k) => makeInsn({ kind: 'ld-mem' }, k)),
    fc.constant(makeInsn({ kind: 'ld-len' })),
    imm.map((k) => makeInsn({ kind: 'ldx-imm' }, k)),
    mem.map((k) => makeInsn({ kind: 'ldx-mem' }, k)),
    fc.constant(makeInsn({ kind: 'ldx-len' })),
    offset.map((k) => makeInsn({ kind: 'ldx-msh' }, k)),
    mem.map((k) => makeInsn({ kind: 'st' }, k)),
    mem.map((k) => makeInsn({ kind: 'stx' }, k)),
    alu, alu,
    fc.constant(makeInsn({ kind: 'neg' })),
    off.map((k) => makeInsn({ kind: 'ja' }, k)),
    fc.tuple(fc.constantFrom(...JUMP_CONDS), fc.boolean(), imm, off, off)
      .map(([cond, useX, k, jt, jf]) => makeInsn({ kind: 'jcond', cond, src: useX ? 'x' : 'k' }, useX ? 0 : k, jt, jf)),
    fc.tuple(fc.constantFrom(...JUMP_CONDS), fc.boolean(), imm, off, off)
      .map(([cond, useX, k, jt, jf]) => makeInsn({ kind: 'jcond', cond, src: useX ? 'x' : 'k' }, useX ? 0 : k, jt, jf)),
    fc.constant(makeInsn({ kind: 'tax' })),
    fc.constant(makeInsn({ kind: 'txa' })),
    ret,
  );
}

/**
 * A random valid program. It starts by storing A (0) into all of M[]: libpcap's
 * bpf_filter does not clear M[] and Linux refuses reads before stores, and neither is
 * what these runs are about.
 */
const validProgram: fc.Arbitrary<CbpfProgram> = fc.integer({ min: 1, max: 30 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => insnAt(i, n))))
  .map((body) => [...Array.from({ length: 16 }, (_, m) => makeInsn({ kind: 'st' }, m)), ...body]);

const FIXED_FRAMES = generateFrames(12, 99);
const frames = fc.array(fc.uint8Array({ maxLength: 72 }), { minLength: 1, maxLength: 6 }).map((r) => [...FIXED_FRAMES, ...r]);

const raw = (p: readonly RawInsn[]): RawInsn[] => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));

/** Throws unless `f` returns or fails with one of our typed errors of the given codes. */
function onlyTyped(f: () => unknown, codes: readonly string[]): void {
  try {
    f();
  } catch (e) {
    if (!isBpf2pfError(e) || !codes.includes(e.code)) throw e;
  }
}

describe('random valid programs run alike in our interpreter, libpcap and Linux', () => {
  it('libpcap bpf_filter (libpcap semantics) and the Linux kernel (FreeBSD semantics)', () => {
    if (!hasHarness()) return skipLine('cbpf properties', 'pcap-harness not built (gcc or libpcap-dev missing)');
    let runs = 0;
    let linuxRuns = 0;
    fc.assert(fc.property(validProgram, frames, (prog, fs) => {
      expect(findFreeBsdViolation(prog)).toBeUndefined();
      const [peer] = runPeers([{ prog, frames: fs }], true);
      const asLibpcap = cbpfFilter(prog, { semantics: 'libpcap' });
      const asFreeBsd = cbpfFilter(prog);
      fs.forEach((f, i) => expect(asLibpcap({ bytes: f }), `frame ${i}`).toBe(peer.pcap[i]));
      runs += fs.length;
      // Linux adds X + k in 32 bits for indexed loads and gives far absolute offsets
      // meanings of its own; programs without either run the same there.
      const linuxComparable = findLinuxViolation(prog) === undefined
        && !prog.some((p) => p.kind === 'ld-ind' || (p.kind === 'ld-abs' && p.k >= 0x80000000));
      expect(peer.linuxValid).toBe(findLinuxViolation(prog) === undefined);
      if (linuxComparable) {
        fs.forEach((f, i) => {
          const v = asFreeBsd({ bytes: f });
          expect(peer.linux[i], `Linux, frame ${i}`).toEqual(v === 0 ? 'drop' : Math.min(f.length, v));
        });
        linuxRuns += fs.length;
      }
    }), { numRuns: 600, seed: 1234 });
    console.log(`cbpf properties: ${runs} random runs agreed with libpcap, ${linuxRuns} with Linux`);
  });
});

describe('encodings round-trip', () => {
  const anyRaw = fc.record({
    code: fc.oneof(fc.constantFrom(...VALID_CODES), fc.integer({ min: 0, max: 0xffff })),
    jt: fc.integer({ min: 0, max: 255 }), jf: fc.integer({ min: 0, max: 255 }), k: u32,
  });
  const anyProgram = fc.array(anyRaw.map(classify), { maxLength: 40 });

  it('bytes (both orders), -dd and -ddd give back every field', () => {
    fc.assert(fc.property(anyProgram, fc.boolean(), (prog, littleEndian) => {
      expect(raw(decodeCbpf(encodeCbpf(prog, { littleEndian }), { littleEndian }))).toEqual(raw(prog));
      expect(raw(assembleCbpf(formatDdd(prog)))).toEqual(raw(prog));
      if (prog.length) expect(raw(assembleCbpf(formatDd(prog)))).toEqual(raw(prog));
    }), { numRuns: 500 });
  });

  it('-d text gives back every field an instruction uses, and prints the same again', () => {
    fc.assert(fc.property(anyProgram, (prog) => {
      const text = disassembleCbpf(prog);
      const back = assembleCbpf(text);
      expect(disassembleCbpf(back)).toBe(text);
      back.forEach((b, i) => {
        if (prog[i].kind !== 'unknown') expect(raw([b])).toEqual(raw([withUnusedFieldsCleared(prog[i])]));
      });
    }), { numRuns: 500 });
  });
});

describe('hostile input gives results or typed errors only', () => {
  it('random bytes into the decoder', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      onlyTyped(() => {
        const prog = decodeCbpf(bytes);
        findFreeBsdViolation(prog);
        findLinuxViolation(prog);
        disassembleCbpf(prog);
      }, ['CBPF_BAD_ENCODING']);
    }), { numRuns: 1000 });
  });

  it('random text into the assembler', () => {
    const alphabet = fc.constantFrom(...'()[]{}#:+*&,;-x0123456789abcdefjtflMldhbretsuxnp \t\n'.split(''));
    const text = fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 60 }));
    fc.assert(fc.property(text, (t) => onlyTyped(() => assembleCbpf(t), ['CBPF_SYNTAX', 'CBPF_BAD_ENCODING'])), { numRuns: 3000 });
  });

  it('tcpdump listings with characters inserted, deleted or replaced', () => {
    if (!hasTcpdump()) return skipLine('cbpf properties', 'tcpdump not installed');
    const listings = ['-d', '-dd', '-ddd'].map((flag) => tcpdumpDump(flag as '-d', 'tcp[tcpflags] & tcp-syn != 0 or vlan 10 and arp'));
    const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...' ()[]#x0-9\n\t,{}jtMa:'.split('')));
    fc.assert(fc.property(fc.constantFrom(...listings), fc.array(edit, { minLength: 1, maxLength: 4 }), (listing, edits) => {
      let t = listing;
      for (const [at, len, ch] of edits) {
        const p = at % (t.length + 1);
        t = t.slice(0, p) + ch + t.slice(p + len);
      }
      onlyTyped(() => assembleCbpf(t), ['CBPF_SYNTAX', 'CBPF_BAD_ENCODING']);
    }), { numRuns: 3000 });
  });
});
