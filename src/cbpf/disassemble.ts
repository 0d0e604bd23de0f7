/**
 * Classic BPF to the text `tcpdump -d` prints (libpcap 1.10's bpf_image), byte for byte:
 *
 *     (000) ldh      [12]
 *     (001) jeq      #0x800           jt 2	jf 5
 *     (014) ret      #262144
 *     (015) tax      ␣              (mnemonic padded to 8, then a space: trailing blanks)
 *
 * - The mnemonic is padded to 8 columns and followed by one space and the operand.
 * - Conditional jumps pad the operand to 16 columns, then `jt T<TAB>jf F` with absolute
 *   targets (i + 1 + offset); `ja` prints its absolute target too, computed in signed
 *   32-bit arithmetic, so a backward ja shows a smaller index.
 * - k is signed (`#%d`) for ALU arithmetic, shifts, ret and packet offsets, and hex
 *   (`#0x%x`) for immediates, comparisons and and/or/xor.
 * - Absolute loads at Linux's ancillary offsets print by name (`ld [proto]`), as this
 *   machine's Linux-built libpcap does.
 * - Codes outside the valid 49 print `unimp 0x<code>`, k not shown; JMP-class ones with
 *   comparison bits (0x55, 0x115, ...) also show `jt`/`jf` targets, as libpcap does.
 *
 * One deliberate difference: 0x81 (`ldx #pktlen`, X = wire length) is printed as libpcap
 * master prints it; libpcap 1.10.3 prints `unimp 0x81` although the code is valid.
 */
import { ancillaryName } from './linux-ancillary.js';
import type { CbpfInsn, CbpfProgram, LoadSize } from './types.js';

/** The parts of one listing line. `targets` is set for conditional jumps only. */
export interface InsnImage {
  readonly mnemonic: string;
  readonly operand: string;
  readonly targets?: { readonly jt: number; readonly jf: number };
}

const LOAD_MNEMONIC: Readonly<Record<LoadSize, string>> = { w: 'ld', h: 'ldh', b: 'ldb' };
/** ALU operations whose constant libpcap prints in hex rather than signed decimal. */
const HEX_ALU = new Set(['and', 'or', 'xor']);

const signed = (k: number): string => String(k | 0);
const hex = (k: number): string => `0x${(k >>> 0).toString(16)}`;

/** The mnemonic and operand of instruction `index` (targets depend on where it is). */
export function insnImage(insn: CbpfInsn, index: number): InsnImage {
  switch (insn.kind) {
    case 'ld-imm': return { mnemonic: 'ld', operand: `#${hex(insn.k)}` };
    case 'ld-abs': return { mnemonic: LOAD_MNEMONIC[insn.size], operand: `[${ancillaryName(insn.k) ?? signed(insn.k)}]` };
    case 'ld-ind': return { mnemonic: LOAD_MNEMONIC[insn.size], operand: `[x + ${signed(insn.k)}]` };
    case 'ld-mem': return { mnemonic: 'ld', operand: `M[${signed(insn.k)}]` };
    case 'ld-len': return { mnemonic: 'ld', operand: '#pktlen' };
    case 'ldx-imm': return { mnemonic: 'ldx', operand: `#${hex(insn.k)}` };
    case 'ldx-mem': return { mnemonic: 'ldx', operand: `M[${signed(insn.k)}]` };
    case 'ldx-len': return { mnemonic: 'ldx', operand: '#pktlen' };
    case 'ldx-msh': return { mnemonic: 'ldxb', operand: `4*([${signed(insn.k)}]&0xf)` };
    case 'st': return { mnemonic: 'st', operand: `M[${signed(insn.k)}]` };
    case 'stx': return { mnemonic: 'stx', operand: `M[${signed(insn.k)}]` };
    case 'alu': {
      if (insn.src === 'x') return { mnemonic: insn.op, operand: 'x' };
      return { mnemonic: insn.op, operand: `#${HEX_ALU.has(insn.op) ? hex(insn.k) : signed(insn.k)}` };
    }
    case 'neg': return { mnemonic: 'neg', operand: '' };
    case 'ja': return { mnemonic: 'ja', operand: String((index + 1 + insn.k) | 0) };
    case 'jcond': return {
      mnemonic: insn.cond,
      operand: insn.src === 'x' ? 'x' : `#${hex(insn.k)}`,
      targets: { jt: index + 1 + insn.jt, jf: index + 1 + insn.jf },
    };
    case 'ret': return { mnemonic: 'ret', operand: insn.src === 'a' ? '' : `#${signed(insn.k)}` };
    case 'tax': return { mnemonic: 'tax', operand: '' };
    case 'txa': return { mnemonic: 'txa', operand: '' };
    case 'unknown': {
      // libpcap shows targets for any JMP-class code with a comparison op bit set.
      const conditional = (insn.code & 0x07) === 0x05 && (insn.code & 0xf0) !== 0;
      return {
        mnemonic: 'unimp',
        operand: hex(insn.code),
        ...(conditional ? { targets: { jt: index + 1 + insn.jt, jf: index + 1 + insn.jf } } : {}),
      };
    }
    default: return unreachable(insn);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled cBPF instruction ${JSON.stringify(x)}`);
}

/** Instruction text without the `(NNN)` prefix: `jeq #0x800 jt 2 jf 5` style, for messages. */
export function insnText(insn: CbpfInsn, index: number): string {
  const im = insnImage(insn, index);
  const base = im.operand ? `${im.mnemonic} ${im.operand}` : im.mnemonic;
  return im.targets ? `${base} jt ${im.targets.jt} jf ${im.targets.jf}` : base;
}

/** One `tcpdump -d` line, without the newline. */
export function formatInsnLine(insn: CbpfInsn, index: number): string {
  const im = insnImage(insn, index);
  const prefix = `(${String(index).padStart(3, '0')}) ${im.mnemonic.padEnd(8)} `;
  if (!im.targets) return prefix + im.operand;
  return `${prefix}${im.operand.padEnd(16)} jt ${im.targets.jt}\tjf ${im.targets.jf}`;
}

/** The whole `tcpdump -d` listing, one line per instruction, each ending in a newline. */
export function disassembleCbpf(prog: CbpfProgram): string {
  return prog.map((insn, i) => `${formatInsnLine(insn, i)}\n`).join('');
}
