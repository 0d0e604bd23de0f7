import { fail } from '../errors.js';
import { SHN, STT, type ElfFile, type ElfRelocation, type ElfSection } from '../elf/types.js';
import type { Insn } from '../insn/types.js';
import type { FunctionSymbol } from './find-functions.js';
import type { BpfGlobal, BpfMap, DataSection, InsnReference } from './types.js';

const INSN_SIZE = 8;

export interface ReferenceContext {
  readonly elf: ElfFile;
  readonly maps: readonly BpfMap[];
  readonly dataSections: readonly DataSection[];
  readonly globals: readonly BpfGlobal[];
  readonly functions: readonly FunctionSymbol[];
}

/**
 * What each relocation in a code section makes its instruction refer to, in libbpf's
 * order (bpf_program__record_reloc): an undefined symbol is a kfunc or ksym; a call
 * reaches a function; an lddw reaches a map, a global, or a function (a callback).
 * Anything else is refused: an instruction must never silently point at nothing.
 */
export function resolveReferences(ctx: ReferenceContext, section: ElfSection, insns: readonly Insn[]): InsnReference[] {
  const rel = ctx.elf.relocations.find((r) => r.target === section.index);
  if (!rel) return [];
  const bySlot = new Map(insns.map((i) => [i.slot, i]));
  return rel.entries.map((e) => resolveOne(ctx, section, bySlot, e));
}

function resolveOne(ctx: ReferenceContext, section: ElfSection, bySlot: Map<number, Insn>, e: ElfRelocation): InsnReference {
  const where = `${section.name}+${e.offset}`;
  if (e.offset % INSN_SIZE !== 0) fail('OBJ_BAD_REFERENCE', `${where}: relocation is not on an instruction boundary`);
  const slot = e.offset / INSN_SIZE;
  const insn = bySlot.get(slot);
  if (!insn) fail('OBJ_BAD_REFERENCE', `${where}: relocation lands inside an instruction`);
  const sym = ctx.elf.symbols[e.symbol];
  const isCall = insn.kind === 'call' && insn.callKind === 'subprogram';
  const isLddw = insn.kind === 'lddw';
  if (!isCall && !isLddw) fail('OBJ_BAD_REFERENCE', `${where}: relocation on a ${insn.kind} instruction, only calls and lddw are relocated`);

  if (sym.shndx === SHN.UNDEF) {
    if (!sym.name) fail('OBJ_BAD_REFERENCE', `${where}: relocation against an unnamed undefined symbol`);
    return isCall ? { kind: 'kfunc', slot, name: sym.name } : { kind: 'ksym', slot, name: sym.name };
  }
  if (sym.shndx >= ctx.elf.sections.length) {
    fail('OBJ_BAD_REFERENCE', `${where}: relocation against '${sym.name}' in special section ${sym.shndx}`);
  }
  const target = ctx.elf.sections[sym.shndx];
  if (isCall) {
    // Target slot in the symbol's section: (st_value + (imm + 1) * 8) / 8, whether the
    // symbol is the function itself (imm = -1) or the section (imm = offset / 8 - 1).
    const targetSlot = (sym.value + (insn.imm + 1) * INSN_SIZE) / INSN_SIZE;
    return { kind: 'call', slot, target: functionAt(ctx, target, targetSlot, where) };
  }
  const addend = (insn.imm | 0) + sym.value;
  const map = ctx.maps.find((m) => m.section === target.name && m.offset === addend);
  if (target.name === '.maps' || target.name === 'maps') {
    if (!map) fail('OBJ_BAD_REFERENCE', `${where}: no map at offset ${addend} of ${target.name}`);
    return { kind: 'map', slot, map: map.name };
  }
  const data = ctx.dataSections.find((d) => d.index === target.index);
  if (data) {
    if (addend < 0 || addend > data.size) fail('OBJ_BAD_REFERENCE', `${where}: offset ${addend} is outside ${data.name} (${data.size} bytes)`);
    const variable = ctx.globals.find((g) => g.section === data.name && addend >= g.offset && addend < g.offset + Math.max(g.size, 1));
    return {
      kind: 'global',
      slot,
      section: data.name,
      offset: addend,
      variable: variable?.name,
      variableOffset: variable ? addend - variable.offset : 0,
    };
  }
  if (ctx.functions.some((f) => f.section.index === target.index)) {
    if (addend % INSN_SIZE !== 0) fail('OBJ_BAD_REFERENCE', `${where}: callback address ${addend} is not an instruction`);
    return { kind: 'callback', slot, target: functionAt(ctx, target, addend / INSN_SIZE, where) };
  }
  const what = sym.type === STT.SECTION ? `section ${target.name}` : `'${sym.name}' in ${target.name}`;
  return fail('OBJ_BAD_REFERENCE', `${where}: lddw refers to ${what}, which holds no map, data or code`);
}

function functionAt(ctx: ReferenceContext, section: ElfSection, slot: number, where: string) {
  const fn = ctx.functions.find((f) => f.section.index === section.index && f.start === slot);
  if (!fn) fail('OBJ_BAD_REFERENCE', `${where}: no function starts at instruction ${slot} of ${section.name}`);
  return { section: section.name, name: fn.name, slot: fn.start };
}
