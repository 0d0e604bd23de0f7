/**
 * Compares our decoding and listing of an object with llvm-objdump's, section by section.
 * Shared by the probe/corpus test and the every-opcode test.
 *
 * Normalisation: none on lines we claim to print as the tool does; they must be equal
 * byte for byte (objdump's trailing blank lines after a section are dropped). Lines of
 * instructions that the tool cannot show (see `toolCannotShow`) must instead differ from
 * ours: the tool prints `<unknown>` or misreads them; we are counting them, not hiding them.
 */
import { expect } from 'vitest';
import { decodeInstructions } from '../../src/insn/decode.js';
import type { DisasmStyle } from '../../src/insn/disasm.js';
import { listSection } from '../../src/insn/listing.js';
import type { Insn } from '../../src/insn/types.js';
import {
  OBJDUMP14, OBJDUMP19, dumpSection, isLittleEndianElf, parseObjdump, rawFields, readRelocations, run,
} from './peer.js';

export interface PeerTool {
  readonly name: string;
  readonly tool: string;
  readonly args: readonly string[];
  readonly style: DisasmStyle;
}

export const PEER_TOOLS: readonly PeerTool[] = [
  { name: 'objdump-19', tool: OBJDUMP19, args: ['-d', '-r'], style: { numbers: 'hex', alu32: false } },
  { name: 'objdump-19 +alu32', tool: OBJDUMP19, args: ['-d', '-r', '--mattr=+alu32'], style: { numbers: 'hex', alu32: true } },
  { name: 'objdump-14', tool: OBJDUMP14, args: ['-d', '-r'], style: { numbers: 'decimal', alu32: false } },
  { name: 'objdump-14 +alu32', tool: OBJDUMP14, args: ['-d', '-r', '--mattr=+alu32'], style: { numbers: 'decimal', alu32: true } },
];

/**
 * Instructions a tool does not print as what they are.
 * - Both LLVMs: load-acquire/store-release (LLVM 20 and later); without +alu32, 32-bit
 *   atomics other than a plain add (`<unknown>`, or a W add with FETCH shown without it).
 * - LLVM 14 also: everything of cpu v4 (sdiv/smod shown as div/`<unknown>`, movsx as mov,
 *   MEMSX, bswap, gotol), may_goto, addr_space_cast, BPF_ST stores, JSET and MOD.
 */
export function toolCannotShow(insn: Insn, tool: PeerTool): boolean {
  if (insn.kind === 'atomic') {
    if (insn.op === 'load_acquire' || insn.op === 'store_release') return true;
    if (insn.size === 4 && !tool.style.alu32 && !(insn.op === 'add' && !insn.fetch)) return true;
  }
  if (tool.tool !== OBJDUMP14) return false;
  switch (insn.kind) {
    case 'alu':
      return insn.op === 'sdiv' || insn.op === 'smod' || insn.op === 'mod' || insn.op === 'movsx';
    case 'swap':
      return insn.swap === 'bswap';
    case 'addrSpaceCast':
    case 'storeImm':
      return true;
    case 'jump':
      return insn.op === 'jset' || insn.op === 'may_goto' || (insn.op === 'ja' && insn.cls === 'jmp32');
    case 'load':
      return insn.signExtend;
    default:
      return false;
  }
}

export interface CompareStats {
  sections: number;
  instructions: number;
  /** Instruction lines compared for equality, per tool name. */
  equal: Map<string, number>;
  /** Instruction lines the tool cannot show (asserted to differ), per tool name. */
  unshown: Map<string, number>;
}

export function newStats(): CompareStats {
  return { sections: 0, instructions: 0, equal: new Map(), unshown: new Map() };
}

const INSN_LINE = /^ *(\d+):\t/;

/** Runs every peer tool on `file` and checks decoding, fields and listings against it. */
export function compareObject(file: string, tools: readonly PeerTool[], stats: CompareStats): void {
  const littleEndian = isLittleEndianElf(file);
  const relocations = readRelocations(file);
  const reference = parseObjdump(run(tools[0].tool, [...tools[0].args, file]));
  const decoded = new Map<string, { bytes: Uint8Array; insns: readonly Insn[] }>();
  for (const section of reference) {
    const bytes = dumpSection(file, section.name);
    const insns = decodeInstructions(bytes, littleEndian, { section: section.name });
    decoded.set(section.name, { bytes, insns });
    stats.sections += 1;
    stats.instructions += insns.length;
    // Same instructions at the same slots with the same bytes, and fields as the bytes say.
    expect(insns.map((i) => i.slot), `${file} ${section.name}: instruction slots`).toEqual(section.insns.map((i) => i.slot));
    insns.forEach((insn, k) => {
      const peer = section.insns[k];
      expect(Array.from(bytes.subarray(insn.slot * 8, (insn.slot + insn.slots) * 8))).toEqual(Array.from(peer.bytes));
      const f = rawFields(peer.bytes, littleEndian);
      const ours = { code: insn.opcode, dst: insn.dst, src: insn.src, off: insn.off, imm: insn.imm, ...(insn.kind === 'lddw' ? { imm2: insn.imm2 } : {}) };
      expect(ours, `${file} ${section.name} slot ${insn.slot}`).toEqual(f);
    });
  }
  for (const tool of tools) {
    const sections = parseObjdump(run(tool.tool, [...tool.args, file]));
    expect(sections.map((s) => s.name), `${tool.name}: sections of ${file}`).toEqual(reference.map((s) => s.name));
    for (const section of sections) {
      const { bytes, insns } = decoded.get(section.name)!;
      const bySlot = new Map(insns.map((i) => [i.slot, i]));
      const ours = listSection(section.name, bytes, insns, {
        style: tool.style,
        labels: section.labels,
        relocations: relocations.get(section.name) ?? [],
      });
      expect(ours.length, `${tool.name} ${file} ${section.name}: line count`).toBe(section.lines.length);
      ours.forEach((line, k) => {
        const theirs = section.lines[k];
        const slot = INSN_LINE.exec(line);
        const insn = slot ? bySlot.get(Number(slot[1])) : undefined;
        const where = `${tool.name} ${file} ${section.name} line ${k}`;
        if (insn !== undefined && toolCannotShow(insn, tool)) {
          expect(theirs, `${where}: the tool is expected not to show this instruction as we do`).not.toBe(line);
          expect(theirs.split('\t').slice(0, 2), where).toEqual(line.split('\t').slice(0, 2));
          stats.unshown.set(tool.name, (stats.unshown.get(tool.name) ?? 0) + 1);
        } else {
          expect(line, where).toBe(theirs);
          if (insn !== undefined) stats.equal.set(tool.name, (stats.equal.get(tool.name) ?? 0) + 1);
        }
      });
    }
  }
}

export function formatStats(title: string, objects: number, stats: CompareStats): string {
  const per = [...stats.equal.keys()].map((t) => `${t}: ${stats.equal.get(t)} equal, ${stats.unshown.get(t) ?? 0} not shown by the tool`);
  return `${title}: ${objects} objects, ${stats.sections} sections, ${stats.instructions} instructions; ${per.join('; ')}`;
}
