import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/lift/execute.js';
import { liftObjectProgram, tailCallTargets } from '../../src/lift/lift-object.js';
import { loadObject } from '../../src/object/load-object.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';

/**
 * The lifter skips merge attempts whose policy guards cannot merge (MergeSignatures.mayMerge)
 * instead of running mergeStates on them. A skip must only ever skip a failure: with
 * checkMergeFilter every skipped pair is merged anyway and a success fails the lift.
 * Checked on every entry program of the corpus (but bounded_loop_ext_hdr, which the
 * lifter gives up on after half a minute).
 */
describe('the merge filter', () => {
  it('skips no merge mergeStates would make, on every corpus program', () => {
    let programs = 0;
    let paths = 0;
    for (const rel of corpusObjects()) {
      if (rel.includes('bounded_loop_ext_hdr')) continue;
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, rel))));
      const stages = tailCallTargets(obj);
      for (const p of obj.programs) {
        if (stages.has(p.name)) continue;
        const lifted = liftObjectProgram(obj, p, { limits: { ...DEFAULT_LIMITS, checkMergeFilter: true } });
        programs++;
        paths += lifted.paths.length;
      }
    }
    expect(programs).toBeGreaterThan(100);
    expect(paths).toBeGreaterThan(10_000);
  });
});
