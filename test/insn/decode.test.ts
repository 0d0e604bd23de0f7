/**
 * The decoder against the shape table of opcode-shapes.ts (written from reference §3 and
 * the kernel's reserved-field rules): it must accept exactly what the table allows, keep
 * the raw fields, lay out slots, and fail only with INSN_INVALID.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bpf2pfError } from '../../src/errors.js';
import { decodeInstructions } from '../../src/insn/decode.js';
import type { Insn } from '../../src/insn/types.js';
import { concatBytes, encodeRawInsn, type RawInsn } from '../support/bpf-elf-writer.js';
import { SHAPES, VALID_OPCODES, allowedByTable, anyValidInsn, expandChoices, mutatedInsn, shapeInsn } from './opcode-shapes.js';

function encode(insns: readonly (readonly RawInsn[])[], littleEndian: boolean): Uint8Array {
  return concatBytes(insns.flat().map((r) => encodeRawInsn(r, littleEndian)));
}

function decodeError(f: () => unknown): Bpf2pfError {
  try {
    f();
  } catch (e) {
    if (e instanceof Bpf2pfError) return e;
    throw new Error(`expected a Bpf2pfError, got ${String(e)}`);
  }
  throw new Error('expected decoding to fail');
}

describe('decodeInstructions', () => {
  it('has 128 valid opcode bytes, as reference §3.4 lists them', () => {
    // ALU 27, ALU64 26, JMP 26, JMP32 23, LD 7 (lddw, 3 abs, 3 ind), LDX 7, ST 4, STX 8.
    expect(VALID_OPCODES.size).toBe(128);
  });

  it('decodes every shape and every constrained choice, keeping the raw fields, in both byte orders', () => {
    for (const shape of SHAPES.flatMap(expandChoices)) {
      const samples = fc.sample(shapeInsn(shape), { numRuns: 20, seed: 42 });
      for (const le of [true, false]) {
        const insns = decodeInstructions(encode(samples, le), le, { section: shape.name });
        expect(insns.length, shape.name).toBe(samples.length);
        insns.forEach((insn, k) => {
          const [first, second] = samples[k];
          expect({ opcode: insn.opcode, dst: insn.dst, src: insn.src, off: insn.off, imm: insn.imm }, shape.name).toEqual({
            opcode: first.code, dst: first.dst, src: first.src, off: first.off, imm: first.imm,
          });
          if (insn.kind === 'lddw') expect(insn.imm2).toBe(second.imm);
        });
      }
    }
  });

  it('accepts an instruction exactly when the table allows it (single-field mutations)', () => {
    fc.assert(
      fc.property(mutatedInsn, fc.boolean(), (slots, le) => {
        const bytes = encode([slots], le);
        if (allowedByTable(slots)) {
          expect(decodeInstructions(bytes, le)).toHaveLength(1);
        } else {
          const e = decodeError(() => decodeInstructions(bytes, le, { section: 'tc' }));
          expect(e.code).toBe('INSN_INVALID');
          expect(e.message).toMatch(/^tc: slot [01]: /);
        }
      }),
      { numRuns: 20000 },
    );
  });

  it('rejects every opcode byte outside the instruction set, whatever the other fields', () => {
    const invalid = Array.from({ length: 256 }, (_, c) => c).filter((c) => !VALID_OPCODES.has(c));
    expect(invalid).toHaveLength(128);
    fc.assert(
      fc.property(
        fc.constantFrom(...invalid),
        fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: -0x8000, max: 0x7fff }), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.boolean(),
        (code, dst, src, off, imm, le) => {
          const e = decodeError(() => decodeInstructions(encodeRawInsn({ code, dst, src, off, imm }, le), le));
          expect(e.code).toBe('INSN_INVALID');
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('decodes the same fields from little- and big-endian encodings', () => {
    fc.assert(
      fc.property(fc.array(anyValidInsn, { maxLength: 30 }), (insns) => {
        expect(decodeInstructions(encode(insns, false), false)).toEqual(decodeInstructions(encode(insns, true), true));
      }),
    );
  });

  it('numbers slots so that lddw takes two and jump targets are slot + 1 + offset', () => {
    fc.assert(
      fc.property(fc.array(anyValidInsn, { maxLength: 40 }), fc.nat(1000), (insns, firstSlot) => {
        const decoded = decodeInstructions(encode(insns, true), true, { firstSlot });
        let slot = firstSlot;
        decoded.forEach((insn: Insn, k) => {
          expect(insn.slot).toBe(slot);
          expect(insn.slots).toBe(insns[k].length);
          slot += insn.slots;
          if (insn.kind === 'jump') {
            const by = insn.cls === 'jmp32' && insn.op === 'ja' ? insn.imm : insn.off;
            expect(insn.target).toBe(insn.slot + 1 + by);
          }
          if (insn.kind === 'call' && insn.callKind === 'subprogram') expect(insn.target).toBe(insn.slot + 1 + insn.imm);
          if (insn.kind === 'lddw') {
            expect(insn.value).toBe(BigInt(insn.imm >>> 0) + (BigInt(insn.imm2 >>> 0) << 32n));
          }
        });
      }),
    );
  });

  it('turns any bytes into instructions or an INSN_INVALID error, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (bytes, le) => {
        try {
          decodeInstructions(bytes, le);
        } catch (e) {
          expect(e).toBeInstanceOf(Bpf2pfError);
          expect((e as Bpf2pfError).code).toBe('INSN_INVALID');
        }
      }),
      { numRuns: 20000 },
    );
  });

  it('rejects a length that is not a multiple of 8', () => {
    for (const n of [1, 7, 9, 15, 17]) {
      const e = decodeError(() => decodeInstructions(new Uint8Array(n), true, { section: 'xdp' }));
      expect(e.code).toBe('INSN_INVALID');
      expect(e.message).toContain('xdp');
    }
  });

  it('rejects a truncated lddw and a bad second half, naming the slot', () => {
    const exit = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
    const lddw = { code: 0x18, dst: 1, src: 0, off: 0, imm: 7 };
    const truncated = decodeError(() => decodeInstructions(encode([[exit], [lddw]], true), true, { section: 'tc' }));
    expect(truncated.code).toBe('INSN_INVALID');
    expect(truncated.message).toMatch(/^tc: slot 1: lddw is missing its second slot/);
    for (const bad of [{ code: 0x95 }, { dst: 1 }, { src: 2 }, { off: 1 }]) {
      const second = { code: 0, dst: 0, src: 0, off: 0, imm: 0, ...bad };
      const e = decodeError(() => decodeInstructions(encode([[exit], [lddw, second]], false), false, { section: 'tc' }));
      expect(e.code).toBe('INSN_INVALID');
      expect(e.message).toMatch(/^tc: slot 1: second slot of lddw/);
    }
  });

  it('decodes the meaning of representative instructions', () => {
    const one = (r: RawInsn, r2?: RawInsn): Insn => decodeInstructions(encode([r2 ? [r, r2] : [r]], true), true)[0];
    expect(one({ code: 0x3f, dst: 1, src: 2, off: 1, imm: 0 })).toMatchObject({ kind: 'alu', op: 'sdiv', width: 64, source: 'reg' });
    expect(one({ code: 0xbc, dst: 1, src: 2, off: 16, imm: 0 })).toMatchObject({ kind: 'alu', op: 'movsx', width: 32, signExtendFrom: 16 });
    expect(one({ code: 0xd7, dst: 3, src: 0, off: 0, imm: 32 })).toMatchObject({ kind: 'swap', swap: 'bswap', bits: 32 });
    expect(one({ code: 0xdc, dst: 3, src: 0, off: 0, imm: 16 })).toMatchObject({ kind: 'swap', swap: 'be', bits: 16 });
    expect(one({ code: 0x06, dst: 0, src: 0, off: 0, imm: -3 })).toMatchObject({ kind: 'jump', op: 'ja', cls: 'jmp32', target: -2 });
    expect(one({ code: 0xe5, dst: 0, src: 0, off: 4, imm: 0 })).toMatchObject({ kind: 'jump', op: 'may_goto', target: 5 });
    expect(one({ code: 0x85, dst: 0, src: 0, off: 0, imm: 12 })).toMatchObject({ kind: 'call', callKind: 'helper', helperId: 12 });
    expect(one({ code: 0x85, dst: 0, src: 1, off: 0, imm: 9 })).toMatchObject({ kind: 'call', callKind: 'subprogram', target: 10 });
    expect(one({ code: 0x85, dst: 0, src: 2, off: 3, imm: 900 })).toMatchObject({ kind: 'call', callKind: 'kfunc', btfId: 900, btfFdIndex: 3 });
    expect(one({ code: 0xdb, dst: 1, src: 2, off: -8, imm: 0xf1 })).toMatchObject({ kind: 'atomic', op: 'cmpxchg', fetch: true, size: 8 });
    expect(one({ code: 0xc3, dst: 1, src: 2, off: 0, imm: 0x41 })).toMatchObject({ kind: 'atomic', op: 'or', fetch: true, size: 4 });
    expect(one({ code: 0xd3, dst: 1, src: 2, off: 0, imm: 0x100 })).toMatchObject({ kind: 'atomic', op: 'load_acquire', size: 1 });
    expect(one({ code: 0x91, dst: 1, src: 2, off: 0, imm: 0 })).toMatchObject({ kind: 'load', signExtend: true, size: 1 });
    expect(one({ code: 0x48, dst: 0, src: 7, off: 0, imm: 14 })).toMatchObject({ kind: 'packetLoad', mode: 'ind', size: 2, src: 7 });
    expect(one({ code: 0xbf, dst: 1, src: 2, off: 1, imm: 0x10000 })).toMatchObject({ kind: 'addrSpaceCast', dstAddrSpace: 1, srcAddrSpace: 0 });
    expect(one({ code: 0x18, dst: 1, src: 2, off: 0, imm: -1 }, { code: 0, dst: 0, src: 0, off: 0, imm: 16 })).toMatchObject({
      kind: 'lddw', pseudo: 'map_value', imm2: 16, value: 0x10ffffffffn,
    });
  });
});
