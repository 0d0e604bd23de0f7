import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { SHF, SHN, STT } from '../../src/elf/types.js';
import { loadObject } from '../../src/object/load-object.js';
import type { InsnReference } from '../../src/object/types.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { hasTool, runTool, skipLine } from '../support/tools.js';

// Every relocation of a code section, as llvm-readobj lists it (section, offset, symbol
// name, symbol index), must have become exactly one reference of ours at that
// instruction, naming the same thing: the map, the global, the called function, the
// kfunc. Section symbols (statics, string literals) are named by llvm-readobj after their
// section, so for those we check the section and that the target lies inside it.

interface PeerReloc { section: number; offset: number; symbol: string; index: number }

function peerRelocations(path: string): PeerReloc[] {
  const out: PeerReloc[] = [];
  let section = -1;
  let offset = -1;
  for (const line of runTool('llvm-readobj', ['--relocations', '--expand-relocs', path]).split('\n')) {
    const sec = /^\s*Section \((\d+)\) /.exec(line);
    if (sec) section = Number(sec[1]);
    const off = /^\s*Offset: (0x[0-9A-Fa-f]+)/.exec(line);
    if (off) offset = parseInt(off[1], 16);
    const sym = /^\s*Symbol: (.*) \((\d+)\)\s*$/.exec(line);
    if (sym) out.push({ section, offset, symbol: sym[1], index: Number(sym[2]) });
  }
  return out;
}

function named(r: InsnReference): string {
  switch (r.kind) {
    case 'map':
      return r.map;
    case 'global':
      return r.variable ?? r.section;
    case 'call':
    case 'callback':
      return r.target.name;
    case 'kfunc':
    case 'ksym':
      return r.name;
  }
}

describe('instruction references against llvm-readobj relocations', () => {
  if (!hasTool('llvm-readobj')) {
    it('SKIP', () => skipLine('references', 'llvm-readobj not installed'));
    return;
  }
  const totals = { relocations: 0, kfunc: 0, callback: 0, call: 0, map: 0, global: 0, ksym: 0 };
  for (const rel of corpusObjects()) {
    it(rel, () => {
      const path = join(repoRoot, rel);
      const bytes = new Uint8Array(readFileSync(path));
      const elf = readElf(bytes);
      const obj = loadObject(bytes);
      const refs = [...obj.programs, ...obj.subprograms].flatMap((f) => f.references.map((ref) => ({ ref, sectionIndex: f.sectionIndex })));
      // p.section is the SHT_REL section; its sh_info is the section it patches.
      const code = peerRelocations(path).filter((p) => (elf.sections[elf.sections[p.section].info].flags & SHF.EXECINSTR) !== 0);
      expect(refs.length).toBe(code.length);
      for (const p of code) {
        const target = elf.sections[elf.sections[p.section].info];
        const ours = refs.filter((r) => r.sectionIndex === target.index && r.ref.slot === p.offset / 8);
        expect(ours, `${rel} ${target.name}+${p.offset}`).toHaveLength(1);
        const r = ours[0].ref;
        const sym = elf.symbols[p.index];
        if (sym.type === STT.SECTION) {
          // named after the section by the peer: a static function or data
          expect(p.symbol).toBe(elf.sections[sym.shndx].name);
          if (r.kind === 'global') expect(r.section).toBe(p.symbol);
          else if (r.kind === 'call' || r.kind === 'callback') expect(r.target.section).toBe(p.symbol);
          else throw new Error(`${r.kind} through a section symbol`);
        } else if (r.kind === 'global' && r.variable === undefined) {
          throw new Error(`global reference to ${p.symbol} did not find its variable`);
        } else {
          expect(named(r)).toBe(p.symbol);
        }
        if (sym.shndx === SHN.UNDEF) expect(['kfunc', 'ksym']).toContain(r.kind);
        totals.relocations++;
        totals[r.kind]++;
      }
    });
  }
  it('covered every kind of reference', () => {
    console.log(`references: ${JSON.stringify(totals)}`);
    expect(totals.kfunc).toBeGreaterThan(0);
    expect(totals.callback).toBeGreaterThan(0);
    expect(totals.call).toBeGreaterThan(0);
    expect(totals.map).toBeGreaterThan(0);
    expect(totals.global).toBeGreaterThan(0);
  });
});
