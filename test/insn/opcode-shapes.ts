/**
 * The instruction set as a table of shapes, written from reference §3 (and the kernel's
 * reserved-field rules) independently of src/insn/decode.ts, plus fast-check arbitraries
 * that fill the free fields of a shape with random values.
 *
 * A field is either free (`'reg'`: r0..r10, `'any'`: any s16/s32) or constrained to a
 * list of allowed values.
 */
import fc from 'fast-check';
import type { RawInsn } from '../support/bpf-elf-writer.js';

type FieldRule = 'reg' | 'any' | readonly number[];

export interface Shape {
  readonly name: string;
  readonly code: number;
  readonly dst: FieldRule;
  readonly src: FieldRule;
  readonly off: FieldRule;
  readonly imm: FieldRule;
  /** lddw only: the rule for the second slot's imm. */
  readonly imm2?: FieldRule;
}

const Z = [0] as const;

function alu(cls: 0x04 | 0x07): Shape[] {
  const w = cls === 0x04 ? 'alu' : 'alu64';
  const out: Shape[] = [];
  const binary: [string, number][] = [
    ['add', 0x00], ['sub', 0x10], ['mul', 0x20], ['or', 0x40], ['and', 0x50], ['lsh', 0x60],
    ['rsh', 0x70], ['xor', 0xa0], ['arsh', 0xc0],
  ];
  for (const [name, op] of binary) {
    out.push({ name: `${w} ${name} K`, code: op | cls, dst: 'reg', src: Z, off: Z, imm: 'any' });
    out.push({ name: `${w} ${name} X`, code: op | 0x08 | cls, dst: 'reg', src: 'reg', off: Z, imm: Z });
  }
  for (const [name, op] of [['div', 0x30], ['mod', 0x90]] as const) {
    out.push({ name: `${w} ${name} K`, code: op | cls, dst: 'reg', src: Z, off: [0, 1], imm: 'any' });
    out.push({ name: `${w} ${name} X`, code: op | 0x08 | cls, dst: 'reg', src: 'reg', off: [0, 1], imm: Z });
  }
  out.push({ name: `${w} neg`, code: 0x80 | cls, dst: 'reg', src: Z, off: Z, imm: Z });
  out.push({ name: `${w} mov K`, code: 0xb0 | cls, dst: 'reg', src: Z, off: Z, imm: 'any' });
  out.push({ name: `${w} mov X`, code: 0xb8 | cls, dst: 'reg', src: 'reg', off: cls === 0x04 ? [0, 8, 16] : [0, 8, 16, 32], imm: Z });
  if (cls === 0x07) {
    out.push({ name: 'alu64 addr_space_cast', code: 0xbf, dst: 'reg', src: 'reg', off: [1], imm: [1, 0x10000] });
    out.push({ name: 'alu64 bswap', code: 0xd7, dst: 'reg', src: Z, off: Z, imm: [16, 32, 64] });
  } else {
    out.push({ name: 'alu le', code: 0xd4, dst: 'reg', src: Z, off: Z, imm: [16, 32, 64] });
    out.push({ name: 'alu be', code: 0xdc, dst: 'reg', src: Z, off: Z, imm: [16, 32, 64] });
  }
  return out;
}

function jumps(cls: 0x05 | 0x06): Shape[] {
  const w = cls === 0x05 ? 'jmp' : 'jmp32';
  const out: Shape[] = [];
  const conditional: [string, number][] = [
    ['jeq', 0x10], ['jgt', 0x20], ['jge', 0x30], ['jset', 0x40], ['jne', 0x50], ['jsgt', 0x60],
    ['jsge', 0x70], ['jlt', 0xa0], ['jle', 0xb0], ['jslt', 0xc0], ['jsle', 0xd0],
  ];
  for (const [name, op] of conditional) {
    out.push({ name: `${w} ${name} K`, code: op | cls, dst: 'reg', src: Z, off: 'any', imm: 'any' });
    out.push({ name: `${w} ${name} X`, code: op | 0x08 | cls, dst: 'reg', src: 'reg', off: 'any', imm: Z });
  }
  if (cls === 0x05) {
    out.push({ name: 'ja', code: 0x05, dst: Z, src: Z, off: 'any', imm: Z });
    out.push({ name: 'call helper/subprogram', code: 0x85, dst: Z, src: [0, 1], off: Z, imm: 'any' });
    out.push({ name: 'call kfunc', code: 0x85, dst: Z, src: [2], off: 'any', imm: 'any' });
    // The kernel does not check off on exit.
    out.push({ name: 'exit', code: 0x95, dst: Z, src: Z, off: 'any', imm: Z });
    out.push({ name: 'may_goto', code: 0xe5, dst: Z, src: Z, off: 'any', imm: Z });
  } else {
    out.push({ name: 'gotol', code: 0x06, dst: Z, src: Z, off: Z, imm: 'any' });
  }
  return out;
}

function memory(): Shape[] {
  const sizes: [string, number][] = [['W', 0x00], ['H', 0x08], ['B', 0x10], ['DW', 0x18]];
  const out: Shape[] = [
    { name: 'lddw imm64/map_value/func/map_idx_value', code: 0x18, dst: 'reg', src: [0, 2, 4, 6], off: Z, imm: 'any', imm2: 'any' },
    { name: 'lddw map_fd/btf_id/map_idx', code: 0x18, dst: 'reg', src: [1, 3, 5], off: Z, imm: 'any', imm2: Z },
  ];
  for (const [s, bits] of sizes) {
    if (s !== 'DW') {
      out.push({ name: `ld abs ${s}`, code: 0x20 | bits, dst: Z, src: Z, off: Z, imm: 'any' });
      out.push({ name: `ld ind ${s}`, code: 0x40 | bits, dst: Z, src: 'reg', off: Z, imm: 'any' });
      out.push({ name: `ldx memsx ${s}`, code: 0x81 | bits, dst: 'reg', src: 'reg', off: 'any', imm: Z });
    }
    out.push({ name: `ldx mem ${s}`, code: 0x61 | bits, dst: 'reg', src: 'reg', off: 'any', imm: Z });
    out.push({ name: `st mem ${s}`, code: 0x62 | bits, dst: 'reg', src: Z, off: 'any', imm: 'any' });
    out.push({ name: `stx mem ${s}`, code: 0x63 | bits, dst: 'reg', src: 'reg', off: 'any', imm: Z });
    const ordered = [0x100, 0x110];
    const rmw = [0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1];
    out.push({ name: `stx atomic ${s}`, code: 0xc3 | bits, dst: 'reg', src: 'reg', off: 'any', imm: s === 'W' || s === 'DW' ? [...rmw, ...ordered] : ordered });
  }
  return out;
}

export const SHAPES: readonly Shape[] = [...alu(0x04), ...alu(0x07), ...jumps(0x05), ...jumps(0x06), ...memory()];

/** Opcode bytes that have at least one valid shape. */
export const VALID_OPCODES: ReadonlySet<number> = new Set(SHAPES.map((s) => s.code));

const s16 = fc.integer({ min: -0x8000, max: 0x7fff });
const s32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const reg = fc.integer({ min: 0, max: 10 });

function field(rule: FieldRule, any: fc.Arbitrary<number>): fc.Arbitrary<number> {
  if (rule === 'reg') return reg;
  if (rule === 'any') return any;
  return fc.constantFrom(...rule);
}

/** One or two slots (lddw) of a shape, free fields random. */
export function shapeInsn(shape: Shape): fc.Arbitrary<readonly RawInsn[]> {
  return fc
    .record({
      dst: field(shape.dst, s16),
      src: field(shape.src, s16),
      off: field(shape.off, s16),
      imm: field(shape.imm, s32),
      imm2: field(shape.imm2 ?? Z, s32),
    })
    .map(({ imm2, ...f }) => {
      const first: RawInsn = { code: shape.code, ...f };
      return shape.code === 0x18 ? [first, { code: 0, dst: 0, src: 0, off: 0, imm: imm2 }] : [first];
    });
}

/** Any valid instruction. */
export const anyValidInsn: fc.Arbitrary<readonly RawInsn[]> = fc.constantFrom(...SHAPES).chain(shapeInsn);

/** Every combination of a shape's constrained choices, each as its own narrower shape. */
export function expandChoices(shape: Shape): readonly Shape[] {
  let out: Shape[] = [shape];
  for (const key of ['src', 'off', 'imm'] as const) {
    out = out.flatMap((s) => {
      const rule = s[key];
      return Array.isArray(rule) && rule.length > 1 ? rule.map((v) => ({ ...s, [key]: [v] })) : [s];
    });
  }
  return out;
}

function fits(rule: FieldRule, v: number): boolean {
  if (rule === 'reg') return v >= 0 && v <= 10;
  if (rule === 'any') return true;
  return rule.includes(v);
}

/** True if the slots are one instruction the table allows (the oracle for the decoder). */
export function allowedByTable(slots: readonly RawInsn[]): boolean {
  const [first, second] = slots;
  if (first.code === 0x18) {
    if (second === undefined || second.code !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) return false;
  } else if (slots.length !== 1) {
    return false;
  }
  return SHAPES.some(
    (s) =>
      s.code === first.code && fits(s.dst, first.dst) && fits(s.src, first.src) && fits(s.off, first.off) &&
      fits(s.imm, first.imm) && (second === undefined || fits(s.imm2 ?? Z, second.imm)),
  );
}

const interesting = fc.constantFrom(0, 1, -1, 2, 8, 10, 11, 15, 16, 32, 64, 0x100, 0x110, 0x10000, 0x7fff, -0x8000);

/** A valid instruction with one field (possibly of the second lddw slot) overwritten. */
export const mutatedInsn: fc.Arbitrary<readonly RawInsn[]> = fc
  .tuple(anyValidInsn, fc.constantFrom('code', 'dst', 'src', 'off', 'imm'), interesting, fc.boolean(), fc.integer({ min: 0, max: 255 }))
  .map(([slots, key, value, inSecond, code]) => {
    const at = inSecond && slots.length === 2 ? 1 : 0;
    const v = key === 'code' ? code : key === 'dst' || key === 'src' ? value & 0xf : key === 'off' ? (value << 16) >> 16 : value;
    return slots.map((s, i) => (i === at ? { ...s, [key]: v } : s));
  });
