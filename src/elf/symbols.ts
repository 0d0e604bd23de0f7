import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import { SHN, SHT, type ElfSection, type ElfSymbol } from './types.js';

const SYM_SIZE = 24;

/** The symbol table (.symtab) with names resolved; [] when the object has none. */
export function readSymbols(sections: readonly ElfSection[], littleEndian: boolean): ElfSymbol[] {
  const tables = sections.filter((s) => s.type === SHT.SYMTAB);
  if (tables.length === 0) return [];
  if (tables.length > 1) fail('ELF_BAD_SYMBOL', `${tables.length} symbol tables; an object has one`);
  const symtab = tables[0];
  if (symtab.entsize !== SYM_SIZE) fail('ELF_BAD_SYMBOL', `symbol table entry size is ${symtab.entsize}, not ${SYM_SIZE}`);
  if (symtab.size % SYM_SIZE !== 0) fail('ELF_BAD_SYMBOL', `symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  if (symtab.link === 0 || symtab.link >= sections.length || sections[symtab.link].type !== SHT.STRTAB) {
    fail('ELF_BAD_INDEX', `symbol table string table index ${symtab.link} is not a string table`);
  }
  const strtab = sections[symtab.link];
  const names = new ByteWindow(strtab.data, littleEndian, `string table ${strtab.name}`, 'ELF_BAD_STRING');
  const table = new ByteWindow(symtab.data, littleEndian, 'symbol table', 'ELF_BAD_SYMBOL');
  const count = symtab.size / SYM_SIZE;
  const out: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * SYM_SIZE;
    const nameOff = table.u32(at);
    if (nameOff >= strtab.size && !(nameOff === 0 && strtab.size === 0)) {
      fail('ELF_BAD_STRING', `symbol ${i} name offset ${nameOff} is outside the ${strtab.size}-byte string table`);
    }
    const info = table.u8(at + 4);
    const shndx = table.u16(at + 6);
    if (shndx === SHN.XINDEX) fail('ELF_BAD_SYMBOL', `symbol ${i} uses extended section indexes, which BPF objects never need`);
    if (shndx !== SHN.UNDEF && shndx < SHN.LORESERVE && shndx >= sections.length) {
      fail('ELF_BAD_INDEX', `symbol ${i} is in section ${shndx}, but there are ${sections.length} sections`);
    }
    out.push({
      index: i,
      name: strtab.size === 0 ? '' : names.cstring(nameOff, `name of symbol ${i}`),
      value: table.u64AsNumber(at + 8, 'st_value'),
      size: table.u64AsNumber(at + 16, 'st_size'),
      type: info & 0xf,
      bind: info >> 4,
      visibility: table.u8(at + 5) & 3,
      shndx,
    });
  }
  return out;
}
