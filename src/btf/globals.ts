import type { TypeSchema } from '../object/schema.js';
import { typeById } from './resolve.js';
import { schemaOf } from './schema.js';
import type { Btf } from './types.js';

export { decodeValue, type JsonValue } from './decode-value.js';

/**
 * Global variables as BTF describes them: the VARs of every DATASEC except the two that
 * hold map definitions (`.maps`, and the legacy `maps`). That covers `.rodata`, `.data`,
 * `.bss`, their `.name` variants, `license`, and the extern sections `.kconfig`/`.ksyms`
 * (FUNC entries of `.ksyms`, which are kfuncs, not variables, are left out).
 *
 * Offsets of global (non-static) variables are 0 in clang's raw output; apply the ELF's
 * values with `withDatasecFixups` first, or take locations from ELF symbols.
 */
export interface BtfGlobal {
  /** The DATASEC name, which is the ELF section name. */
  readonly section: string;
  readonly datasecId: number;
  readonly name: string;
  readonly varId: number;
  /** The VAR's declared type (const volatile and typedefs still on it). */
  readonly typeId: number;
  readonly schema: TypeSchema;
  /** LINKAGE_STATIC, LINKAGE_GLOBAL or LINKAGE_EXTERN. */
  readonly linkage: number;
  readonly offset: number;
  readonly rawOffset: number;
  readonly size: number;
}

const MAP_SECTIONS: ReadonlySet<string> = new Set(['.maps', 'maps']);

export function globalsFromBtf(btf: Btf): BtfGlobal[] {
  const out: BtfGlobal[] = [];
  for (const sec of btf.types) {
    if (sec.kind !== 'datasec' || MAP_SECTIONS.has(sec.name)) continue;
    for (const v of sec.vars) {
      const vt = typeById(btf, v.type);
      if (vt.kind !== 'var') continue;
      out.push({
        section: sec.name,
        datasecId: sec.id,
        name: vt.name,
        varId: vt.id,
        typeId: vt.type,
        schema: schemaOf(btf, vt.type),
        linkage: vt.linkage,
        offset: v.offset,
        rawOffset: v.rawOffset,
        size: v.size,
      });
    }
  }
  return out;
}
