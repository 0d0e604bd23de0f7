/**
 * Every valid opcode (every shape of opcode-shapes.ts, every constrained choice, random
 * free fields) wrapped into an ELF object by the test writer and disassembled by
 * llvm-objdump 19 and 14: our listing must match (see peer-compare.ts for what a tool
 * cannot show). Then random batches with fast-check, and the cases where we and LLVM
 * deliberately disagree.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bpf2pfError } from '../../src/errors.js';
import { decodeInstructions } from '../../src/insn/decode.js';
import { formatInsn } from '../../src/insn/disasm.js';
import { concatBytes, encodeRawInsn, writeBpfElf, type RawInsn, type SymbolSpec } from '../support/bpf-elf-writer.js';
import { PEER_TOOLS, compareObject, formatStats, newStats } from './peer-compare.js';
import { SHAPES, VALID_OPCODES, anyValidInsn, expandChoices, shapeInsn } from './opcode-shapes.js';
import { OBJCOPY, OBJDUMP14, OBJDUMP19, READELF, parseObjdump, requireTools, run } from './peer.js';

const toolsPresent = requireTools(OBJDUMP19, OBJDUMP14, READELF, OBJCOPY);
const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-opcodes-'));
let fileCount = 0;

/** Writes the instructions as section `tc` with a function symbol at 0 and labels at `labelSlots`. */
function writeObject(insns: readonly (readonly RawInsn[])[], littleEndian: boolean, labelSlots: readonly number[] = []): string {
  const bytes = concatBytes(insns.flat().map((r) => encodeRawInsn(r, littleEndian)));
  const symbols: SymbolSpec[] = [
    { name: 'f', section: 0, value: 0, size: bytes.length, type: 'func', binding: 'global' },
    ...[...new Set(labelSlots)].filter((s) => s > 0).map((s): SymbolSpec => ({ name: `L${s}`, section: 0, value: s * 8, type: 'notype', binding: 'local' })),
  ];
  const file = join(dir, `o${fileCount++}-${littleEndian ? 'el' : 'eb'}.o`);
  writeFileSync(file, writeBpfElf({ littleEndian, sections: [{ name: 'tc', bytes }], symbols }));
  return file;
}

/** Slots at which each instruction starts. */
function starts(insns: readonly (readonly RawInsn[])[]): number[] {
  const out: number[] = [];
  let slot = 0;
  for (const i of insns) {
    out.push(slot);
    slot += i.length;
  }
  return out;
}

describe.skipIf(!toolsPresent)('every opcode against llvm-objdump', () => {
  const stats = newStats();
  afterAll(() => {
    console.log(formatStats('every opcode + random batches', fileCount, stats));
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees on every shape and every constrained choice, in both byte orders', () => {
    const shapes = SHAPES.flatMap(expandChoices);
    const insns = shapes.flatMap((s) => fc.sample(shapeInsn(s), { numRuns: 4, seed: 7 }));
    expect(new Set(insns.map((i) => i[0].code))).toEqual(VALID_OPCODES);
    const slots = starts(insns);
    for (const le of [true, false]) {
      compareObject(writeObject(insns, le, slots.filter((_, k) => k % 17 === 5)), PEER_TOOLS, stats);
    }
  });

  it('agrees on random batches of valid instructions', () => {
    fc.assert(
      fc.property(
        fc.array(anyValidInsn, { minLength: 1, maxLength: 200, size: 'max' }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 5 }),
        (insns, le, picks) => {
          const slots = starts(insns);
          compareObject(writeObject(insns, le, picks.map((p) => slots[p % slots.length])), PEER_TOOLS, stats);
        },
      ),
      { numRuns: 50 },
    );
  });

  /** What llvm-objdump-19 prints for one raw instruction. */
  function objdump19(raw: readonly RawInsn[]): string {
    const [section] = parseObjdump(run(OBJDUMP19, ['-d', writeObject([raw], true)]));
    return section.insns[0].text;
  }

  function rejects(raw: readonly RawInsn[]): boolean {
    try {
      decodeInstructions(concatBytes(raw.map((r) => encodeRawInsn(r, true))), true);
      return false;
    } catch (e) {
      return e instanceof Bpf2pfError && e.code === 'INSN_INVALID';
    }
  }

  it('rejects what the kernel rejects although LLVM prints something for it', () => {
    const cases: [string, RawInsn, string][] = [
      ['callx (0x8d), not in the kernel instruction set', { code: 0x8d, dst: 1, src: 0, off: 0, imm: 0 }, 'callx r1'],
      ['register r11', { code: 0x07, dst: 11, src: 0, off: 0, imm: 1 }, 'r11 += 0x1'],
      ['ALU X with a non-zero imm', { code: 0x0f, dst: 1, src: 2, off: 0, imm: 5 }, 'r1 += r2'],
      ['neg with a non-zero imm', { code: 0x87, dst: 1, src: 0, off: 0, imm: 5 }, 'r1 = -r1'],
      ['le16 with a src register', { code: 0xd4, dst: 1, src: 2, off: 0, imm: 16 }, 'r1 = le16 r1'],
      ['ld_abs with dst, src and off set', { code: 0x20, dst: 1, src: 2, off: 3, imm: 4 }, 'r0 = *(u32 *)skb[0x4]'],
      ['goto with registers set', { code: 0x05, dst: 1, src: 2, off: 0, imm: 0 }, 'goto +0x0 <f+0x8>'],
      ['exit with dst set', { code: 0x95, dst: 1, src: 0, off: 0, imm: 0 }, 'exit'],
      ['call with src 3', { code: 0x85, dst: 0, src: 3, off: 0, imm: 1 }, 'call 0x1'],
      ['ST with a src register', { code: 0x62, dst: 1, src: 2, off: 0, imm: 1 }, '*(u32 *)(r1 + 0x0) = 0x1'],
    ];
    for (const [what, raw, llvm] of cases) {
      expect(rejects([raw]), what).toBe(true);
      expect(objdump19([raw]), what).toBe(llvm);
    }
    const lddw = { code: 0x18, dst: 1, src: 0, off: 0, imm: 1 };
    expect(rejects([lddw, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }]), 'lddw with a non-zero second code').toBe(true);
    expect(objdump19([lddw, { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 }])).toBe('r1 = 0x1 ll');
  });

  it('prints what LLVM 19 cannot show in LLVM syntax (alu32 form, LLVM 20 form)', () => {
    const show = (raw: RawInsn, alu32 = false): [string, string] => [
      formatInsn(decodeInstructions(encodeRawInsn(raw, true), true)[0], { numbers: 'hex', alu32 }),
      objdump19([raw]),
    ];
    // A W add with FETCH: LLVM without +alu32 drops the fetch.
    expect(show({ code: 0xc3, dst: 1, src: 2, off: -8, imm: 0x01 })).toEqual(['w2 = atomic_fetch_add((u32 *)(r1 - 0x8), w2)', 'lock *(u32 *)(r1 - 0x8) += r2']);
    expect(show({ code: 0xc3, dst: 1, src: 2, off: -8, imm: 0xe1 })).toEqual(['w2 = xchg32_32(r1 - 0x8, w2)', '<unknown>']);
    // exit with a non-zero off: the kernel ignores off, and so does LLVM.
    expect(show({ code: 0x95, dst: 0, src: 0, off: 3, imm: 0 })).toEqual(['exit', 'exit']);
    // Load-acquire / store-release: LLVM 19 shows a DW/W load-acquire as an atomic add.
    expect(show({ code: 0xdb, dst: 1, src: 2, off: 0, imm: 0x100 })).toEqual(['r1 = load_acquire((u64 *)(r2 + 0x0))', 'lock *(u64 *)(r1 + 0x0) += r2']);
    expect(show({ code: 0xd3, dst: 1, src: 2, off: 4, imm: 0x110 })).toEqual(['store_release((u8 *)(r1 + 0x4), w2)', '<unknown>']);
  });
});
