import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineAt, lineIndex } from '../../src/lift/source-lines.js';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject, SourceLine } from '../../src/object/types.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';

/**
 * The source line of an instruction, as provenance and findings print it: the last line
 * info record at or before the slot in its section (the first of several at one slot).
 * Checked for every slot of every corpus object against that sentence, written as a scan.
 */
function byScan(obj: BpfObject, section: string, slot: number): SourceLine | null {
  let best: SourceLine | null = null;
  for (const fn of [...obj.programs, ...obj.subprograms]) {
    if (fn.section !== section) continue;
    for (const l of fn.lines) if (l.slot <= slot && l.slot > (best?.slot ?? -1)) best = l;
  }
  return best;
}

describe('source lines of instructions', () => {
  it('every slot of every corpus object gets the line a scan of the line info gives', () => {
    let checked = 0;
    for (const rel of corpusObjects()) {
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, rel))));
      const index = lineIndex(obj);
      for (const fn of [...obj.programs, ...obj.subprograms]) {
        for (let slot = fn.start - 1; slot <= fn.end; slot++) {
          const want = byScan(obj, fn.section, slot);
          expect(index({ section: fn.section, slot }), `${rel} ${fn.section}:${slot}`).toBe(want);
          checked++;
        }
      }
      expect(lineAt(obj, { section: 'no-such-section', slot: 0 })).toBeNull();
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
