import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { hasTool, runTool, skipLine } from '../support/tools.js';

// llvm-readobj's LLVM output style is structured enough to parse field by field; it is
// the peer for every section header field, every symbol and every relocation.
const READOBJ = 'llvm-readobj';

interface PeerSection { index: number; name: string; nameOff: number; type: number; flags: number; address: number; offset: number; size: number; link: number; info: number; align: number; entsize: number }
interface PeerSymbol { name: string; nameOff: number; value: number; size: number; bind: number; type: number; other: number; shndx: number }
interface PeerReloc { section: number; offset: number; type: number; symbol: number }

function num(s: string): number {
  return s.startsWith('0x') ? parseInt(s, 16) : parseInt(s, 10);
}

function blocks(text: string, opener: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`^\\s*${opener} \\{$`, 'gm');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const end = text.indexOf('\n  }', m.index);
    out.push(text.slice(m.index, end));
  }
  return out;
}

function field(block: string, name: string): string {
  const m = new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(block);
  if (!m) throw new Error(`no ${name} in\n${block}`);
  return m[1].trim();
}

function paren(v: string): number {
  const m = /\((0x[0-9A-Fa-f]+|\d+)\)\s*$/.exec(v);
  if (!m) throw new Error(`no (n) in ${v}`);
  return num(m[1]);
}

function peerSections(path: string): PeerSection[] {
  const text = runTool(READOBJ, ['--sections', path]);
  return blocks(text, 'Section').map((b) => {
    const name = field(b, 'Name');
    const flagsLine = /Flags \[ \((0x[0-9A-Fa-f]+)\)/.exec(b);
    return {
      index: num(field(b, 'Index')),
      name: name.replace(/\s*\(\d+\)$/, ''),
      nameOff: paren(name),
      type: paren(field(b, 'Type')),
      flags: flagsLine ? num(flagsLine[1]) : NaN,
      address: num(field(b, 'Address')),
      offset: num(field(b, 'Offset')),
      size: num(field(b, 'Size')),
      link: num(field(b, 'Link')),
      info: num(field(b, 'Info')),
      align: num(field(b, 'AddressAlignment')),
      entsize: num(field(b, 'EntrySize')),
    };
  });
}

function peerSymbols(path: string): PeerSymbol[] {
  const text = runTool(READOBJ, ['--symbols', path]);
  return blocks(text, 'Symbol').map((b) => {
    const name = field(b, 'Name');
    return {
      name: name.replace(/\s*\(\d+\)$/, ''),
      nameOff: paren(name),
      value: num(field(b, 'Value')),
      size: num(field(b, 'Size')),
      bind: paren(field(b, 'Binding')),
      type: paren(field(b, 'Type')),
      other: num(field(b, 'Other')),
      shndx: paren(field(b, 'Section')),
    };
  });
}

function peerRelocations(path: string): PeerReloc[] {
  const text = runTool(READOBJ, ['--relocations', '--expand-relocs', path]);
  const out: PeerReloc[] = [];
  let section = -1;
  let cur: Partial<PeerReloc> = {};
  for (const line of text.split('\n')) {
    const sec = /^\s*Section \((\d+)\) /.exec(line);
    if (sec) section = Number(sec[1]);
    const off = /^\s*Offset: (0x[0-9A-Fa-f]+)/.exec(line);
    if (off) cur = { section, offset: num(off[1]) };
    const type = /^\s*Type: \S+ \((\d+)\)/.exec(line);
    if (type) cur.type = Number(type[1]);
    const sym = /^\s*Symbol: .*\((\d+)\)\s*$/.exec(line);
    if (sym) {
      cur.symbol = Number(sym[1]);
      out.push(cur as PeerReloc);
    }
  }
  return out;
}

const objects = corpusObjects();

describe('ELF reader against llvm-readobj', () => {
  if (!hasTool(READOBJ)) {
    it.skip('llvm-readobj missing', () => skipLine('ELF peer test', 'llvm-readobj is not installed'));
    return;
  }
  it('has corpus objects to compare', () => {
    expect(objects.length).toBeGreaterThan(0);
  });
  for (const rel of objects) {
    it(rel, () => {
      const path = join(repoRoot, rel);
      const elf = readElf(new Uint8Array(readFileSync(path)));
      const sections = peerSections(path);
      expect(elf.sections.length).toBe(sections.length);
      for (const p of sections) {
        const s = elf.sections[p.index];
        expect({ i: s.index, name: s.name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size, link: s.link, info: s.info, align: s.addralign, entsize: s.entsize })
          .toEqual({ i: p.index, name: p.nameOff === 0 ? '' : p.name, type: p.type, flags: p.flags, addr: p.address, offset: p.offset, size: p.size, link: p.link, info: p.info, align: p.align, entsize: p.entsize });
        expect(s.data.length).toBe(p.type === 8 || p.type === 0 ? 0 : p.size);
      }
      const symbols = peerSymbols(path);
      expect(elf.symbols.length).toBe(symbols.length);
      symbols.forEach((p, i) => {
        const s = elf.symbols[i];
        expect({ name: s.name, value: s.value, size: s.size, bind: s.bind, type: s.type, vis: s.visibility, shndx: s.shndx })
          .toEqual({ name: p.nameOff === 0 ? '' : p.name, value: p.value, size: p.size, bind: p.bind, type: p.type, vis: p.other & 3, shndx: p.shndx });
      });
      const relocs = peerRelocations(path);
      const ours = elf.relocations.flatMap((r) => r.entries.map((e) => ({ section: r.index, offset: e.offset, type: e.type, symbol: e.symbol })));
      expect(ours).toEqual(relocs);
    });
  }
});
