/**
 * Listing layouts beyond the whole-section `-d -r` comparison of objdump-peer.test.ts:
 * one function at a time (an excerpt of objdump's section listing) and interleaved source
 * lines (objdump -l's layout, with the lines taken from its output).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeInstructions } from '../../src/insn/decode.js';
import { listSection } from '../../src/insn/listing.js';
import { buildProbes } from './probe-build.js';
import {
  OBJCOPY, OBJDUMP19, READELF, dumpSection, isLittleEndianElf, parseObjdump, readRelocations, readSymbols, requireTools, run,
} from './peer.js';

const toolsPresent = requireTools(OBJDUMP19, READELF, OBJCOPY);
const build = toolsPresent ? await buildProbes() : undefined;
const probes = (build?.objects ?? []).filter((p) => p.probe === 'calls' || p.probe === 'branches' || p.probe === 'globals');
afterAll(() => build?.remove());

describe.skipIf(!toolsPresent)('listings of functions and with source lines', () => {
  for (const obj of probes) {
    it(`${obj.label}: a function's listing is its excerpt of objdump's section listing`, () => {
      const le = isLittleEndianElf(obj.file);
      const relocations = readRelocations(obj.file);
      const functions = readSymbols(obj.file).filter((s) => s.type === 'FUNC');
      for (const section of parseObjdump(run(OBJDUMP19, ['-d', '-r', obj.file]))) {
        const bytes = dumpSection(obj.file, section.name);
        const insns = decodeInstructions(bytes, le, { section: section.name });
        for (const fn of functions.filter((f) => f.section === section.name)) {
          const start = fn.value / 8;
          const end = (fn.value + fn.size) / 8;
          const ours = listSection(section.name, bytes, insns.filter((i) => i.slot >= start && i.slot < end), {
            labels: section.labels,
            relocations: relocations.get(section.name) ?? [],
          });
          // objdump's lines from the blank line before the function's label to its last instruction.
          const from = section.lines.findIndex((l) => l.endsWith(` <${fn.name}>:`)) - 1;
          const next = section.lines.findIndex((l, k) => k > from + 1 && / *(\d+):\t/.test(l) && Number(/ *(\d+):/.exec(l)![1]) >= end);
          let to = next < 0 ? section.lines.length : next;
          while (section.lines[to - 1] === '' || /^[0-9a-f]{16} </.test(section.lines[to - 1])) to -= 1;
          expect(ours.slice(1), fn.name).toEqual(section.lines.slice(from, to));
        }
      }
    });
  }

  it('interleaves source lines as objdump -l does', () => {
    for (const obj of probes.filter((p) => p.label.endsWith('bpfel'))) {
      const le = isLittleEndianElf(obj.file);
      for (const section of parseObjdump(run(OBJDUMP19, ['-d', '-l', obj.file]))) {
        // The `; ...` lines objdump prints, keyed by the slot of the instruction they precede.
        const source = new Map<number, string[]>();
        let pending: string[] = [];
        for (const line of section.lines) {
          if (line.startsWith('; ')) pending.push(line.slice(2));
          const m = /^ *(\d+):\t/.exec(line);
          if (m) {
            if (pending.length > 0) source.set(Number(m[1]), pending);
            pending = [];
          }
        }
        expect(source.size, obj.label).toBeGreaterThan(0);
        const bytes = dumpSection(obj.file, section.name);
        const ours = listSection(section.name, bytes, decodeInstructions(bytes, le), {
          labels: section.labels,
          sourceLines: (slot) => source.get(slot),
        });
        expect(ours, obj.label).toEqual(section.lines);
      }
    }
  });
});
