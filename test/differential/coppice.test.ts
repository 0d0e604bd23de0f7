import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { repoRoot } from '../support/corpus.js';
import { readManifest } from '../support/manifest.js';
import { kernelEnvironmentUnavailable, openKernelEnvironment, type KernelEnvironment } from './environment.js';
import { coverageOf, runDifferential, type ObjectTally } from './harness.js';

// Every program of every little-endian Coppice build (the kernel cannot load the others),
// 2,000 generated packets each across the generator's map states, through the kernel and
// the interpreter. Any disagreement fails with a reproduction file.

const PER_PROGRAM = Number(process.env.B2P_DIFF_PACKETS ?? 2000);
const objects = readManifest().objects.filter((o) => o.set !== 'idioms' && o.arch === 'bpfel').map((o) => o.object);
const unavailable = kernelEnvironmentUnavailable();

describe('interpreter against the kernel: Coppice', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: Coppice differential test: ${unavailable}`));
    return;
  }
  const env: KernelEnvironment = openKernelEnvironment('coppice', PER_PROGRAM);
  afterAll(() => env.remove());
  const tallies: ObjectTally[] = [];

  for (const object of objects) {
    it(object, async () => {
      const t = await runDifferential(object, env);
      tallies.push(t);
      const runs = t.programs.reduce((n, p) => n + p.runs, 0);
      const agree = t.programs.reduce((n, p) => n + p.agreements, 0);
      console.log(`${object}: ${runs} runs, ${agree} agreements (${t.programs.map((p) => `${p.program} ${p.runs}${p.refused ? `/${p.refused} refused` : ''}`).join(', ')})`);
      for (const m of t.mismatches.slice(0, 5)) console.log(`  MISMATCH ${m.state} ${m.program} ${m.category}: ${m.differences.join('; ').slice(0, 400)}\n    reproduce: ${m.reproduction}`);
      expect(t.mismatches.length).toBe(0);
      for (const p of t.programs) expect(p.runs, p.program).toBeGreaterThanOrEqual(PER_PROGRAM);
    }, 600_000);
  }

  it('reaches the instructions of every Coppice program', () => {
    const lines: string[] = [];
    for (const t of tallies.filter((x) => /\.bpfel\.v3\.O2\.o$/.test(x.object) && !x.object.includes('renamed'))) {
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, t.object))));
      for (const c of coverageOf(obj, t.executed)) {
        lines.push(`${t.object} ${c.name}: ${c.reached}/${c.total} (${((100 * c.reached) / c.total).toFixed(1)}%)${c.missing.length ? ` not reached: ${c.missing.slice(0, 20).join(',')}${c.missing.length > 20 ? ',...' : ''}` : ''}`);
      }
    }
    console.log(`coverage (v3 -O2 builds):\n${lines.join('\n')}`);
    expect(lines.length).toBeGreaterThan(0);
  });
});
