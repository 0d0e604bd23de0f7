import { ALU } from '../cpu/alu.js';
import { COND } from '../cpu/jump.js';
import type { AluOp, AtomicOp, JumpOp } from '../../insn/types.js';

/**
 * Numeric operation codes of compiled instructions. The interpreter switches over these
 * instead of the decoded union's strings; `compile-section.ts` maps every Insn variant to
 * one of them (exhaustively), so nothing the decoder accepts is lost.
 *
 * ALU:  1 + aluOp + 16 * (64-bit) + 32 * (register source)      1..64
 * Jcc: 70 + cond + 11 * (64-bit) + 22 * (register source)       70..113
 */
export const OP = {
  invalid: 0,
  aluFirst: 1,
  aluLast: 64,
  le: 65,
  be: 66,
  bswap: 67,
  addrSpaceCast: 68,
  ja: 69,
  condFirst: 70,
  condLast: 113,
  mayGoto: 114,
  callHelper: 115,
  callLocal: 116,
  callKfunc: 117,
  exit: 118,
  lddw: 119,
  ldAbs: 120,
  ldInd: 121,
  load: 122,
  storeImm: 123,
  store: 124,
  atomic: 125,
} as const;

export function aluCode(op: AluOp, width: 32 | 64, reg: boolean): number {
  return OP.aluFirst + ALU[op] + (width === 64 ? 16 : 0) + (reg ? 32 : 0);
}

export function condCode(op: Exclude<JumpOp, 'ja' | 'may_goto'>, width: 32 | 64, reg: boolean): number {
  return OP.condFirst + COND[op] + (width === 64 ? 11 : 0) + (reg ? 22 : 0);
}

export const ATOMIC = {
  add: 0, or: 1, and: 2, xor: 3, xchg: 4, cmpxchg: 5, load_acquire: 6, store_release: 7,
} as const satisfies Record<AtomicOp, number>;

/** aux of an atomic: op | fetch << 4 | size << 8. */
export function atomicAux(op: AtomicOp, fetch: boolean, size: number): number {
  return ATOMIC[op] | (fetch ? 16 : 0) | (size << 8);
}
