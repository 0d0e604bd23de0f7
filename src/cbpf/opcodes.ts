/**
 * The 49 valid classic BPF codes and what each one means. FreeBSD's bpf_validate
 * whitelist and Linux's chk_code_allowed hold the same 49; FreeBSD 10.4 and earlier lack
 * MOD and XOR (45 codes). Every other code is `unknown`.
 */
import type { AluOp, CbpfInsn, InsnShape, JumpCond, LoadSize, RawInsn, Source } from './types.js';

const SIZE_BITS: Readonly<Record<LoadSize, number>> = { w: 0x00, h: 0x08, b: 0x10 };
const SRC_BITS: Readonly<Record<Source, number>> = { k: 0x00, x: 0x08 };
const ALU_BITS: Readonly<Record<AluOp, number>> = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, mod: 0x90, xor: 0xa0,
};
const JUMP_BITS: Readonly<Record<JumpCond, number>> = { jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40 };

const LOAD_SIZES: readonly LoadSize[] = ['w', 'h', 'b'];
const SOURCES: readonly Source[] = ['k', 'x'];
export const ALU_OPS: readonly AluOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'mod', 'xor'];
export const JUMP_CONDS: readonly JumpCond[] = ['jeq', 'jgt', 'jge', 'jset'];

/** The code of a valid shape. `unknown` has no code of its own: it keeps whatever it had. */
export function codeOf(shape: Exclude<InsnShape, { kind: 'unknown' }>): number {
  switch (shape.kind) {
    case 'ld-imm': return 0x00;
    case 'ld-abs': return 0x20 | SIZE_BITS[shape.size];
    case 'ld-ind': return 0x40 | SIZE_BITS[shape.size];
    case 'ld-mem': return 0x60;
    case 'ld-len': return 0x80;
    case 'ldx-imm': return 0x01;
    case 'ldx-mem': return 0x61;
    case 'ldx-len': return 0x81;
    case 'ldx-msh': return 0xb1;
    case 'st': return 0x02;
    case 'stx': return 0x03;
    case 'alu': return 0x04 | ALU_BITS[shape.op] | SRC_BITS[shape.src];
    case 'neg': return 0x84;
    case 'ja': return 0x05;
    case 'jcond': return 0x05 | JUMP_BITS[shape.cond] | SRC_BITS[shape.src];
    case 'ret': return shape.src === 'k' ? 0x06 : 0x16;
    case 'tax': return 0x07;
    case 'txa': return 0x87;
    default: return unreachable(shape);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled cBPF shape ${JSON.stringify(x)}`);
}

function allValidShapes(): Exclude<InsnShape, { kind: 'unknown' }>[] {
  return [
    { kind: 'ld-imm' },
    ...LOAD_SIZES.map((size) => ({ kind: 'ld-abs' as const, size })),
    ...LOAD_SIZES.map((size) => ({ kind: 'ld-ind' as const, size })),
    { kind: 'ld-mem' }, { kind: 'ld-len' },
    { kind: 'ldx-imm' }, { kind: 'ldx-mem' }, { kind: 'ldx-len' }, { kind: 'ldx-msh' },
    { kind: 'st' }, { kind: 'stx' },
    ...ALU_OPS.flatMap((op) => SOURCES.map((src) => ({ kind: 'alu' as const, op, src }))),
    { kind: 'neg' },
    { kind: 'ja' },
    ...JUMP_CONDS.flatMap((cond) => SOURCES.map((src) => ({ kind: 'jcond' as const, cond, src }))),
    { kind: 'ret', src: 'k' }, { kind: 'ret', src: 'a' },
    { kind: 'tax' }, { kind: 'txa' },
  ];
}

// Built once from the table above and never changed.
const SHAPE_BY_CODE: ReadonlyMap<number, InsnShape> = new Map(allValidShapes().map((s) => [codeOf(s), s]));

/** All 49 valid codes, ascending. */
export const VALID_CODES: readonly number[] = [...SHAPE_BY_CODE.keys()].sort((a, b) => a - b);

/** MOD and XOR codes: valid since FreeBSD 12 (and in Linux and libpcap), refused by 10.4. */
export const MOD_XOR_CODES: readonly number[] = [0x94, 0x9c, 0xa4, 0xac];

/** What a code means; `unknown` for every code outside the 49. */
export function shapeOf(code: number): InsnShape {
  return SHAPE_BY_CODE.get(code) ?? { kind: 'unknown' };
}

/** Classifies raw fields into an instruction, keeping them as they are. */
export function classify(raw: RawInsn): CbpfInsn {
  return { ...shapeOf(raw.code), code: raw.code, jt: raw.jt, jf: raw.jf, k: raw.k };
}

/**
 * Builds an instruction of a valid shape. k is taken modulo 2^32, so `-1` is 0xffffffff;
 * jt and jf must already fit in a byte (they are offsets, not targets).
 */
export function makeInsn(shape: Exclude<InsnShape, { kind: 'unknown' }>, k = 0, jt = 0, jf = 0): CbpfInsn {
  return { ...shape, code: codeOf(shape), jt, jf, k: k >>> 0 };
}

/** Whether the instruction can transfer control other than to the next one. */
export function isJump(insn: CbpfInsn): insn is CbpfInsn & ({ kind: 'ja' } | { kind: 'jcond' }) {
  return insn.kind === 'ja' || insn.kind === 'jcond';
}

/**
 * The instruction with the fields its meaning ignores set to 0: jt and jf except on
 * conditional jumps, and k where the operand is X, A or the length. libpcap leaves junk
 * there (`tax` with k=1), which -dd and -ddd show and -d does not, so two programs that
 * differ only in these fields behave the same. Unknown codes are kept as they are.
 */
export function withUnusedFieldsCleared(insn: CbpfInsn): CbpfInsn {
  if (insn.kind === 'unknown') return insn;
  const jumps = insn.kind === 'jcond';
  const usesK = !(insn.kind === 'ld-len' || insn.kind === 'ldx-len' || insn.kind === 'neg' || insn.kind === 'tax'
    || insn.kind === 'txa' || (insn.kind === 'ret' && insn.src === 'a') || ((insn.kind === 'alu' || insn.kind === 'jcond') && insn.src === 'x'));
  return { ...insn, jt: jumps ? insn.jt : 0, jf: jumps ? insn.jf : 0, k: usesK ? insn.k : 0 };
}
