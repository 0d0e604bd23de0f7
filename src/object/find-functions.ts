import { fail } from '../errors.js';
import { SHF, SHT, STB, STT, type ElfFile, type ElfSection } from '../elf/types.js';

const INSN_SIZE = 8;

/** A function's place: which section, and slots [start, end). */
export interface FunctionSymbol {
  readonly name: string;
  readonly section: ElfSection;
  readonly start: number;
  readonly end: number;
  readonly linkage: 'global' | 'static' | 'weak';
  /** Entry points live outside `.text` (libbpf's rule); `.text` holds subprograms. */
  readonly isProgram: boolean;
}

export function isCodeSection(s: ElfSection): boolean {
  return s.type === SHT.PROGBITS && (s.flags & SHF.EXECINSTR) !== 0;
}

function linkageOf(bind: number): FunctionSymbol['linkage'] {
  if (bind === STB.GLOBAL) return 'global';
  if (bind === STB.WEAK) return 'weak';
  return 'static';
}

/**
 * Functions from FUNC symbols in executable sections. A program section with code but
 * no FUNC symbol (hand-written or very old objects) is one program named after the
 * section, as iproute2 would load it.
 */
export function findFunctions(elf: ElfFile): FunctionSymbol[] {
  const out: FunctionSymbol[] = [];
  for (const sym of elf.symbols) {
    if (sym.type !== STT.FUNC || sym.shndx === 0 || sym.shndx >= elf.sections.length) continue;
    const section = elf.sections[sym.shndx];
    if (!isCodeSection(section)) {
      fail('OBJ_BAD_PROGRAM', `function '${sym.name}' is in section ${section.name}, which holds no code`);
    }
    if (sym.size === 0) fail('OBJ_BAD_PROGRAM', `function '${sym.name}' in ${section.name} is empty`);
    if (sym.value % INSN_SIZE !== 0 || sym.size % INSN_SIZE !== 0) {
      fail('OBJ_BAD_PROGRAM', `function '${sym.name}' in ${section.name} is not on instruction boundaries (offset ${sym.value}, size ${sym.size})`);
    }
    if (sym.value + sym.size > section.size) {
      fail('OBJ_BAD_PROGRAM', `function '${sym.name}' (offset ${sym.value}, size ${sym.size}) runs past the end of ${section.name} (${section.size} bytes)`);
    }
    out.push({
      name: sym.name,
      section,
      start: sym.value / INSN_SIZE,
      end: (sym.value + sym.size) / INSN_SIZE,
      linkage: linkageOf(sym.bind),
      isProgram: section.name !== '.text',
    });
  }
  for (const section of elf.sections) {
    if (!isCodeSection(section) || section.name === '.text' || section.size === 0) continue;
    if (out.some((f) => f.section.index === section.index)) continue;
    if (section.size % INSN_SIZE !== 0) fail('OBJ_BAD_PROGRAM', `section ${section.name} is not a whole number of instructions`);
    out.push({ name: section.name, section, start: 0, end: section.size / INSN_SIZE, linkage: 'global', isProgram: true });
  }
  checkOverlaps(out);
  return out.sort((a, b) => a.section.index - b.section.index || a.start - b.start);
}

function checkOverlaps(fns: readonly FunctionSymbol[]): void {
  const bySection = new Map<number, FunctionSymbol[]>();
  for (const f of fns) bySection.set(f.section.index, [...(bySection.get(f.section.index) ?? []), f]);
  for (const list of bySection.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].start < sorted[i - 1].end) {
        fail('OBJ_BAD_PROGRAM', `functions '${sorted[i - 1].name}' and '${sorted[i].name}' overlap in ${sorted[i].section.name}`);
      }
    }
  }
}
