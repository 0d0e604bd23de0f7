import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import { R_BPF, SHT, type ElfRelocation, type ElfRelocationSection, type ElfSection } from './types.js';

const REL_SIZE = 16;
const KNOWN_TYPES = new Set<number>(Object.values(R_BPF));

/** How many bytes each relocation type patches, and where relative to r_offset. */
function patchedRange(type: number): { at: number; size: number } {
  switch (type) {
    case R_BPF.R64_64:
    case R_BPF.R64_32:
      return { at: 4, size: 4 }; // the imm of an instruction
    case R_BPF.R64_ABS64:
      return { at: 0, size: 8 };
    case R_BPF.R64_ABS32:
    case R_BPF.R64_NODYLD32:
      return { at: 0, size: 4 };
    default:
      return { at: 0, size: 0 };
  }
}

/**
 * Every SHT_REL section, decoded by us (elfy does not read relocations). BPF uses REL
 * only, never RELA: the addend sits in the patched bytes.
 */
export function readRelocationSections(
  sections: readonly ElfSection[],
  symbolCount: number,
  littleEndian: boolean,
): ElfRelocationSection[] {
  const out: ElfRelocationSection[] = [];
  for (const s of sections) {
    if (s.type === SHT.RELA) fail('ELF_BAD_RELOCATION', `${s.name} is a RELA section; BPF objects use REL only`);
    if (s.type !== SHT.REL) continue;
    if (s.entsize !== REL_SIZE) fail('ELF_BAD_RELOCATION', `${s.name}: entry size ${s.entsize}, not ${REL_SIZE}`);
    if (s.size % REL_SIZE !== 0) fail('ELF_BAD_RELOCATION', `${s.name}: size ${s.size} is not a multiple of ${REL_SIZE}`);
    if (s.info === 0 || s.info >= sections.length) fail('ELF_BAD_INDEX', `${s.name}: target section ${s.info} does not exist`);
    if (s.link >= sections.length || sections[s.link].type !== SHT.SYMTAB) {
      fail('ELF_BAD_INDEX', `${s.name}: linked section ${s.link} is not the symbol table`);
    }
    const target = sections[s.info];
    const w = new ByteWindow(s.data, littleEndian, s.name, 'ELF_BAD_RELOCATION');
    const entries: ElfRelocation[] = [];
    for (let at = 0; at < s.size; at += REL_SIZE) {
      const offset = w.u64AsNumber(at, 'r_offset');
      const info = w.u64(at + 8, 'r_info');
      const symbol = Number(info >> 32n);
      const type = Number(info & 0xffffffffn);
      const n = at / REL_SIZE;
      if (!KNOWN_TYPES.has(type)) fail('ELF_BAD_RELOCATION', `${s.name} entry ${n}: unknown BPF relocation type ${type}`);
      if (symbol === 0 && type !== R_BPF.NONE) fail('ELF_BAD_RELOCATION', `${s.name} entry ${n}: relocation against the null symbol`);
      if (symbol >= symbolCount) {
        fail('ELF_BAD_RELOCATION', `${s.name} entry ${n}: symbol ${symbol} does not exist (${symbolCount} symbols)`);
      }
      const { at: patchAt, size } = patchedRange(type);
      if (target.type !== SHT.NOBITS && offset + patchAt + size > target.size) {
        fail('ELF_BAD_RELOCATION', `${s.name} entry ${n}: offset ${offset} is outside ${target.name} (${target.size} bytes)`);
      }
      entries.push({ offset, type, symbol });
    }
    out.push({ index: s.index, name: s.name, target: s.info, entries });
  }
  return out;
}
