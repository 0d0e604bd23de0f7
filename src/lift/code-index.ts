import type { Insn } from '../insn/types.js';
import type { BpfFunction, BpfObject, BpfProgram, InsnReference } from '../object/types.js';

/**
 * The code of an object laid out for execution: per section, every instruction by slot,
 * the relocation-derived reference at a slot, and the function each slot belongs to.
 */
export interface CodeIndex {
  readonly insn: (section: string, slot: number) => Insn | undefined;
  readonly reference: (section: string, slot: number) => InsnReference | undefined;
  readonly functionAt: (section: string, slot: number) => BpfFunction | undefined;
  readonly program: (name: string) => BpfProgram | undefined;
}

export function indexCode(obj: BpfObject): CodeIndex {
  const functions: BpfFunction[] = [...obj.programs, ...obj.subprograms];
  const insns = new Map<string, Map<number, Insn>>();
  const refs = new Map<string, Map<number, InsnReference>>();
  const owner = new Map<string, Map<number, BpfFunction>>();
  for (const f of functions) {
    const i = insns.get(f.section) ?? new Map<number, Insn>();
    const r = refs.get(f.section) ?? new Map<number, InsnReference>();
    const o = owner.get(f.section) ?? new Map<number, BpfFunction>();
    for (const insn of f.insns) {
      i.set(insn.slot, insn);
      o.set(insn.slot, f);
    }
    for (const ref of f.references) r.set(ref.slot, ref);
    insns.set(f.section, i);
    refs.set(f.section, r);
    owner.set(f.section, o);
  }
  const programs = new Map(obj.programs.map((p) => [p.name, p]));
  return {
    insn: (section, slot) => insns.get(section)?.get(slot),
    reference: (section, slot) => refs.get(section)?.get(slot),
    functionAt: (section, slot) => owner.get(section)?.get(slot),
    program: (name) => programs.get(name),
  };
}
