import { ByteWindow } from '../bytes.js';
import { btfMapDefinitions, type BtfMapDefinition } from '../btf/maps.js';
import type { Btf } from '../btf/types.js';
import { fail } from '../errors.js';
import { sectionByName } from '../elf/read-elf.js';
import { STT, type ElfFile, type ElfSection, type ElfSymbol } from '../elf/types.js';
import type { BpfMap } from './types.js';

const BPF_MAP_DEF_SIZE = 20;
const BPF_ELF_MAP_SIZE = 28;
const BPF_ELF_MAP_INNER_SIZE = 36;

/** Every map of the object: BTF-defined (`.maps`) and legacy (`maps`), in section order. */
export function collectMaps(elf: ElfFile, btf: Btf | undefined): BpfMap[] {
  const out: BpfMap[] = [];
  const dotMaps = sectionByName(elf, '.maps');
  if (dotMaps) out.push(...(btf ? btfMaps(elf, dotMaps, btf) : sizeOnlyMaps(elf, dotMaps)));
  const legacy = sectionByName(elf, 'maps');
  if (legacy) out.push(...legacyMaps(elf, legacy));
  checkUniqueNames(out);
  return out;
}

function objectSymbolsIn(elf: ElfFile, section: ElfSection): ElfSymbol[] {
  return elf.symbols.filter((s) => s.shndx === section.index && s.type === STT.OBJECT).sort((a, b) => a.value - b.value);
}

function btfMaps(elf: ElfFile, section: ElfSection, btf: Btf): BpfMap[] {
  const symbols = objectSymbolsIn(elf, section);
  return btfMapDefinitions(btf).map((def) => {
    const sym = symbols.find((s) => s.name === def.declaration.name);
    if (!sym) fail('OBJ_BAD_MAP', `map '${def.declaration.name}' is in BTF but has no symbol in .maps`);
    if (sym.value + sym.size > section.size) {
      fail('OBJ_BAD_MAP', `map '${sym.name}' (offset ${sym.value}, size ${sym.size}) runs past the end of .maps`);
    }
    return {
      ...def.declaration,
      section: section.name,
      offset: sym.value,
      definitionSize: sym.size || def.size,
      form: 'btf' as const,
      schemaSource: def.declaration.key || def.declaration.value ? 'btf' : 'none',
      initialSlots: initialSlots(elf, section, sym, def),
    };
  });
}

/** Without BTF a `.maps` entry is bytes of zero: all that is known is its name and size. */
function sizeOnlyMaps(elf: ElfFile, section: ElfSection): BpfMap[] {
  return objectSymbolsIn(elf, section).map((sym) => ({
    name: sym.name,
    type: 0,
    keySize: 0,
    valueSize: 0,
    maxEntries: 0,
    flags: 0,
    pinning: 0,
    numaNode: 0,
    mapExtra: 0n,
    hasValues: false,
    section: section.name,
    offset: sym.value,
    definitionSize: sym.size,
    form: 'unknown' as const,
    schemaSource: 'none' as const,
    initialSlots: [],
  }));
}

/**
 * Legacy definitions: five u32 fields every layout shares, then whatever the layout
 * adds. The two known layouts are told apart by the definition's size, as cilium/ebpf
 * and iproute2 do; the definition's size comes from its symbol, or, for symbols without
 * one, from the section size shared evenly (what old libbpf did).
 */
function legacyMaps(elf: ElfFile, section: ElfSection): BpfMap[] {
  const symbols = objectSymbolsIn(elf, section).filter((s) => s.name !== '');
  if (symbols.length === 0 && section.size > 0) fail('OBJ_BAD_MAP', 'legacy maps section has no map symbols');
  const w = new ByteWindow(section.data, elf.header.littleEndian, 'maps section', 'OBJ_BAD_MAP');
  const evenSize = symbols.length ? Math.floor(section.size / symbols.length) : 0;
  return symbols.map((sym) => {
    const size = sym.size || evenSize;
    if (size < BPF_MAP_DEF_SIZE) fail('OBJ_BAD_MAP', `legacy map '${sym.name}' definition is ${size} bytes, less than the ${BPF_MAP_DEF_SIZE} every layout has`);
    if (sym.value + size > section.size) fail('OBJ_BAD_MAP', `legacy map '${sym.name}' runs past the end of the maps section`);
    const field = (i: number, name: string): number => w.u32(sym.value + i * 4, `${sym.name}.${name}`);
    const isElfMap = size === BPF_ELF_MAP_SIZE || size === BPF_ELF_MAP_INNER_SIZE;
    const form = size === BPF_MAP_DEF_SIZE ? ('bpf_map_def' as const) : isElfMap ? ('bpf_elf_map' as const) : ('legacy_other' as const);
    return {
      name: sym.name,
      type: field(0, 'type'),
      keySize: field(1, 'key_size'),
      valueSize: field(2, 'value_size'),
      maxEntries: field(3, 'max_entries'),
      flags: field(4, 'map_flags'),
      pinning: isElfMap ? field(6, 'pinning') : 0,
      numaNode: 0,
      mapExtra: 0n,
      hasValues: false,
      section: section.name,
      offset: sym.value,
      definitionSize: size,
      form,
      schemaSource: 'none' as const,
      initialSlots: [],
      ...(isElfMap && {
        elfMapExtra: {
          id: field(5, 'id'),
          innerId: size === BPF_ELF_MAP_INNER_SIZE ? field(7, 'inner_id') : 0,
          innerIdx: size === BPF_ELF_MAP_INNER_SIZE ? field(8, 'inner_idx') : 0,
        },
      }),
    };
  });
}

/**
 * `.rel.maps` fills the `values` slots of map-in-map and prog_array definitions: each
 * relocation inside a definition's `values` names an inner map or a program.
 */
function initialSlots(elf: ElfFile, section: ElfSection, sym: ElfSymbol, def: BtfMapDefinition): BpfMap['initialSlots'] {
  const rel = elf.relocations.find((r) => r.target === section.index);
  if (!rel) return [];
  const inside = rel.entries.filter((e) => e.offset >= sym.value && e.offset < sym.value + Math.max(sym.size, 1));
  if (inside.length === 0) return [];
  if (def.valuesOffset === undefined) fail('OBJ_BAD_MAP', `map '${sym.name}' has initial values but no 'values' member`);
  const valuesAt = sym.value + def.valuesOffset;
  return inside
    .map((e) => {
      const rel8 = e.offset - valuesAt;
      if (rel8 < 0 || rel8 % 8 !== 0) fail('OBJ_BAD_MAP', `map '${sym.name}': relocation at ${e.offset} is not a 'values' slot`);
      const target = elf.symbols[e.symbol];
      const targetKind = target.type === STT.FUNC ? ('program' as const) : target.shndx === section.index ? ('map' as const) : undefined;
      if (!targetKind || !target.name) fail('OBJ_BAD_MAP', `map '${sym.name}': slot ${rel8 / 8} names '${target.name}', neither a map nor a program`);
      return { index: rel8 / 8, target: target.name, targetKind };
    })
    .sort((a, b) => a.index - b.index);
}

function checkUniqueNames(maps: readonly BpfMap[]): void {
  const seen = new Set<string>();
  for (const m of maps) {
    if (seen.has(m.name)) fail('OBJ_BAD_MAP', `two maps are named '${m.name}'`);
    seen.add(m.name);
  }
}
