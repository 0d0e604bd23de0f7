/**
 * CFGs of the compiled probes, checked against what llvm-objdump shows (jump targets,
 * which instructions jump or exit) and against the relocations llvm-readelf lists; then
 * hand-assembled functions for the error cases, and random functions checked against an
 * instruction-level oracle.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSectionCfg, type CallResolver, type FunctionBounds, type FunctionCfg, type SectionCfg } from '../../src/insn/cfg.js';
import { decodeInstructions } from '../../src/insn/decode.js';
import type { Insn } from '../../src/insn/types.js';
import { concatBytes, encodeRawInsn, type RawInsn } from '../support/bpf-elf-writer.js';
import { buildProbes, corpusObjects, type BuiltObject } from './probe-build.js';
import {
  OBJCOPY, OBJDUMP19, READELF, dumpSection, isLittleEndianElf, parseObjdump, readRelocations, readSymbols,
  requireTools, run, type ObjdumpSection,
} from './peer.js';
import { errorOf } from '../support/errors.js';

const toolsPresent = requireTools(OBJDUMP19, READELF, OBJCOPY);
const build = toolsPresent ? await buildProbes() : undefined;
const probes = build?.objects ?? [];
afterAll(() => build?.remove());
const corpus = toolsPresent ? corpusObjects() : [];

interface Analysed {
  readonly section: ObjdumpSection;
  readonly cfg: SectionCfg;
}

/**
 * What the object loader will do, done here from llvm-readelf's view: function bounds from
 * FUNC symbols, and call targets from R_BPF_64_32 relocations (reference §2.2).
 */
function analyse(obj: BuiltObject): readonly Analysed[] {
  const symbols = readSymbols(obj.file);
  const relocations = readRelocations(obj.file);
  const functionsOf = (section: string): FunctionBounds[] =>
    symbols.filter((s) => s.type === 'FUNC' && s.section === section).map((s) => ({ name: s.name, start: s.value / 8, end: (s.value + s.size) / 8 }));
  return parseObjdump(run(OBJDUMP19, ['-d', obj.file])).map((section) => {
    const bytes = dumpSection(obj.file, section.name);
    const insns = decodeInstructions(bytes, isLittleEndianElf(obj.file), { section: section.name });
    const resolve: CallResolver = (slot, insn) => {
      const reloc = (relocations.get(section.name) ?? []).find((r) => r.offset === slot * 8 && r.type === 'R_BPF_64_32');
      if (reloc === undefined) return undefined;
      const sym = symbols.find((s) => s.name === reloc.symbol && s.type !== 'FILE');
      if (sym === undefined || sym.section === undefined) return { kind: 'kfunc', name: reloc.symbol };
      const target = sym.value / 8 + insn.imm + 1;
      const callee = functionsOf(sym.section).find((f) => f.start === target);
      if (callee === undefined) throw new Error(`no function at ${sym.section} slot ${target}`);
      return { kind: 'subprogram', section: sym.section, name: callee.name, slot: target };
    };
    return { section, cfg: buildSectionCfg(section.name, insns, functionsOf(section.name), resolve) };
  });
}

/** objdump's own view of each instruction: does it end a block, and where may it go. */
function peerControl(text: string, slot: number): { target?: number; conditional: boolean; ends: boolean } {
  const m = /(?:^|\s)(goto|gotol|may_goto) ([+-])0x([0-9a-f]+)/.exec(text);
  if (m) {
    const by = parseInt(m[3], 16) * (m[2] === '-' ? -1 : 1);
    return { target: slot + 1 + by, conditional: text.startsWith('if ') || m[1] === 'may_goto', ends: true };
  }
  return { conditional: false, ends: text === 'exit' || text === 'call 0xc' };
}

function fnNamed(a: readonly Analysed[], name: string): FunctionCfg {
  const fn = a.flatMap((s) => s.cfg.functions).find((f) => f.name === name);
  if (fn === undefined) throw new Error(`no function ${name}`);
  return fn;
}

function backEdges(fn: FunctionCfg): number {
  return fn.blocks.flatMap((b) => b.successors).filter((e) => e.back).length;
}

/** True if the given blocks, with the back edges removed, have no cycle (Kahn's algorithm). */
function acyclicWithoutBackEdges(blocks: FunctionCfg['blocks']): boolean {
  const inSet = new Set(blocks.map((b) => b.index));
  const edges = blocks.flatMap((b) => b.successors).filter((e) => !e.back && inSet.has(e.to));
  const indegree = new Map(blocks.map((b) => [b.index, edges.filter((e) => e.to === b.index).length]));
  const ready = blocks.filter((b) => indegree.get(b.index) === 0).map((b) => b.index);
  let seen = 0;
  while (ready.length > 0) {
    const b = ready.pop()!;
    seen += 1;
    for (const e of edges) {
      if (e.from !== b) continue;
      const d = indegree.get(e.to)! - 1;
      indegree.set(e.to, d);
      if (d === 0) ready.push(e.to);
    }
  }
  return seen === blocks.length;
}

describe.skipIf(!toolsPresent)('CFGs of compiled probes and corpus objects', () => {
  for (const obj of [...probes, ...corpus]) {
    it(`${obj.label}: blocks follow objdump's jumps and cover every instruction once`, () => {
      for (const { section, cfg } of analyse(obj)) {
        const peer = new Map(section.insns.map((i) => [i.slot, peerControl(i.text, i.slot)]));
        const covered = new Map<number, number>();
        for (const fn of cfg.functions) {
          const starts = new Set(fn.blocks.map((b) => b.start));
          expect(fn.blocks[0].start).toBe(fn.start);
          expect(fn.blocks[fn.blocks.length - 1].end).toBe(fn.end);
          for (const b of fn.blocks) {
            for (const insn of b.insns) covered.set(insn.slot, (covered.get(insn.slot) ?? 0) + 1);
            const last = b.insns[b.insns.length - 1];
            const p = peer.get(last.slot)!;
            // A block ends at a jump/exit/tail call (per objdump's text) or before a block start.
            expect(p.ends || starts.has(b.end), `${fn.name} block at ${b.start}`).toBe(true);
            for (const insn of b.insns.slice(0, -1)) expect(peer.get(insn.slot)!.ends, `${fn.name} slot ${insn.slot} ends a block`).toBe(false);
            const targets = b.successors.map((e) => fn.blocks[e.to].start);
            if (p.target !== undefined) {
              expect(starts.has(p.target), `${fn.name}: target ${p.target} starts a block`).toBe(true);
              expect(targets, `${fn.name} block at ${b.start}`).toEqual(p.conditional ? [b.end, p.target] : [p.target]);
            } else if (last.kind === 'exit') {
              expect(targets).toEqual([]);
            } else {
              expect(targets).toEqual([b.end]);
            }
            // Compiled code has no dead blocks; asm_v4.c jumps over one on purpose (checked below).
            if (obj.probe !== 'asm_v4') expect(b.reachable, `${fn.name} block at ${b.start}`).toBe(true);
          }
          // Every block start is the entry, a jump target or follows a block end.
          const targetSet = new Set([...peer.values()].flatMap((p) => (p.target === undefined ? [] : [p.target])));
          for (const b of fn.blocks.slice(1)) {
            const prev = fn.blocks[b.index - 1];
            expect(targetSet.has(b.start) || peer.get(prev.insns[prev.insns.length - 1].slot)!.ends, `${fn.name} block at ${b.start}`).toBe(true);
          }
          expect(acyclicWithoutBackEdges(fn.blocks), fn.name).toBe(true);
        }
        for (const [slot, n] of covered) expect(n, `slot ${slot} in one block`).toBe(1);
        const inFunctions = section.insns.filter((i) => cfg.functions.some((f) => i.slot >= f.start && i.slot < f.end));
        expect(covered.size).toBe(inFunctions.length);
      }
    });
  }

  it('finds the loops of branches.c and none in alu.c', () => {
    for (const obj of probes.filter((p) => p.probe === 'branches' || p.probe === 'alu')) {
      const fn = fnNamed(analyse(obj), obj.probe === 'branches' ? 'branches' : 'alu_ops');
      if (obj.probe === 'branches') expect(backEdges(fn), obj.label).toBeGreaterThanOrEqual(2);
      else expect(backEdges(fn), obj.label).toBe(0);
    }
  });

  it('finds the calls of calls.c: helpers, tail calls, subprograms in and out of the section, kfuncs', () => {
    for (const obj of probes.filter((p) => p.probe === 'calls')) {
      const a = analyse(obj);
      const caller = fnNamed(a, 'caller');
      expect(caller.calls.filter((c) => c.kind === 'tailCall'), obj.label).toHaveLength(1);
      expect(caller.calls.filter((c) => c.kind === 'helper').map((c) => c.kind === 'helper' && c.helperName)).toEqual(['loop']);
      expect(caller.calls.filter((c) => c.kind === 'kfunc').map((c) => c.kind === 'kfunc' && c.name)).toEqual(['bpf_probe_kfunc']);
      const subprograms = caller.calls.flatMap((c) => (c.kind === 'subprogram' ? [[c.callee.section, c.callee.name, c.viaRelocation]] : []));
      expect(subprograms.sort()).toEqual([['.text', 'global_fn', true], ['.text', 'helper_static', true], ['tc', 'in_section', false]]);
      const tc = a.find((s) => s.section.name === 'tc')!.cfg;
      expect(tc.callGraph.map((e) => `${e.caller}->${e.callee.name}`).sort()).toEqual(['caller->global_fn', 'caller->helper_static', 'caller->in_section']);
      const tail = fnNamed(a, 'only_tail');
      const ending = tail.blocks.find((b) => b.terminator === 'tailCall')!;
      expect(ending.successors.map((e) => [tail.blocks[e.to].start, e.kind])).toEqual([[ending.end, 'fallthrough']]);
      expect(tail.exits).toHaveLength(1);
    }
  });

  it('treats may_goto as a branch and gotol as a jump (asm_v4.c, cpu v4)', () => {
    for (const obj of probes.filter((p) => p.probe === 'asm_v4' && p.label.includes('/v4/'))) {
      const fn = fnNamed(analyse(obj), 'asm_v4');
      const mayGoto = fn.blocks.find((b) => b.insns[b.insns.length - 1].kind === 'jump' && (b.insns[b.insns.length - 1] as { op: string }).op === 'may_goto')!;
      expect(mayGoto.terminator).toBe('branch');
      expect(mayGoto.successors.map((e) => e.kind)).toEqual(['notTaken', 'taken']);
      const gotol = fn.blocks.find((b) => b.terminator === 'jump' && b.insns[b.insns.length - 1].cls === 'jmp32')!;
      // `gotol +1` skips `r0 = 5`: the only unreachable block.
      expect(fn.blocks.filter((b) => !b.reachable).map((b) => [b.start, b.end])).toEqual([[gotol.end, gotol.end + 1]]);
    }
  });
});

// Hand-assembled functions.
const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });
const MOV = (dst: number, imm: number): RawInsn => I(0xb7, dst, 0, 0, imm);
const EXIT = I(0x95);
const GOTO = (off: number): RawInsn => I(0x05, 0, 0, off);
const JLT = (dst: number, imm: number, off: number): RawInsn => I(0xa5, dst, 0, off, imm);
const CALL = (imm: number, src = 0): RawInsn => I(0x85, 0, src, 0, imm);

function cfgOf(raw: readonly RawInsn[], functions?: readonly FunctionBounds[], resolve?: CallResolver): SectionCfg {
  const insns: readonly Insn[] = decodeInstructions(concatBytes(raw.map((r) => encodeRawInsn(r, true))), true, { section: 'tc' });
  return buildSectionCfg('tc', insns, functions ?? [{ name: 'f', start: 0, end: raw.length }], resolve);
}

describe('CFG of hand-assembled functions', () => {
  it('keeps and flags an unreachable block', () => {
    const fn = cfgOf([MOV(0, 0), EXIT, MOV(0, 1), EXIT]).functions[0];
    expect(fn.blocks.map((b) => [b.start, b.end, b.reachable])).toEqual([[0, 2, true], [2, 4, false]]);
    expect(fn.exits).toEqual([1, 3]);
  });

  it('flags the back edge of a loop, including a jump to itself', () => {
    const loop = cfgOf([MOV(0, 0), I(0x07, 0, 0, 0, 1), JLT(0, 10, -2), EXIT]).functions[0];
    expect(loop.blocks.map((b) => b.start)).toEqual([0, 1, 3]);
    expect(loop.blocks[1].successors.map((e) => [e.to, e.kind, e.back])).toEqual([[2, 'notTaken', false], [1, 'taken', true]]);
    const self = cfgOf([GOTO(-1)]).functions[0];
    expect(self.blocks[0].successors).toEqual([{ from: 0, to: 0, kind: 'unconditional', back: true }]);
  });

  it('gives a conditional jump by 0 both edges to the next block', () => {
    const fn = cfgOf([JLT(1, 3, 0), EXIT]).functions[0];
    expect(fn.blocks[0].successors.map((e) => [e.to, e.kind])).toEqual([[1, 'notTaken'], [1, 'taken']]);
    expect(fn.blocks[1].predecessors).toEqual([0]);
  });

  it('ends a block after a tail call, with the failure path as a fallthrough', () => {
    const fn = cfgOf([MOV(3, 0), CALL(12), MOV(0, 2), EXIT]).functions[0];
    expect(fn.blocks.map((b) => [b.start, b.terminator])).toEqual([[0, 'tailCall'], [2, 'exit']]);
    expect(fn.calls).toEqual([{ slot: 1, kind: 'tailCall', helperId: 12 }]);
  });

  it('refuses a jump to the slot right after the function, and past it', () => {
    const e = errorOf(() => cfgOf([MOV(0, 0), GOTO(1), EXIT, EXIT], [{ name: 'f', start: 0, end: 3 }, { name: 'g', start: 3, end: 4 }]));
    expect(e.code).toBe('OBJ_BAD_REFERENCE');
    expect(e.message).toMatch(/slot 1: jump to slot 3 leaves the function \(slots 0\.\.2, the slot right after its end\)/);
    expect(errorOf(() => cfgOf([GOTO(-2), EXIT])).code).toBe('OBJ_BAD_REFERENCE');
  });

  it('refuses a jump into the middle of an lddw', () => {
    const e = errorOf(() => cfgOf([GOTO(1), I(0x18, 1, 0, 0, 5), I(0), EXIT]));
    expect(e.code).toBe('OBJ_BAD_REFERENCE');
    expect(e.message).toMatch(/jump to slot 2, the middle of an lddw/);
  });

  it('refuses control falling off the end of a function', () => {
    for (const body of [[MOV(0, 0)], [JLT(0, 1, -1)], [MOV(3, 0), CALL(12)]]) {
      const e = errorOf(() => cfgOf(body));
      expect(e.code).toBe('OBJ_BAD_REFERENCE');
      expect(e.message).toMatch(/^tc: function f: slot \d+: control falls off the end of the function \(slots 0\.\.\d+\) into slot \d+$/);
    }
  });

  it('refuses a call that lands inside a function, and bad function bounds', () => {
    const e = errorOf(() => cfgOf([CALL(0, 1), EXIT, MOV(0, 1), EXIT], [{ name: 'f', start: 0, end: 2 }, { name: 'g', start: 2, end: 4 }]));
    expect(e.code).toBe('OBJ_BAD_REFERENCE');
    expect(e.message).toMatch(/call to slot 1, which is not the start of a function/);
    const ok = cfgOf([CALL(1, 1), EXIT, MOV(0, 1), EXIT], [{ name: 'f', start: 0, end: 2 }, { name: 'g', start: 2, end: 4 }]);
    expect(ok.callGraph).toEqual([{ caller: 'f', callee: { section: 'tc', name: 'g', slot: 2 }, sites: [0] }]);
    for (const bounds of [[{ name: 'f', start: 1, end: 1 }], [{ name: 'f', start: 0, end: 2 }], [{ name: 'f', start: 0, end: 3 }, { name: 'g', start: 2, end: 4 }]]) {
      expect(errorOf(() => cfgOf([MOV(0, 0), I(0x18, 1, 0, 0, 5), I(0), EXIT], bounds)).code).toBe('OBJ_BAD_PROGRAM');
    }
  });

  it('uses the resolver for relocated calls and kfuncs', () => {
    const resolve: CallResolver = (slot) => (slot === 0 ? { kind: 'subprogram', section: '.text', name: 'sub', slot: 4 } : { kind: 'kfunc', name: 'bpf_kf' });
    const fn = cfgOf([CALL(-1, 1), CALL(-1, 1), CALL(77, 2), EXIT], undefined, resolve).functions[0];
    expect(fn.calls).toEqual([
      { slot: 0, kind: 'subprogram', callee: { section: '.text', name: 'sub', slot: 4 }, viaRelocation: true },
      { slot: 1, kind: 'kfunc', name: 'bpf_kf', btfId: undefined },
      { slot: 2, kind: 'kfunc', name: 'bpf_kf', btfId: 77 },
    ]);
  });
});

/** A random function: arithmetic, calls and jumps to random instruction starts, ending in exit. */
const randomFunction = fc
  .array(fc.tuple(fc.constantFrom('alu', 'lddw', 'cond', 'ja', 'exit', 'call', 'tail'), fc.nat(), fc.nat(5)), { minLength: 1, maxLength: 60 })
  .map((picks) => {
    const starts: number[] = [];
    let slot = 0;
    for (const [kind] of picks) {
      starts.push(slot);
      slot += kind === 'lddw' ? 2 : 1;
    }
    starts.push(slot); // the final exit
    const raw: RawInsn[] = [];
    picks.forEach(([kind, t, r], k) => {
      const off = starts[t % starts.length] - starts[k] - 1;
      if (kind === 'alu') raw.push(I(0x07, r, 0, 0, t));
      else if (kind === 'lddw') raw.push(I(0x18, r, 0, 0, t), I(0));
      else if (kind === 'cond') raw.push(JLT(r, t, off));
      else if (kind === 'ja') raw.push(GOTO(off));
      else if (kind === 'exit') raw.push(EXIT);
      else raw.push(CALL(kind === 'tail' ? 12 : 1 + r));
    });
    raw.push(EXIT);
    return raw;
  });

describe('CFG of random functions', () => {
  it('matches an instruction-level oracle: partition, edges, reachability, back edges', () => {
    fc.assert(
      fc.property(randomFunction, (raw) => {
        const fn = cfgOf(raw).functions[0];
        const insns = fn.blocks.flatMap((b) => b.insns);
        expect(insns.map((i) => i.slot)).toEqual(decodeInstructions(concatBytes(raw.map((r) => encodeRawInsn(r, true))), true).map((i) => i.slot));
        // Oracle: successors per instruction, straight from the encoding.
        const next = (i: Insn): number[] => {
          const after = i.slot + i.slots;
          if (i.kind === 'exit') return [];
          if (i.kind === 'jump') return i.op === 'ja' ? [i.target] : [after, i.target];
          return [after];
        };
        const bySlot = new Map(insns.map((i) => [i.slot, i]));
        const reached = new Set<number>([0]);
        const todo = [0];
        while (todo.length > 0) for (const s of next(bySlot.get(todo.pop()!)!)) if (!reached.has(s)) (reached.add(s), todo.push(s));
        for (const b of fn.blocks) {
          expect(b.reachable).toBe(reached.has(b.start));
          const last = b.insns[b.insns.length - 1];
          expect(b.successors.map((e) => fn.blocks[e.to].start)).toEqual(next(last));
          for (const i of b.insns.slice(0, -1)) expect(next(i)).toEqual([i.slot + i.slots]);
          for (const e of b.successors) if (e.back) expect(b.reachable).toBe(true);
        }
        expect(acyclicWithoutBackEdges(fn.blocks.filter((b) => b.reachable))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
