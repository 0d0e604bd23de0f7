import { loadObject } from '../../../src/object/load-object.js';
import type { BpfMap, BpfObject, InsnReference } from '../../../src/object/types.js';
import { concatBytes, encodeRawInsn, writeBpfElf, type RawInsn } from '../../support/bpf-elf-writer.js';

/**
 * A few-line assembler for interpreter tests: instructions as raw fields, functions laid
 * out in one section, turned into a real object through the test ELF writer and
 * loadObject, so tests run exactly what the decoder produces.
 */
export function raw(code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn {
  return { code, dst, src, off, imm };
}

const ALU_OPS = { add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0 } as const;
type AluName = keyof typeof ALU_OPS;
const JMP_OPS = { jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0 } as const;
type JmpName = keyof typeof JMP_OPS;
const SIZES = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 } as const;

export const I = {
  alu64i: (op: AluName, d: number, imm: number, off = 0): RawInsn => raw(0x07 | ALU_OPS[op], d, 0, off, imm),
  alu64r: (op: AluName, d: number, s: number, off = 0): RawInsn => raw(0x0f | ALU_OPS[op], d, s, off, 0),
  alu32i: (op: AluName, d: number, imm: number, off = 0): RawInsn => raw(0x04 | ALU_OPS[op], d, 0, off, imm),
  alu32r: (op: AluName, d: number, s: number, off = 0): RawInsn => raw(0x0c | ALU_OPS[op], d, s, off, 0),
  mov64i: (d: number, imm: number): RawInsn => raw(0xb7, d, 0, 0, imm),
  mov64r: (d: number, s: number): RawInsn => raw(0xbf, d, s),
  /** le (0xd4), be (0xdc) or bswap (0xd7) with 16/32/64. */
  swap: (kind: 'le' | 'be' | 'bswap', d: number, bits: 16 | 32 | 64): RawInsn => raw(kind === 'le' ? 0xd4 : kind === 'be' ? 0xdc : 0xd7, d, 0, 0, bits),
  jmpi: (op: JmpName, d: number, imm: number, off: number): RawInsn => raw(0x05 | JMP_OPS[op], d, 0, off, imm),
  jmpr: (op: JmpName, d: number, s: number, off: number): RawInsn => raw(0x0d | JMP_OPS[op], d, s, off, 0),
  jmp32i: (op: JmpName, d: number, imm: number, off: number): RawInsn => raw(0x06 | JMP_OPS[op], d, 0, off, imm),
  jmp32r: (op: JmpName, d: number, s: number, off: number): RawInsn => raw(0x0e | JMP_OPS[op], d, s, off, 0),
  ja: (off: number): RawInsn => raw(0x05, 0, 0, off, 0),
  gotol: (imm: number): RawInsn => raw(0x06, 0, 0, 0, imm),
  mayGoto: (off: number): RawInsn => raw(0xe5, 0, 0, off, 0),
  ldx: (size: 1 | 2 | 4 | 8, d: number, s: number, off: number): RawInsn => raw(0x61 | SIZES[size], d, s, off, 0),
  ldxsx: (size: 1 | 2 | 4, d: number, s: number, off: number): RawInsn => raw(0x81 | SIZES[size], d, s, off, 0),
  stx: (size: 1 | 2 | 4 | 8, d: number, s: number, off: number): RawInsn => raw(0x63 | SIZES[size], d, s, off, 0),
  st: (size: 1 | 2 | 4 | 8, d: number, off: number, imm: number): RawInsn => raw(0x62 | SIZES[size], d, 0, off, imm),
  atomic: (size: 4 | 8, d: number, s: number, off: number, imm: number): RawInsn => raw(0xc3 | SIZES[size], d, s, off, imm),
  ldAbs: (size: 1 | 2 | 4, imm: number): RawInsn => raw(0x20 | SIZES[size], 0, 0, 0, imm),
  ldInd: (size: 1 | 2 | 4, s: number, imm: number): RawInsn => raw(0x40 | SIZES[size], 0, s, 0, imm),
  call: (helper: number): RawInsn => raw(0x85, 0, 0, 0, helper),
  /** A bpf-to-bpf call to slot pc + 1 + imm in the same section. */
  callLocal: (imm: number): RawInsn => raw(0x85, 0, 1, 0, imm),
  exit: (): RawInsn => raw(0x95),
  lddw: (d: number, value: bigint, src = 0): RawInsn[] => [
    raw(0x18, d, src, 0, Number(BigInt.asIntN(32, value & 0xffffffffn))),
    raw(0, 0, 0, 0, Number(BigInt.asIntN(32, value >> 32n))),
  ],
};

export interface AsmFunction {
  readonly name: string;
  readonly insns: readonly (RawInsn | readonly RawInsn[])[];
}

/** One section (a program type's section name, e.g. `tc` or `xdp`) holding the functions in order; all are programs. */
export function assemble(section: string, functions: readonly AsmFunction[], littleEndian = true): BpfObject {
  const flat = functions.map((f) => f.insns.flatMap((x) => (Array.isArray(x) ? x : [x as RawInsn])));
  let at = 0;
  const symbols = functions.map((f, i) => {
    const s = { name: f.name, section: 0, value: at * 8, size: flat[i].length * 8, type: 'func' as const, binding: 'global' as const };
    at += flat[i].length;
    return s;
  });
  const bytes = concatBytes(flat.flat().map((x) => encodeRawInsn(x, littleEndian)));
  return loadObject(writeBpfElf({ littleEndian, sections: [{ name: section, bytes }], symbols }));
}

/**
 * Adds a map to an assembled object and makes the lddw at `slot` of `program` load it,
 * as a relocation would: the plain-data way to give hand-written code a map.
 */
export function withMap(obj: BpfObject, map: Partial<BpfMap> & Pick<BpfMap, 'name' | 'type' | 'keySize' | 'valueSize' | 'maxEntries'>, uses: { program: string; slot: number }[]): BpfObject {
  const full: BpfMap = {
    flags: 0,
    pinning: 0,
    numaNode: 0,
    mapExtra: 0n,
    hasValues: false,
    section: '.maps',
    offset: 0,
    definitionSize: 0,
    form: 'btf',
    schemaSource: 'none',
    initialSlots: [],
    ...map,
  };
  const programs = obj.programs.map((p) => {
    const refs: InsnReference[] = uses.filter((u) => u.program === p.name).map((u) => ({ kind: 'map', slot: u.slot, map: map.name }));
    return refs.length ? { ...p, references: [...p.references, ...refs] } : p;
  });
  return { ...obj, programs, maps: [...obj.maps, full] };
}
