import { decodeValue } from '../btf/decode-value.js';
import { globalsFromBtf, type BtfGlobal } from '../btf/globals.js';
import { typeById } from '../btf/resolve.js';
import { LINKAGE_EXTERN, LINKAGE_GLOBAL, LINKAGE_STATIC, type Btf } from '../btf/types.js';
import { SHT, STB, STT, type ElfFile } from '../elf/types.js';
import { compareText } from '../order.js';
import type { BpfGlobal, DataSection } from './types.js';

/** `.rodata`, `.data`, `.bss` and their `.name` variants (libbpf's internal maps). */
export function isDataSectionName(name: string): boolean {
  return /^\.(rodata|data|bss)(\..*)?$/.test(name);
}

export function collectDataSections(elf: ElfFile): DataSection[] {
  return elf.sections
    .filter((s) => s.index !== 0 && isDataSectionName(s.name) && (s.type === SHT.PROGBITS || s.type === SHT.NOBITS))
    .map((s) => ({
      name: s.name,
      index: s.index,
      size: s.size,
      bytes: s.type === SHT.NOBITS ? new Uint8Array(s.size) : s.data,
      readOnly: s.name.startsWith('.rodata'),
    }));
}

/**
 * Global variables: ELF symbols say where (the ground truth for location: clang can
 * place a variable in another section than its DATASEC says, e.g. `.rodata.cst16`),
 * BTF says what (name, type, linkage). Variables known only to BTF (statics clang gave
 * no symbol) keep BTF's offset; variables known only to the ELF have sizes but no type.
 */
export function collectGlobals(elf: ElfFile, btf: Btf | undefined, data: readonly DataSection[]): BpfGlobal[] {
  const byIndex = new Map(data.map((d) => [d.index, d]));
  const fromBtf = btf ? globalsFromBtf(btf) : [];
  const out: BpfGlobal[] = [];
  const seen = new Set<string>();
  for (const sym of elf.symbols) {
    const section = byIndex.get(sym.shndx);
    if (!section || sym.type !== STT.OBJECT || !sym.name) continue;
    const described = fromBtf.find((g) => g.name === sym.name && (g.section === section.name || g.linkage === LINKAGE_STATIC));
    out.push(makeGlobal(elf, btf, sym.name, section, sym.value, sym.size, described, sym.bind === STB.LOCAL ? 'static' : 'global'));
    seen.add(`${section.name}\0${sym.name}`);
  }
  for (const g of fromBtf) {
    const section = data.find((d) => d.name === g.section);
    if (!section || seen.has(`${section.name}\0${g.name}`)) continue;
    if (out.some((o) => o.name === g.name)) continue; // placed elsewhere by clang, found through its symbol
    out.push(makeGlobal(elf, btf, g.name, section, g.offset, g.size, g, undefined));
  }
  return out.sort((a, b) => compareText(a.section, b.section) || a.offset - b.offset || compareText(a.name, b.name));
}

function linkageName(linkage: number): BpfGlobal['linkage'] {
  if (linkage === LINKAGE_GLOBAL) return 'global';
  if (linkage === LINKAGE_STATIC) return 'static';
  if (linkage === LINKAGE_EXTERN) return 'extern';
  return 'unknown';
}

function isConstVolatile(btf: Btf, typeId: number): boolean {
  let sawConst = false;
  let sawVolatile = false;
  let t = typeById(btf, typeId);
  for (let guard = 0; guard < 64; guard++) {
    if (t.kind === 'const') sawConst = true;
    else if (t.kind === 'volatile') sawVolatile = true;
    else if (t.kind !== 'typedef') break;
    t = typeById(btf, t.type);
  }
  return sawConst && sawVolatile;
}

function makeGlobal(
  elf: ElfFile,
  btf: Btf | undefined,
  name: string,
  section: DataSection,
  offset: number,
  size: number,
  described: BtfGlobal | undefined,
  symbolLinkage: BpfGlobal['linkage'] | undefined,
): BpfGlobal {
  const inside = offset + size <= section.size;
  const initial = inside ? section.bytes.slice(offset, offset + size) : new Uint8Array(0);
  const schema = described?.schema;
  const decodable = schema !== undefined && inside && schema.size === size;
  return {
    name,
    section: section.name,
    offset,
    size,
    linkage: described ? linkageName(described.linkage) : symbolLinkage ?? 'unknown',
    constVolatile: described !== undefined && btf !== undefined && isConstVolatile(btf, described.typeId),
    schema,
    initial,
    value: decodable ? decodeValue(schema, initial, elf.header.littleEndian) : undefined,
  };
}
