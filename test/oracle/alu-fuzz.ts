import type { RawInsn } from '../support/bpf-elf-writer.js';
import { writeProbeObject } from './probe-object.js';

/**
 * Random verifier-valid straight-line eBPF programs for comparing pure arithmetic: the
 * kernel (through the oracle) against an interpreter (src/vm, or the BigInt model in
 * alu-model.ts).
 *
 * A program has three parts:
 * - prologue: loads r0..r9 and a 16-byte stack scratch area from the packet (after a
 *   14-byte Ethernet header), so the verifier knows nothing about the values and one
 *   loaded program runs on many inputs;
 * - body: the random instructions under test (ALU and ALU64 with immediates and
 *   registers, byte swaps, sdiv/smod/movsx/ldsx, forward conditional skips of JMP and
 *   JMP32, loads, stores and atomics on the scratch slots);
 * - epilogue: stores r0..r9 and the scratch into the single value of the ARRAY map
 *   `results`, declared in a legacy `maps` section (so no BTF is needed), and returns 0.
 *
 * The result value is r0..r9 (10 × u64) then the scratch bytes r10-16..r10-1: 96 bytes.
 */

export const ALU_FUZZ_PROGRAM = 'alu_fuzz';
export const ALU_FUZZ_MAP = 'results';
export const REG_COUNT = 10;
/** Packet: Ethernet header, then r0..r9, then the scratch area. */
export const INPUT_OFFSET = 14;
export const INPUT_SIZE = 8 * REG_COUNT + 16;
export const RESULT_SIZE = 8 * REG_COUNT + 16;
/** A local-experimental EtherType: the kernel takes any non-IP frame from 14 bytes. */
const ETHERTYPE = 0x88b5;

// Opcode parts (reference §3).
export const CLS = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const SZ = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export const MODE = { IMM: 0x00, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
export const SRC_X = 0x08;
export const ALU = { ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70, NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0 } as const;
export const JMP = { JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70, CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0 } as const;
export const ATOMIC = { ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe1, CMPXCHG: 0xf1 } as const;

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

/** Immediates that find edge cases more often than uniform ones would. */
function imm32(rng: Rng): number {
  const special = [0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7fffffff, -0x80000000, 0xff, 0xffff, -0x100, 0x12345678];
  return rng() < 0.4 ? pick(rng, special) : (Math.floor(rng() * 2 ** 32) | 0);
}

/** Random 64-bit values for the registers, biased the same way. */
export function randomValue(rng: Rng): bigint {
  const special = [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffn, 0x80000000n, 0x7fffffffn, 0x100000000n, 0xffffffff80000000n];
  if (rng() < 0.3) return pick(rng, special);
  const hi = BigInt(Math.floor(rng() * 2 ** 32));
  const lo = BigInt(Math.floor(rng() * 2 ** 32));
  return rng() < 0.3 ? lo : (hi << 32n) | lo; // small values too, where 32-bit ops differ least
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });

export interface AluFuzzOptions {
  /** Body instructions. */
  readonly length?: number;
  /** At most this many conditional skips (each doubles the verifier's paths). */
  readonly maxJumps?: number;
  /** Include cpu v4 instructions (sdiv, smod, movsx, ldsx, bswap): 6.6+ kernels. */
  readonly v4?: boolean;
  /** Include atomics, loads and stores on the scratch slots. */
  readonly memory?: boolean;
}

/** Random body instructions. Every one is valid for the verifier on scalar registers. */
export function generateBody(rng: Rng, options: AluFuzzOptions = {}): RawInsn[] {
  const length = options.length ?? 40;
  const v4 = options.v4 ?? true;
  const memory = options.memory ?? true;
  let jumps = options.maxJumps ?? 6;
  const body: RawInsn[] = [];
  const reg = (): number => int(rng, 0, 9);
  while (body.length < length) {
    const left = length - body.length;
    const r = rng();
    if (r < 0.55) body.push(aluInsn(rng, reg(), reg(), v4));
    else if (r < 0.63) body.push(endInsn(rng, reg(), v4));
    else if (r < 0.75 && jumps > 0 && left > 1) {
      jumps--;
      const cls = rng() < 0.5 ? CLS.JMP : CLS.JMP32;
      const op = pick(rng, [JMP.JEQ, JMP.JGT, JMP.JGE, JMP.JSET, JMP.JNE, JMP.JSGT, JMP.JSGE, JMP.JLT, JMP.JLE, JMP.JSLT, JMP.JSLE]);
      // Forward only, and at most to the end of the body: no loops, no dead code.
      const off = int(rng, 1, Math.min(4, left - 1));
      body.push(rng() < 0.5 ? insn(cls | op | SRC_X, reg(), reg(), off, 0) : insn(cls | op, reg(), 0, off, imm32(rng)));
    } else if (memory) {
      body.push(memInsn(rng, reg(), reg(), v4));
    } else {
      body.push(aluInsn(rng, reg(), reg(), v4));
    }
  }
  return body;
}

function aluInsn(rng: Rng, dst: number, src: number, v4: boolean): RawInsn {
  const wide = rng() < 0.5;
  const cls = wide ? CLS.ALU64 : CLS.ALU;
  const bits = wide ? 64 : 32;
  const ops = [ALU.ADD, ALU.SUB, ALU.MUL, ALU.DIV, ALU.OR, ALU.AND, ALU.LSH, ALU.RSH, ALU.NEG, ALU.MOD, ALU.XOR, ALU.MOV, ALU.ARSH];
  const op = pick(rng, ops);
  if (op === ALU.NEG) return insn(cls | op, dst, 0, 0, 0);
  const signed = v4 && (op === ALU.DIV || op === ALU.MOD) && rng() < 0.5; // sdiv / smod: off = 1
  if (v4 && op === ALU.MOV && rng() < 0.3) {
    // movsx: registers only; 8/16/32 bits for ALU64, 8/16 for ALU.
    return insn(cls | op | SRC_X, dst, src, pick(rng, wide ? [8, 16, 32] : [8, 16]), 0);
  }
  const off = signed ? 1 : 0;
  if (rng() < 0.5) return insn(cls | op | SRC_X, dst, src, off, 0);
  let imm = imm32(rng);
  if (op === ALU.LSH || op === ALU.RSH || op === ALU.ARSH) imm = int(rng, 0, bits - 1); // else "invalid shift"
  if ((op === ALU.DIV || op === ALU.MOD) && imm === 0) imm = pick(rng, [1, -1, 3]); // else "division by zero"
  return insn(cls | op, dst, 0, off, imm);
}

function endInsn(rng: Rng, dst: number, v4: boolean): RawInsn {
  const width = pick(rng, [16, 32, 64]);
  if (v4 && rng() < 0.3) return insn(CLS.ALU64 | ALU.END, dst, 0, 0, width); // bswap
  return insn(CLS.ALU | ALU.END | (rng() < 0.5 ? SRC_X : 0), dst, 0, 0, width); // to be / to le
}

/** Loads, stores and atomics on the scratch slots r10-16..r10-1, aligned. */
function memInsn(rng: Rng, dst: number, src: number, v4: boolean): RawInsn {
  const size = pick(rng, [SZ.B, SZ.H, SZ.W, SZ.DW]);
  const bytes = size === SZ.B ? 1 : size === SZ.H ? 2 : size === SZ.W ? 4 : 8;
  const off = -16 + bytes * int(rng, 0, 16 / bytes - 1);
  const r = rng();
  if (r < 0.25) return insn(CLS.LDX | MODE.MEM | size, dst, 10, off, 0);
  if (r < 0.35 && v4 && size !== SZ.DW) return insn(CLS.LDX | MODE.MEMSX | size, dst, 10, off, 0);
  if (r < 0.55) return insn(CLS.STX | MODE.MEM | size, 10, src, off, 0);
  if (r < 0.65) return insn(CLS.ST | MODE.MEM | size, 10, 0, off, imm32(rng));
  // Atomics: 32 or 64 bits only.
  const wide = rng() < 0.5;
  const aoff = wide ? pick(rng, [-16, -8]) : -16 + 4 * int(rng, 0, 3);
  const op = pick(rng, [ATOMIC.ADD, ATOMIC.OR, ATOMIC.AND, ATOMIC.XOR, ATOMIC.ADD | ATOMIC.FETCH, ATOMIC.OR | ATOMIC.FETCH, ATOMIC.AND | ATOMIC.FETCH, ATOMIC.XOR | ATOMIC.FETCH, ATOMIC.XCHG, ATOMIC.CMPXCHG]);
  return insn(CLS.STX | MODE.ATOMIC | (wide ? SZ.DW : SZ.W), 10, src, aoff, op);
}

/** The prologue: r2 = data, bounds check, then registers and scratch from the packet. */
function prologue(exitSlot: (at: number) => number): RawInsn[] {
  const p: RawInsn[] = [];
  p.push(insn(CLS.LDX | MODE.MEM | SZ.W, 2, 1, 76, 0)); // r2 = skb->data
  p.push(insn(CLS.LDX | MODE.MEM | SZ.W, 3, 1, 80, 0)); // r3 = skb->data_end
  p.push(insn(CLS.ALU64 | ALU.MOV | SRC_X, 4, 2, 0, 0)); // r4 = r2
  p.push(insn(CLS.ALU64 | ALU.ADD, 4, 0, 0, INPUT_OFFSET + INPUT_SIZE)); // r4 += 110
  p.push(insn(CLS.JMP | JMP.JGT | SRC_X, 4, 3, exitSlot(p.length), 0)); // if r4 > r3 goto out
  const base = INPUT_OFFSET;
  // Scratch first, through r3, while r2 still points at the packet.
  p.push(insn(CLS.LDX | MODE.MEM | SZ.DW, 3, 2, base + 80, 0));
  p.push(insn(CLS.STX | MODE.MEM | SZ.DW, 10, 3, -16, 0));
  p.push(insn(CLS.LDX | MODE.MEM | SZ.DW, 3, 2, base + 88, 0));
  p.push(insn(CLS.STX | MODE.MEM | SZ.DW, 10, 3, -8, 0));
  for (const r of [0, 1, 3, 4, 5, 6, 7, 8, 9, 2]) p.push(insn(CLS.LDX | MODE.MEM | SZ.DW, r, 2, base + 8 * r, 0));
  return p;
}

const SAVE = (r: number): number => -24 - 8 * r; // r0 at r10-24 ... r9 at r10-96
const KEY = -104;

/** The epilogue up to (not including) its final `r0 = 0; exit`. */
function epilogue(exitSlot: (at: number) => number): RawInsn[] {
  const e: RawInsn[] = [];
  for (let r = 0; r < REG_COUNT; r++) e.push(insn(CLS.STX | MODE.MEM | SZ.DW, 10, r, SAVE(r), 0));
  e.push(insn(CLS.ST | MODE.MEM | SZ.W, 10, 0, KEY, 0));
  e.push(insn(CLS.LD | MODE.IMM | SZ.DW, 1, 0, 0, 0)); // r1 = map `results` (relocated)
  e.push(insn(0, 0, 0, 0, 0));
  e.push(insn(CLS.ALU64 | ALU.MOV | SRC_X, 2, 10, 0, 0));
  e.push(insn(CLS.ALU64 | ALU.ADD, 2, 0, 0, KEY));
  e.push(insn(CLS.JMP | JMP.CALL, 0, 0, 0, 1)); // bpf_map_lookup_elem
  e.push(insn(CLS.JMP | JMP.JEQ, 0, 0, exitSlot(e.length), 0));
  for (let r = 0; r < REG_COUNT; r++) {
    e.push(insn(CLS.LDX | MODE.MEM | SZ.DW, 1, 10, SAVE(r), 0));
    e.push(insn(CLS.STX | MODE.MEM | SZ.DW, 0, 1, 8 * r, 0));
  }
  for (const [k, off] of [-16, -8].entries()) {
    e.push(insn(CLS.LDX | MODE.MEM | SZ.DW, 1, 10, off, 0));
    e.push(insn(CLS.STX | MODE.MEM | SZ.DW, 0, 1, 80 + 8 * k, 0));
  }
  return e;
}

export interface AluFuzzProgram {
  readonly body: readonly RawInsn[];
  /** Every instruction of the program, prologue and epilogue included. */
  readonly insns: readonly RawInsn[];
  /** Slot of the first body instruction. */
  readonly bodyStart: number;
  /** The relocatable object: section `tc`, program `alu_fuzz`, legacy map `results`. */
  readonly elf: Uint8Array;
}

/** Wraps body instructions into a loadable object. */
export function buildAluProgram(body: readonly RawInsn[]): AluFuzzProgram {
  // Lengths first, so the jumps to the shared exit can be computed.
  const proLen = prologue(() => 0).length;
  const epiLen = epilogue(() => 0).length;
  const exitAt = proLen + body.length + epiLen; // slot of `r0 = 0`
  const pro = prologue((at) => exitAt - (at + 1));
  const epi = epilogue((at) => exitAt - (proLen + body.length + at + 1));
  const insns = [...pro, ...body, ...epi, insn(CLS.ALU64 | ALU.MOV, 0, 0, 0, 0), insn(CLS.JMP | JMP.EXIT, 0, 0, 0, 0)];
  const lddwSlot = proLen + body.length + REG_COUNT + 1;
  const elf = writeProbeObject({ program: ALU_FUZZ_PROGRAM, map: ALU_FUZZ_MAP, insns, mapSlot: lddwSlot, valueSize: RESULT_SIZE });
  return { body, insns, bodyStart: proLen, elf };
}

/** Initial registers r0..r9 and the scratch's two u64 (r10-16, r10-8). */
export interface AluInput {
  readonly regs: readonly bigint[];
  readonly scratch: readonly [bigint, bigint];
}

export function randomInput(rng: Rng): AluInput {
  return { regs: Array.from({ length: REG_COUNT }, () => randomValue(rng)), scratch: [randomValue(rng), randomValue(rng)] };
}

export function inputPacket(input: AluInput): Uint8Array {
  const p = new Uint8Array(INPUT_OFFSET + INPUT_SIZE);
  const v = new DataView(p.buffer);
  p.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, ETHERTYPE, false);
  input.regs.forEach((x, i) => v.setBigUint64(INPUT_OFFSET + 8 * i, x, true));
  v.setBigUint64(INPUT_OFFSET + 80, input.scratch[0], true);
  v.setBigUint64(INPUT_OFFSET + 88, input.scratch[1], true);
  return p;
}

/** Registers and scratch as the epilogue stored them. */
export function decodeResult(value: Uint8Array): AluInput {
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return {
    regs: Array.from({ length: REG_COUNT }, (_, i) => v.getBigUint64(8 * i, true)),
    scratch: [v.getBigUint64(80, true), v.getBigUint64(88, true)],
  };
}
