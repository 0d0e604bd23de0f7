import { formatInsn, LLVM19_STYLE } from '../../insn/disasm.js';
import type { SectionImage } from '../code/image.js';
import type { Machine } from '../machine.js';

function hex(m: Machine, i: number): string {
  const v = (BigInt(m.regs.hi[i]) << 32n) | BigInt(m.regs.lo[i]);
  return `0x${v.toString(16)}${m.regs.taint[i] ? '*' : ''}`;
}

/**
 * One trace line per instruction, before it runs: where, the instruction as objdump
 * prints it, and the registers it reads (a * marks a clock-derived value).
 */
export function traceLine(m: Machine, img: SectionImage, slot: number): void {
  const insn = img.insns[slot];
  if (insn === undefined || m.records.trace === undefined) return;
  const regs = new Set<number>();
  switch (insn.kind) {
    case 'alu':
    case 'jump':
      regs.add(insn.dst);
      if (insn.source === 'reg') regs.add(insn.src);
      break;
    case 'swap':
      regs.add(insn.dst);
      break;
    case 'load':
      regs.add(insn.src);
      break;
    case 'store':
    case 'atomic':
      regs.add(insn.dst);
      regs.add(insn.src);
      break;
    case 'storeImm':
      regs.add(insn.dst);
      break;
    case 'call':
      [1, 2, 3, 4, 5].forEach((i) => regs.add(i));
      break;
    case 'exit':
      regs.add(0);
      break;
    default:
      break;
  }
  const shown = [...regs].map((i) => `r${i}=${hex(m, i)}`).join(' ');
  m.records.trace.push(`${img.name}+${slot} ${img.functionAt(slot)}: ${formatInsn(insn, LLVM19_STYLE)}${shown ? `  ; ${shown}` : ''}`);
}
