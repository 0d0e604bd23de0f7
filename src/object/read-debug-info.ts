import { checkTypeCycles } from '../btf/check-cycles.js';
import { parseBtfExt, type BtfExt } from '../btf/ext.js';
import { withDatasecFixups, type DatasecSizeFixup, type DatasecVarFixup } from '../btf/fixups.js';
import { parseBtf } from '../btf/parse.js';
import { typeById } from '../btf/resolve.js';
import { LINKAGE_GLOBAL, type Btf } from '../btf/types.js';
import { sectionByName } from '../elf/read-elf.js';
import { STT, type ElfFile } from '../elf/types.js';

export interface DebugInfo {
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
}

/**
 * `.BTF` and `.BTF.ext`, with DATASEC sizes and global variable offsets filled in from
 * the ELF the way libbpf does (clang leaves both 0): the size is the section's, a global
 * VAR's offset is its symbol's value. Static VARs keep the offset clang wrote.
 */
export function readDebugInfo(elf: ElfFile): DebugInfo {
  const btfSection = sectionByName(elf, '.BTF');
  if (!btfSection) return { btf: undefined, btfExt: undefined };
  const raw = parseBtf(btfSection.data);
  checkTypeCycles(raw);
  const btf = fixDatasecs(raw, elf);
  const extSection = sectionByName(elf, '.BTF.ext');
  const btfExt = extSection ? parseBtfExt(extSection.data, btf) : undefined;
  return { btf, btfExt };
}

function fixDatasecs(btf: Btf, elf: ElfFile): Btf {
  const sizes: DatasecSizeFixup[] = [];
  const vars: DatasecVarFixup[] = [];
  for (const t of btf.types) {
    if (t.kind !== 'datasec') continue;
    const section = sectionByName(elf, t.name);
    if (!section) continue; // e.g. .kconfig externs: nothing in the ELF to take values from
    if (t.size !== section.size) sizes.push({ datasecId: t.id, size: section.size });
    t.vars.forEach((v, index) => {
      const vt = typeById(btf, v.type);
      if (vt.kind !== 'var' || vt.linkage !== LINKAGE_GLOBAL) return;
      const sym = elf.symbols.find((s) => s.name === vt.name && s.shndx === section.index && s.type === STT.OBJECT);
      if (sym && sym.value !== v.offset) vars.push({ datasecId: t.id, index, offset: sym.value });
    });
  }
  return sizes.length || vars.length ? withDatasecFixups(btf, vars, sizes) : btf;
}
