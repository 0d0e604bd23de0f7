import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import { isPacketProgram } from '../../src/object/program-types.js';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { standardFrames } from './support/frames.js';
import { coppiceState, genericState } from './support/state.js';

/**
 * Every program of every corpus build runs on the standard frames, with empty maps and
 * with a small populated state, without any VM_* error: every instruction, helper and
 * map the corpus uses is modelled.
 */
const objects = corpusObjects();

describe('corpus programs run on hand-built frames', () => {
  it('finds the corpus', () => {
    expect(objects.length).toBeGreaterThan(100);
  });

  const counts: string[] = [];
  for (const file of objects) {
    it(file, () => {
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, file))));
      const coppice = file.includes('/coppice/');
      for (const p of obj.programs.filter((x) => isPacketProgram(x.kind.type))) {
        for (const populated of [false, true]) {
          const state = populated ? (coppice ? coppiceState(obj) : genericState(obj)) : undefined;
          const store = createMapStore(obj, state);
          const line: string[] = [];
          for (const f of standardFrames()) {
            try {
              const r = runProgram(obj, store, { program: p.name, packet: f.packet }, { dumpMaps: false });
              expect(r.instructions).toBeGreaterThan(0);
              line.push(`${f.name} ${r.instructions}/${r.retval}`);
            } catch (e) {
              const what = `${file} ${p.name} ${populated ? 'populated' : 'empty'} ${f.name}`;
              if (isBpf2pfError(e)) throw new Error(`${what}: ${e.code}: ${e.message}`);
              throw e;
            }
          }
          counts.push(`${file.split('/').pop()} ${p.name} ${populated ? 'populated' : 'empty'}: ${line.join(', ')}`);
        }
      }
    });
  }

  it('prints instruction counts (instructions/retval per frame)', () => {
    console.log(counts.join('\n'));
  });
});
