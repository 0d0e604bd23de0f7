import { fail } from '../../errors.js';
import type { Insn } from '../../insn/types.js';
import { unreachable } from '../../insn/types.js';
import type { BpfFunction, BpfObject, BpfProgram, InsnReference } from '../../object/types.js';
import { aluCode, atomicAux, condCode, OP } from './ops.js';

/** Where a call or callback lands: a function's first slot in its section. */
export interface FunctionTarget {
  readonly section: string;
  readonly slot: number;
  readonly name: string;
}

/** What an lddw puts in its register, once the run gives maps and data their addresses. */
export type LddwValue =
  | { readonly kind: 'const'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'map'; readonly map: string }
  | { readonly kind: 'global'; readonly section: string; readonly offset: number }
  | { readonly kind: 'callback'; readonly target: FunctionTarget }
  | { readonly kind: 'ksym'; readonly name: string }
  /** A loader-rewritten lddw (map fd, BTF id, ...) that a clang object never holds. */
  | { readonly kind: 'unsupported'; readonly what: string };

/**
 * One code section compiled for the interpreter: per slot, a numeric op and its operands
 * in typed arrays (the second slot of an lddw stays OP.invalid).
 *
 * aux: jump target slot (ja, Jcc, may_goto, local call); movsx source width; swap bits;
 * load/store size | signExtend << 4; atomic op | fetch << 4 | size << 8; ld_abs size.
 */
export interface SectionImage {
  readonly name: string;
  /** Position among the object's sections (runs index per-section data by it). */
  readonly index: number;
  readonly length: number;
  readonly op: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int32Array;
  readonly imm: Int32Array;
  readonly aux: Int32Array;
  readonly insns: readonly (Insn | undefined)[];
  /** Resolved call targets (local and through relocations) by slot. */
  readonly calls: readonly (FunctionTarget | undefined)[];
  readonly kfuncs: readonly (string | undefined)[];
  readonly lddw: readonly (LddwValue | undefined)[];
  /** Function containing each slot, for traces and messages. */
  readonly functionAt: (slot: number) => string;
}

export interface ProgramEntry {
  readonly program: BpfProgram;
  readonly section: string;
  readonly slot: number;
}

export interface CodeImage {
  readonly sections: ReadonlyMap<string, SectionImage>;
  readonly programs: ReadonlyMap<string, ProgramEntry>;
}

/** Compiles every function of the object, grouped by section. */
export function compileObject(obj: BpfObject): CodeImage {
  const bySection = new Map<string, BpfFunction[]>();
  for (const f of [...obj.programs, ...obj.subprograms]) {
    const list = bySection.get(f.section) ?? [];
    list.push(f);
    bySection.set(f.section, list);
  }
  const sections = new Map<string, SectionImage>();
  for (const [name, fns] of bySection) sections.set(name, compileSection(name, sections.size, fns));
  const programs = new Map<string, ProgramEntry>();
  for (const p of obj.programs) programs.set(p.name, { program: p, section: p.section, slot: p.start });
  return { sections, programs };
}

function compileSection(name: string, index: number, fns: readonly BpfFunction[]): SectionImage {
  const length = Math.max(0, ...fns.map((f) => f.end));
  const op = new Uint8Array(length);
  const dst = new Uint8Array(length);
  const src = new Uint8Array(length);
  const off = new Int32Array(length);
  const imm = new Int32Array(length);
  const aux = new Int32Array(length);
  const insns: (Insn | undefined)[] = new Array(length).fill(undefined);
  const calls: (FunctionTarget | undefined)[] = new Array(length).fill(undefined);
  const kfuncs: (string | undefined)[] = new Array(length).fill(undefined);
  const lddw: (LddwValue | undefined)[] = new Array(length).fill(undefined);
  const owners = new Array<string>(length).fill('?');

  for (const fn of fns) {
    const refs = new Map<number, InsnReference>();
    for (const r of fn.references) refs.set(r.slot, r);
    const starts = new Map(fns.map((f) => [f.start, f.name]));
    for (let s = fn.start; s < fn.end; s++) owners[s] = fn.name;
    for (const insn of fn.insns) {
      const s = insn.slot;
      insns[s] = insn;
      dst[s] = insn.dst;
      src[s] = insn.src & 0xf;
      off[s] = insn.off;
      imm[s] = insn.imm;
      const ref = refs.get(s);
      const c = compileInsn(insn, ref, name, starts);
      op[s] = c.op;
      aux[s] = c.aux;
      if (c.call) calls[s] = c.call;
      if (c.kfunc) kfuncs[s] = c.kfunc;
      if (c.lddw) lddw[s] = c.lddw;
    }
  }
  return { name, index, length, op, dst, src, off, imm, aux, insns, calls, kfuncs, lddw, functionAt: (slot) => owners[slot] ?? '?' };
}

interface Compiled {
  op: number;
  aux: number;
  call?: FunctionTarget;
  kfunc?: string;
  lddw?: LddwValue;
}

function compileInsn(insn: Insn, ref: InsnReference | undefined, section: string, starts: ReadonlyMap<number, string>): Compiled {
  switch (insn.kind) {
    case 'alu':
      return { op: aluCode(insn.op, insn.width, insn.source === 'reg'), aux: insn.signExtendFrom ?? 0 };
    case 'swap':
      return { op: insn.swap === 'le' ? OP.le : insn.swap === 'be' ? OP.be : OP.bswap, aux: insn.bits };
    case 'addrSpaceCast':
      return { op: OP.addrSpaceCast, aux: 0 };
    case 'jump':
      if (insn.op === 'ja') return { op: OP.ja, aux: insn.target };
      if (insn.op === 'may_goto') return { op: OP.mayGoto, aux: insn.target };
      return { op: condCode(insn.op, insn.width, insn.source === 'reg'), aux: insn.target };
    case 'call':
      switch (insn.callKind) {
        case 'helper':
          return { op: OP.callHelper, aux: insn.helperId };
        case 'kfunc':
          // Only a loader writes src = 2; a clang object names the kfunc through a relocation.
          if (ref?.kind === 'kfunc') return { op: OP.callKfunc, aux: 0, kfunc: ref.name };
          return { op: OP.callKfunc, aux: 0, kfunc: `btf_id ${insn.btfId}` };
        case 'subprogram':
          if (ref?.kind === 'kfunc') return { op: OP.callKfunc, aux: 0, kfunc: ref.name };
          if (ref?.kind === 'call') {
            return { op: OP.callLocal, aux: 0, call: { section: ref.target.section, slot: ref.target.slot, name: ref.target.name } };
          }
          return { op: OP.callLocal, aux: 0, call: { section, slot: insn.target, name: starts.get(insn.target) ?? `${section}+${insn.target}` } };
        default:
          return unreachable(insn);
      }
    case 'exit':
      return { op: OP.exit, aux: 0 };
    case 'lddw':
      return { op: OP.lddw, aux: 0, lddw: lddwValue(insn.value, insn.pseudo, ref) };
    case 'packetLoad':
      return { op: insn.mode === 'abs' ? OP.ldAbs : OP.ldInd, aux: insn.size };
    case 'load':
      return { op: OP.load, aux: insn.size | (insn.signExtend ? 16 : 0) };
    case 'storeImm':
      return { op: OP.storeImm, aux: insn.size };
    case 'store':
      return { op: OP.store, aux: insn.size };
    case 'atomic':
      return { op: OP.atomic, aux: atomicAux(insn.op, insn.fetch, insn.size) };
    default:
      return unreachable(insn);
  }
}

function lddwValue(value: bigint, pseudo: string, ref: InsnReference | undefined): LddwValue {
  if (ref !== undefined) {
    switch (ref.kind) {
      case 'map':
        return { kind: 'map', map: ref.map };
      case 'global':
        return { kind: 'global', section: ref.section, offset: ref.offset };
      case 'callback':
        return { kind: 'callback', target: { section: ref.target.section, slot: ref.target.slot, name: ref.target.name } };
      case 'ksym':
        return { kind: 'ksym', name: ref.name };
      case 'call':
      case 'kfunc':
        fail('VM_BAD_CALL', `lddw at slot ${ref.slot} carries a ${ref.kind} relocation`);
        break;
      default:
        return unreachable(ref);
    }
  }
  if (pseudo !== 'imm64') return { kind: 'unsupported', what: `lddw with pseudo source ${pseudo} and no relocation` };
  return { kind: 'const', lo: Number(value & 0xffffffffn), hi: Number(value >> 32n) };
}
