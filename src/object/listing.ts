import { LLVM14_STYLE } from '../insn/disasm.js';
import { listSection } from '../insn/listing.js';
import type { BpfFunction, BpfObject } from './types.js';

/**
 * The whole object disassembled, section by section in the layout of `llvm-objdump -d`,
 * with each BTF source line printed once above the first instruction it covers.
 */
export function objectListing(obj: BpfObject): string {
  const functions: BpfFunction[] = [...obj.programs, ...obj.subprograms];
  const out: string[] = [];
  for (const code of obj.code) {
    const fns = functions.filter((f) => f.sectionIndex === code.index).sort((a, b) => a.start - b.start);
    const insns = fns.flatMap((f) => f.insns);
    const lines = new Map(fns.flatMap((f) => f.lines).map((l) => [l.slot, l]));
    let lastFile = '';
    const sourceLines = (slot: number): string[] | undefined => {
      const l = lines.get(slot);
      // clang writes line 0 for instructions it made up (constant loads): nothing to show.
      if (!l || l.line === 0) return undefined;
      const file = l.file === lastFile ? '' : `${l.file}:`;
      lastFile = l.file;
      return [`${file}${l.line}: ${l.text.trim()}`];
    };
    out.push(
      '',
      ...listSection(code.name, code.bytes, insns, {
        style: LLVM14_STYLE,
        labels: fns.map((f) => ({ slot: f.start, name: f.name })),
        sourceLines,
      }),
    );
  }
  return `${out.join('\n')}\n`;
}
