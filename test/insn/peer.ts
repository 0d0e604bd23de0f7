/**
 * Driving the peer tools (llvm-objdump 14 and 19, llvm-readelf, llvm-objcopy) and parsing
 * what they print. Nothing here uses the project's own ELF reader: section bytes come
 * from llvm-objcopy, relocations from llvm-readelf, labels and instructions from objdump.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Label, RelocationLine } from '../../src/insn/listing.js';

export const OBJDUMP14 = 'llvm-objdump-14';
export const OBJDUMP19 = 'llvm-objdump-19';
export const READELF = 'llvm-readelf-19';
export const OBJCOPY = 'llvm-objcopy-19';

export function haveTool(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** Prints a visible SKIP line and returns false when a tool is missing. */
export function requireTools(...tools: string[]): boolean {
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length > 0) console.log(`SKIP: peer tool(s) missing: ${missing.join(', ')}`);
  return missing.length === 0;
}

export function run(tool: string, args: readonly string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** One instruction line of objdump: `      12:\t<hex bytes>\t<text>`. */
export interface ObjdumpInsn {
  readonly slot: number;
  readonly bytes: Uint8Array;
  readonly text: string;
}

export interface ObjdumpSection {
  readonly name: string;
  /** Every line of the section's chunk, from `Disassembly of section`, trailing blank lines removed. */
  readonly lines: readonly string[];
  readonly insns: readonly ObjdumpInsn[];
  readonly labels: readonly Label[];
}

const INSN_LINE = /^ *(\d+):\t((?:[0-9a-f]{2} )*[0-9a-f]{2})\t(.*)$/;
const LABEL_LINE = /^([0-9a-f]{16}) <(.*)>:$/;

export function parseObjdump(text: string): readonly ObjdumpSection[] {
  const sections: { name: string; lines: string[] }[] = [];
  for (const line of text.split('\n')) {
    const m = /^Disassembly of section (.*):$/.exec(line);
    if (m) sections.push({ name: m[1], lines: [line] });
    else if (sections.length > 0) sections[sections.length - 1].lines.push(line);
  }
  return sections.map(({ name, lines }) => {
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    const insns: ObjdumpInsn[] = [];
    const labels: Label[] = [];
    for (const line of lines) {
      const i = INSN_LINE.exec(line);
      if (i) {
        insns.push({ slot: Number(i[1]), bytes: Uint8Array.from(i[2].split(' '), (h) => parseInt(h, 16)), text: i[3] });
        continue;
      }
      const l = LABEL_LINE.exec(line);
      if (l) labels.push({ slot: Number(BigInt(`0x${l[1]}`) / 8n), name: l[2] });
    }
    return { name, lines, insns, labels };
  });
}

/** Relocations per target section name, from `llvm-readelf -r`. */
export function readRelocations(file: string): ReadonlyMap<string, readonly RelocationLine[]> {
  const out = new Map<string, RelocationLine[]>();
  let current: RelocationLine[] | undefined;
  for (const line of run(READELF, ['-r', '--wide', file]).split('\n')) {
    const head = /^Relocation section '\.rel(.*)' at offset/.exec(line);
    if (head) {
      current = [];
      out.set(head[1], current);
      continue;
    }
    const m = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+[0-9a-f]{16}\s+(.*)$/.exec(line);
    if (m && current) current.push({ offset: Number(BigInt(`0x${m[1]}`)), type: m[2], symbol: m[3].trim() });
  }
  return out;
}

/** The bytes of one section, as llvm-objcopy dumps them. */
export function dumpSection(file: string, section: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-dump-'));
  try {
    const out = join(dir, 'section.bin');
    execFileSync(OBJCOPY, ['--dump-section', `${section}=${out}`, file, join(dir, 'discard.o')]);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** EI_DATA of the ELF header: 1 little-endian, 2 big-endian. */
export function isLittleEndianElf(file: string): boolean {
  const head = readFileSync(file).subarray(0, 6);
  return head[5] !== 2;
}

/** code, dst, src, off, imm (and imm of a second slot) from raw bytes, as the reference lays them out. */
export function rawFields(bytes: Uint8Array, littleEndian: boolean): { code: number; dst: number; src: number; off: number; imm: number; imm2?: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const regs = bytes[1];
  return {
    code: bytes[0],
    dst: littleEndian ? regs & 0xf : regs >> 4,
    src: littleEndian ? regs >> 4 : regs & 0xf,
    off: v.getInt16(2, littleEndian),
    imm: v.getInt32(4, littleEndian),
    ...(bytes.length === 16 ? { imm2: v.getInt32(12, littleEndian) } : {}),
  };
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  readonly type: string;
  /** Name of the section the symbol is defined in; undefined for UND/ABS. */
  readonly section: string | undefined;
}

/** The symbol table, from `llvm-readelf -s -S`. */
export function readSymbols(file: string): readonly ElfSymbol[] {
  const text = run(READELF, ['-S', '-s', '--wide', file]);
  const sectionNames = new Map<number, string>();
  for (const m of text.matchAll(/^\s*\[\s*(\d+)\]\s+(\S+)\s+[A-Z_]+\s/gm)) sectionNames.set(Number(m[1]), m[2]);
  const out: ElfSymbol[] = [];
  for (const m of text.matchAll(/^\s*\d+: ([0-9a-f]{16})\s+(\d+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s?(.*)$/gm)) {
    const ndx = Number(m[4]);
    out.push({ name: m[5], value: Number(BigInt(`0x${m[1]}`)), size: Number(m[2]), type: m[3], section: Number.isNaN(ndx) ? undefined : sectionNames.get(ndx) });
  }
  return out;
}

/** Names of the SHF_EXECINSTR sections, from `llvm-readelf -S`. */
export function executableSections(file: string): readonly string[] {
  const out: string[] = [];
  for (const m of run(READELF, ['-S', '--wide', file]).matchAll(/^\s*\[\s*\d+\]\s+(\S+)\s+PROGBITS\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+[0-9a-f]+\s+([A-Za-z]*)\s/gm)) {
    if (m[2].includes('X')) out.push(m[1]);
  }
  return out;
}
