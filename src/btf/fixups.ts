import { fail } from '../errors.js';
import type { Btf, BtfDatasec, BtfType } from './types.js';

/**
 * Clang leaves DATASEC sizes at 0 and the offsets of global variables at 0; the real
 * values come from the ELF (`.rel.BTF` relocations, or symbol values and section sizes),
 * which this module cannot see. The object loader works them out and hands them back
 * here; the parsed BTF itself is never changed, a new one is returned.
 */
export interface DatasecVarFixup {
  readonly datasecId: number;
  /** Index into the DATASEC's `vars`. */
  readonly index: number;
  readonly offset: number;
}

export interface DatasecSizeFixup {
  readonly datasecId: number;
  readonly size: number;
}

/** Where a `.rel.BTF` relocation lands: the secinfo whose offset field is at `pos`. */
export interface SecinfoLocation {
  readonly datasecId: number;
  readonly index: number;
}

/** The secinfo whose 32-bit offset field starts at byte `pos` of `.BTF`, if any. */
export function secinfoAtFieldPos(btf: Btf, pos: number): SecinfoLocation | undefined {
  for (const t of btf.types) {
    if (t.kind !== 'datasec') continue;
    const index = t.vars.findIndex((v) => v.offsetFieldPos === pos);
    if (index >= 0) return { datasecId: t.id, index };
  }
  return undefined;
}

/** A copy of `btf` with the given DATASEC var offsets and sizes in effect (raw ones kept). */
export function withDatasecFixups(
  btf: Btf,
  vars: readonly DatasecVarFixup[],
  sizes: readonly DatasecSizeFixup[] = [],
): Btf {
  const types: BtfType[] = btf.types.slice();
  const datasec = (id: number): BtfDatasec => {
    const t = types[id];
    if (t === undefined || t.kind !== 'datasec') fail('BTF_BAD_TYPE', `fixup for type ${id}, which is not a DATASEC`);
    return t;
  };
  for (const f of sizes) {
    checkU32(f.size, 'DATASEC size');
    types[f.datasecId] = { ...datasec(f.datasecId), size: f.size };
  }
  for (const f of vars) {
    checkU32(f.offset, 'DATASEC var offset');
    const t = datasec(f.datasecId);
    if (!Number.isInteger(f.index) || f.index < 0 || f.index >= t.vars.length) {
      fail('BTF_BAD_TYPE', `fixup for var ${f.index} of DATASEC '${t.name}', which has ${t.vars.length}`);
    }
    const newVars = t.vars.slice();
    newVars[f.index] = { ...newVars[f.index], offset: f.offset };
    types[f.datasecId] = { ...t, vars: newVars };
  }
  return { ...btf, types };
}

function checkU32(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail('BTF_RANGE', `${what} ${v} is not a u32`);
}
