import type { RawInsn } from '../support/bpf-elf-writer.js';
import { ALU, ATOMIC, CLS, JMP, MODE, REG_COUNT, SRC_X, SZ, type AluInput } from './alu-fuzz.js';

/**
 * A tiny reference model of the instructions alu-fuzz.ts generates, written from the
 * instruction-set document (reference §3) with BigInt arithmetic, independent of
 * src/vm: it checks the generator and the kernel against each other until the
 * interpreter takes its place in the comparison.
 *
 * Registers are u64 BigInts. Memory is only the 16-byte scratch at r10-16..r10-1.
 */

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

const u64 = (x: bigint): bigint => x & M64;
const u32 = (x: bigint): bigint => x & M32;
/** Sign-extends the low `bits` of x to a (signed) BigInt. */
const sext = (x: bigint, bits: number): bigint => BigInt.asIntN(bits, x);
const imm64 = (imm: number): bigint => u64(BigInt(imm)); // imm is an s32: sign-extended

function bswap(x: bigint, bits: number): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Division truncating toward zero, as C's. */
function sdiv(a: bigint, b: bigint, bits: number): bigint {
  const q = a / b; // BigInt division truncates toward zero
  return BigInt.asUintN(bits, q); // INT_MIN / -1 wraps to INT_MIN
}

function alu(op: number, signed: boolean, a: bigint, b: bigint, bits: 32 | 64): bigint {
  const mask = bits === 64 ? M64 : M32;
  const sh = BigInt(bits - 1);
  a &= mask;
  b &= mask;
  switch (op) {
    case ALU.ADD:
      return (a + b) & mask;
    case ALU.SUB:
      return (a - b) & mask;
    case ALU.MUL:
      return (a * b) & mask;
    case ALU.DIV:
      if (b === 0n) return 0n;
      return signed ? sdiv(sext(a, bits), sext(b, bits), bits) : a / b;
    case ALU.MOD:
      // Modulo by zero leaves the destination (its low 32 bits for ALU).
      if (b === 0n) return a;
      if (!signed) return a % b;
      return BigInt.asUintN(bits, sext(a, bits) % sext(b, bits)); // sign of the dividend
    case ALU.OR:
      return a | b;
    case ALU.AND:
      return a & b;
    case ALU.XOR:
      return a ^ b;
    case ALU.LSH:
      return (a << (b & sh)) & mask;
    case ALU.RSH:
      return a >> (b & sh);
    case ALU.ARSH:
      return BigInt.asUintN(bits, sext(a, bits) >> (b & sh));
    case ALU.NEG:
      return -a & mask;
    case ALU.MOV:
      return b;
    default:
      throw new Error(`model: ALU op 0x${op.toString(16)}`);
  }
}

function cond(op: number, a: bigint, b: bigint, bits: 32 | 64): boolean {
  const sa = sext(a, bits);
  const sb = sext(b, bits);
  switch (op) {
    case JMP.JEQ:
      return a === b;
    case JMP.JNE:
      return a !== b;
    case JMP.JGT:
      return a > b;
    case JMP.JGE:
      return a >= b;
    case JMP.JLT:
      return a < b;
    case JMP.JLE:
      return a <= b;
    case JMP.JSET:
      return (a & b) !== 0n;
    case JMP.JSGT:
      return sa > sb;
    case JMP.JSGE:
      return sa >= sb;
    case JMP.JSLT:
      return sa < sb;
    case JMP.JSLE:
      return sa <= sb;
    default:
      throw new Error(`model: jump op 0x${op.toString(16)}`);
  }
}

const SIZE_BYTES: Record<number, number> = { [SZ.B]: 1, [SZ.H]: 2, [SZ.W]: 4, [SZ.DW]: 8 };

/** Runs `body` from `input`; returns the registers and scratch at its end. */
export function runAluModel(body: readonly RawInsn[], input: AluInput): AluInput {
  const r = [...input.regs];
  const mem = new Uint8Array(16);
  const mv = new DataView(mem.buffer);
  mv.setBigUint64(0, input.scratch[0], true);
  mv.setBigUint64(8, input.scratch[1], true);
  const at = (insn: RawInsn, size: number): number => {
    const a = insn.off + 16;
    if (a < 0 || a + size > 16) throw new Error(`model: stack access at r10${insn.off}`);
    return a;
  };
  const load = (a: number, size: number): bigint => {
    let x = 0n;
    for (let i = size - 1; i >= 0; i--) x = (x << 8n) | BigInt(mem[a + i]);
    return x;
  };
  const store = (a: number, size: number, x: bigint): void => {
    for (let i = 0; i < size; i++) mem[a + i] = Number((x >> BigInt(8 * i)) & 0xffn);
  };

  for (let pc = 0; pc < body.length; pc++) {
    const i = body[pc];
    const cls = i.code & 0x07;
    const x = (i.code & SRC_X) !== 0;
    switch (cls) {
      case CLS.ALU64:
      case CLS.ALU: {
        const bits = cls === CLS.ALU64 ? 64 : 32;
        const op = i.code & 0xf0;
        if (op === ALU.END) {
          const w = i.imm;
          if (cls === CLS.ALU64 || x) r[i.dst] = bswap(r[i.dst], w); // bswap, or to-BE on a LE host
          else r[i.dst] = w === 64 ? r[i.dst] : r[i.dst] & ((1n << BigInt(w)) - 1n); // to-LE: truncate
          break;
        }
        if (op === ALU.MOV && x && i.off !== 0) {
          // movsx: sign-extend the low `off` bits of src to the operation's width.
          r[i.dst] = BigInt.asUintN(bits, sext(r[i.src], i.off));
          break;
        }
        const b = x ? r[i.src] : bits === 64 ? imm64(i.imm) : u32(BigInt(i.imm));
        r[i.dst] = alu(op, i.off === 1, r[i.dst], b, bits);
        break;
      }
      case CLS.JMP:
      case CLS.JMP32: {
        const bits = cls === CLS.JMP ? 64 : 32;
        const mask = bits === 64 ? M64 : M32;
        const b = x ? r[i.src] : imm64(i.imm);
        if (cond(i.code & 0xf0, r[i.dst] & mask, b & mask, bits)) pc += i.off;
        break;
      }
      case CLS.LDX: {
        const size = SIZE_BYTES[i.code & 0x18];
        const v = load(at(i, size), size);
        r[i.dst] = (i.code & 0xe0) === MODE.MEMSX ? u64(sext(v, 8 * size)) : v;
        break;
      }
      case CLS.ST:
      case CLS.STX: {
        const size = SIZE_BYTES[i.code & 0x18];
        const a = at(i, size);
        if ((i.code & 0xe0) === MODE.ATOMIC) {
          const mask = size === 8 ? M64 : M32;
          const old = load(a, size);
          const val = r[i.src] & mask;
          const bits = size === 8 ? 64 : 32;
          if (i.imm === ATOMIC.XCHG) {
            store(a, size, val);
            r[i.src] = old;
          } else if (i.imm === ATOMIC.CMPXCHG) {
            if (old === (r[0] & mask)) store(a, size, val);
            r[0] = old;
          } else {
            store(a, size, alu(i.imm & 0xf0, false, old, val, bits));
            if (i.imm & ATOMIC.FETCH) r[i.src] = old;
          }
        } else {
          store(a, size, cls === CLS.STX ? r[i.src] : imm64(i.imm));
        }
        break;
      }
      default:
        throw new Error(`model: class ${cls}`);
    }
  }
  if (r.length !== REG_COUNT) throw new Error('model: register file grew');
  return { regs: r, scratch: [mv.getBigUint64(0, true), mv.getBigUint64(8, true)] };
}
