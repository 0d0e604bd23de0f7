import type { AtomicInsn, Insn, JumpInsn, LddwInsn, Register } from './types.js';
import { unreachable } from './types.js';

/**
 * Disassembly text in the syntax of `llvm-objdump -d` for BPF, so that a listing can be
 * compared with the peer line by line.
 *
 * Where LLVM cannot show an instruction we still print something truthful in LLVM's own
 * syntax: 32-bit atomics other than a plain add use the `--mattr=+alu32` form (objdump
 * without it prints `<unknown>`, or for a W add with FETCH drops the fetch), and
 * load-acquire / store-release use the LLVM 20 syntax (LLVM 19 has no such instructions).
 */

export interface DisasmStyle {
  /** `decimal` as llvm-objdump 14 prints immediates and offsets, `hex` (0x28) as 19 does. */
  readonly numbers: 'decimal' | 'hex';
  /**
   * As `llvm-objdump --mattr=+alu32`: 8/16/32-bit loads and stores and 32-bit atomics name
   * their value register `wN`.
   */
  readonly alu32: boolean;
}

export const LLVM14_STYLE: DisasmStyle = { numbers: 'decimal', alu32: false };
export const LLVM19_STYLE: DisasmStyle = { numbers: 'hex', alu32: false };

/** A jump target named as objdump does: `<name>` or `<name+0x18>` (offset in bytes). */
export interface SymbolRef {
  readonly name: string;
  /** Bytes from the symbol to the target; negative for a target before it. */
  readonly offset: number;
}

/** Names the slot a jump lands on; undefined prints no annotation. */
export type Symbolizer = (targetSlot: number) => SymbolRef | undefined;

const ALU_OPERATORS = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=',
  rsh: '>>=', mod: '%=', smod: 's%=', xor: '^=', arsh: 's>>=',
} as const;

const JUMP_OPERATORS = {
  jeq: '==', jgt: '>', jge: '>=', jset: '&', jne: '!=', jsgt: 's>', jsge: 's>=', jlt: '<',
  jle: '<=', jslt: 's<', jsle: 's<=',
} as const;

const ATOMIC_OPERATORS = { add: '+=', or: '|=', and: '&=', xor: '^=' } as const;

const U64_MASK = (1n << 64n) - 1n;

/** Text of one instruction, as objdump prints it after the bytes column. */
export function formatInsn(insn: Insn, style: DisasmStyle = LLVM19_STYLE, symbolize?: Symbolizer): string {
  const num = (n: number | bigint): string => formatNumber(n, style);
  switch (insn.kind) {
    case 'alu': {
      const p = insn.width === 32 ? 'w' : 'r';
      const d = `${p}${insn.dst}`;
      const operand = insn.source === 'reg' ? `${p}${insn.src}` : num(insn.imm);
      switch (insn.op) {
        case 'neg':
          return `${d} = -${d}`;
        case 'mov':
          return `${d} = ${operand}`;
        case 'movsx':
          return `${d} = (s${insn.signExtendFrom})${p}${insn.src}`;
        default:
          return `${d} ${ALU_OPERATORS[insn.op]} ${operand}`;
      }
    }
    case 'swap':
      return `r${insn.dst} = ${insn.swap}${insn.bits} r${insn.dst}`;
    case 'addrSpaceCast':
      return `r${insn.dst} = addr_space_cast(r${insn.src}, ${num(insn.dstAddrSpace)}, ${num(insn.srcAddrSpace)})`;
    case 'jump':
      return formatJump(insn, style, symbolize);
    case 'call':
      return `call ${num(insn.imm)}`;
    case 'exit':
      return 'exit';
    case 'lddw':
      return formatLddw(insn, style);
    case 'packetLoad':
      return `r0 = *(u${insn.size * 8} *)skb[${insn.mode === 'abs' ? num(insn.imm) : `r${insn.src}`}]`;
    case 'load': {
      const p = style.alu32 && insn.size < 8 && !insn.signExtend ? 'w' : 'r';
      return `${p}${insn.dst} = *(${insn.signExtend ? 's' : 'u'}${insn.size * 8} *)(${address(insn.src, insn.off, style)})`;
    }
    case 'storeImm':
      return `*(u${insn.size * 8} *)(${address(insn.dst, insn.off, style)}) = ${num(insn.imm)}`;
    case 'store': {
      const p = style.alu32 && insn.size < 8 ? 'w' : 'r';
      return `*(u${insn.size * 8} *)(${address(insn.dst, insn.off, style)}) = ${p}${insn.src}`;
    }
    case 'atomic':
      return formatAtomic(insn, style);
    default:
      return unreachable(insn);
  }
}

/** `0x28` / `-0x28` in hex style, `40` / `-40` in decimal style. */
export function formatNumber(n: number | bigint, style: DisasmStyle): string {
  if (style.numbers === 'decimal') return n.toString();
  const negative = n < 0;
  const magnitude = negative ? -BigInt(n) : BigInt(n);
  return `${negative ? '-' : ''}0x${magnitude.toString(16)}`;
}

/** Register plus offset as objdump writes it inside brackets: `r1 + 0x0`, `r10 - 0x8`. */
function address(reg: Register, off: number, style: DisasmStyle): string {
  return off < 0 ? `r${reg} - ${formatNumber(-off, style)}` : `r${reg} + ${formatNumber(off, style)}`;
}

function formatJump(insn: JumpInsn, style: DisasmStyle, symbolize: Symbolizer | undefined): string {
  const by = insn.cls === 'jmp32' && insn.op === 'ja' ? insn.imm : insn.off;
  const rel = `${by < 0 ? '-' : '+'}${formatNumber(Math.abs(by), style)}`;
  const ref = symbolize?.(insn.target);
  const where = ref === undefined ? rel : `${rel} ${formatSymbolRef(ref)}`;
  switch (insn.op) {
    case 'ja':
      return `${insn.cls === 'jmp32' ? 'gotol' : 'goto'} ${where}`;
    case 'may_goto':
      return `may_goto ${where}`;
    default: {
      const p = insn.width === 32 ? 'w' : 'r';
      const operand = insn.source === 'reg' ? `${p}${insn.src}` : formatNumber(insn.imm, style);
      return `if ${p}${insn.dst} ${JUMP_OPERATORS[insn.op]} ${operand} goto ${where}`;
    }
  }
}

/** `<name>` or `<name+0x18>`; objdump always writes the offset in hex, as an unsigned 64-bit. */
export function formatSymbolRef(ref: SymbolRef): string {
  if (ref.offset === 0) return `<${ref.name}>`;
  return `<${ref.name}+0x${(BigInt(ref.offset) & U64_MASK).toString(16)}>`;
}

function formatLddw(insn: LddwInsn, style: DisasmStyle): string {
  if (insn.pseudo === 'imm64') return `r${insn.dst} = ${formatNumber(BigInt.asIntN(64, insn.value), style)} ll`;
  // LLVM's ld_pseudo shows the subtype and the first immediate (unsigned), not the second.
  return `ld_pseudo\tr${insn.dst}, ${formatNumber(insn.src, style)}, ${formatNumber(insn.imm >>> 0, style)}`;
}

function formatAtomic(insn: AtomicInsn, style: DisasmStyle): string {
  const bits = insn.size * 8;
  const mem = address(insn.dst, insn.off, style);
  if (insn.op === 'load_acquire') {
    return `${insn.size === 8 ? 'r' : 'w'}${insn.dst} = load_acquire((u${bits} *)(${address(insn.src, insn.off, style)}))`;
  }
  if (insn.op === 'store_release') {
    return `store_release((u${bits} *)(${mem}), ${insn.size === 8 ? 'r' : 'w'}${insn.src})`;
  }
  // Without alu32, LLVM knows only the plain 32-bit add, and names its operand rN.
  const p = insn.size === 8 || (insn.op === 'add' && !insn.fetch && !style.alu32) ? 'r' : 'w';
  const s = `${p}${insn.src}`;
  switch (insn.op) {
    case 'xchg':
      return insn.size === 8 ? `${s} = xchg_64(${mem}, ${s})` : `${s} = xchg32_32(${mem}, ${s})`;
    case 'cmpxchg':
      return insn.size === 8 ? `r0 = cmpxchg_64(${mem}, r0, ${s})` : `w0 = cmpxchg32_32(${mem}, w0, ${s})`;
    default:
      return insn.fetch
        ? `${s} = atomic_fetch_${insn.op}((u${bits} *)(${mem}), ${s})`
        : `lock *(u${bits} *)(${mem}) ${ATOMIC_OPERATORS[insn.op]} ${s}`;
  }
}
