import type { BtfExt } from '../btf/ext.js';
import { fail } from '../errors.js';
import { buildSectionCfg, type CallResolution, type FunctionCfg, type FunctionRef } from '../insn/cfg.js';
import { decodeInstructions } from '../insn/decode.js';
import type { Insn } from '../insn/types.js';
import { findFunctions, type FunctionSymbol } from './find-functions.js';
import { programKindOf } from './program-types.js';
import { resolveReferences, type ReferenceContext } from './resolve-references.js';
import type { BpfFunction, BpfProgram, InsnReference, SourceLine } from './types.js';

const INSN_SIZE = 8;

export interface Code {
  readonly programs: BpfProgram[];
  readonly subprograms: BpfFunction[];
  readonly sourceFiles: string[];
}

interface SectionCode {
  readonly insns: readonly Insn[];
  readonly references: readonly InsnReference[];
  readonly cfgs: readonly FunctionCfg[];
}

/**
 * Programs and subprograms: every code section decoded once, its relocations resolved,
 * its functions cut out with their source lines and control-flow graphs, and each
 * program's transitive callees listed.
 */
export function collectCode(ctx: Omit<ReferenceContext, 'functions'>, btfExt: BtfExt | undefined): Code {
  const functions = findFunctions(ctx.elf);
  const full: ReferenceContext = { ...ctx, functions };
  const bySection = new Map<number, SectionCode>();
  for (const index of new Set(functions.map((f) => f.section.index))) {
    const section = ctx.elf.sections[index];
    const insns = decodeInstructions(section.data, ctx.elf.header.littleEndian, { section: section.name });
    const references = resolveReferences(full, section, insns);
    const bounds = functions.filter((f) => f.section.index === index).map((f) => ({ name: f.name, start: f.start, end: f.end }));
    checkBoundaries(section.name, insns, bounds);
    const resolve = (slot: number): CallResolution | undefined => {
      const ref = references.find((r) => r.slot === slot);
      if (ref?.kind === 'call') return { kind: 'subprogram', section: ref.target.section, name: ref.target.name, slot: ref.target.slot };
      if (ref?.kind === 'kfunc') return { kind: 'kfunc', name: ref.name };
      return undefined;
    };
    const cfgs = buildSectionCfg(section.name, insns, bounds, resolve).functions;
    bySection.set(index, { insns, references, cfgs });
  }
  const lines = linesBySection(btfExt, ctx, bySection);
  const built = functions.map((f) => buildFunction(f, bySection.get(f.section.index)!, lines.get(f.section.name) ?? [], btfExt));
  const subprograms = built.filter((_, i) => !functions[i].isProgram);
  const programs = built
    .map((fn, i) => ({ fn, sym: functions[i] }))
    .filter(({ sym }) => sym.isProgram)
    .map(({ fn, sym }) => toProgram(fn, sym, built));
  const sourceFiles = [...new Set([...lines.values()].flat().map((l) => l.file))];
  return { programs, subprograms, sourceFiles };
}

/** Function edges must fall on instruction starts: never inside an lddw. */
function checkBoundaries(section: string, insns: readonly Insn[], bounds: readonly { name: string; start: number; end: number }[]): void {
  const starts = new Set(insns.map((i) => i.slot));
  const total = insns.length ? insns[insns.length - 1].slot + insns[insns.length - 1].slots : 0;
  for (const b of bounds) {
    if (!starts.has(b.start) || (b.end !== total && !starts.has(b.end))) {
      fail('OBJ_BAD_PROGRAM', `function '${b.name}' in ${section} does not start or end on an instruction`);
    }
  }
}

function linesBySection(btfExt: BtfExt | undefined, ctx: Omit<ReferenceContext, 'functions'>, code: Map<number, SectionCode>): Map<string, SourceLine[]> {
  const out = new Map<string, SourceLine[]>();
  for (const sec of btfExt?.lineInfo ?? []) {
    const section = ctx.elf.sections.find((s) => s.name === sec.section && code.has(s.index));
    if (!section) fail('BTF_EXT_BAD', `line info for section '${sec.section}', which holds no functions`);
    const slots = section.size / INSN_SIZE;
    out.set(
      sec.section,
      sec.records.map((r) => {
        if (r.insnOff % INSN_SIZE !== 0 || r.insnOff / INSN_SIZE >= slots) {
          fail('BTF_EXT_BAD', `line info at byte ${r.insnOff} is outside the ${slots} instructions of ${sec.section}`);
        }
        return { slot: r.insnOff / INSN_SIZE, file: r.fileName, line: r.line, column: r.column, text: r.lineText };
      }),
    );
  }
  return out;
}

function buildFunction(f: FunctionSymbol, code: SectionCode, lines: readonly SourceLine[], btfExt: BtfExt | undefined): BpfFunction {
  const inside = <T extends { slot: number }>(x: T): boolean => x.slot >= f.start && x.slot < f.end;
  const cfg = code.cfgs.find((c) => c.name === f.name && c.start === f.start);
  if (!cfg) fail('OBJ_BAD_PROGRAM', `no control-flow graph for '${f.name}'`);
  const funcInfo = btfExt?.funcInfo.find((s) => s.section === f.section.name)?.records.find((r) => r.insnOff === f.start * INSN_SIZE);
  const relos = btfExt?.coreRelos.find((s) => s.section === f.section.name)?.records ?? [];
  return {
    name: f.name,
    section: f.section.name,
    sectionIndex: f.section.index,
    start: f.start,
    end: f.end,
    linkage: f.linkage,
    insns: code.insns.filter(inside),
    references: code.references.filter(inside),
    lines: lines.filter(inside),
    coreRelocations: relos.filter((r) => r.insnOff >= f.start * INSN_SIZE && r.insnOff < f.end * INSN_SIZE),
    cfg,
    btfFuncId: funcInfo?.typeId,
  };
}

function toProgram(fn: BpfFunction, sym: FunctionSymbol, all: readonly BpfFunction[]): BpfProgram {
  const sectionName = sym.section.name;
  return {
    ...fn,
    sectionName: sectionName.startsWith('?') ? sectionName.slice(1) : sectionName,
    kind: programKindOf(sectionName),
    autoload: !sectionName.startsWith('?'),
    callees: calleesOf(fn, all),
  };
}

/** Subprograms reachable from `fn` through bpf-to-bpf calls, breadth first. */
function calleesOf(fn: BpfFunction, all: readonly BpfFunction[]): FunctionRef[] {
  const key = (r: { section: string; name: string }): string => `${r.section}\0${r.name}`;
  const seen = new Set([key(fn)]);
  const out: FunctionRef[] = [];
  const queue: BpfFunction[] = [fn];
  while (queue.length) {
    const cur = queue.shift()!;
    const targets = [
      ...cur.cfg.calls.flatMap((c) => (c.kind === 'subprogram' ? [c.callee] : [])),
      ...cur.references.flatMap((r) => (r.kind === 'callback' ? [r.target] : [])),
    ];
    for (const t of targets) {
      if (seen.has(key(t))) continue;
      seen.add(key(t));
      out.push(t);
      const callee = all.find((f) => f.section === t.section && f.name === t.name);
      if (callee) queue.push(callee);
    }
  }
  return out;
}
