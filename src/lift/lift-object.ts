import type { MapDeclaration } from '../object/map-declaration.js';
import type { BpfObject, BpfProgram } from '../object/types.js';
import { DEFAULT_LIMITS, liftProgram, type LiftLimits } from './execute.js';
import type { HelperEnv } from './helpers.js';
import type { ProgramPaths } from './types.js';

export interface LiftOptions {
  /** `.rodata` global overrides by name (profile `constants`, `--const`), as raw bytes. */
  readonly constants?: ReadonlyMap<string, Uint8Array>;
  readonly limits?: LiftLimits;
}

/** Section bytes of every `.rodata*` section with the overrides written in. */
export function rodataWithOverrides(obj: BpfObject, constants: ReadonlyMap<string, Uint8Array> = new Map()): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const d of obj.dataSections) if (d.readOnly) out.set(d.name, d.bytes.slice());
  for (const [name, bytes] of constants) {
    const g = obj.globals.find((x) => x.name === name && x.section.startsWith('.rodata'));
    const sec = g && out.get(g.section);
    if (!g || !sec) continue;
    sec.set(bytes.subarray(0, g.size), g.offset);
  }
  return out;
}

export function helperEnv(obj: BpfObject, program: BpfProgram, constants?: ReadonlyMap<string, Uint8Array>): HelperEnv {
  const isXdp = program.kind.type === 'xdp';
  return {
    obj,
    context: isXdp ? 'xdp' : 'skb',
    rodata: rodataWithOverrides(obj, constants),
    isXdp,
    maps: new Map<string, MapDeclaration>(obj.maps.map((m) => [m.name, m])),
  };
}

/** Lifts one program of an object to its path summaries. */
export function liftObjectProgram(obj: BpfObject, program: BpfProgram, options: LiftOptions = {}): ProgramPaths {
  return liftProgram(obj, program, helperEnv(obj, program, options.constants), options.limits ?? DEFAULT_LIMITS);
}
