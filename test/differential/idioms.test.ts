import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../support/manifest.js';
import { kernelEnvironmentUnavailable, openKernelEnvironment, type KernelEnvironment } from './environment.js';
import { runDifferential } from './harness.js';

const PER_PROGRAM = Number(process.env.B2P_DIFF_PACKETS ?? 2000);
const objects = readManifest().objects.filter((o) => o.set === 'idioms' && o.arch === 'bpfel').map((o) => o.object);
const unavailable = kernelEnvironmentUnavailable();

describe('interpreter against the kernel: idioms', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: idiom differential test: ${unavailable}`));
    return;
  }
  const env: KernelEnvironment = openKernelEnvironment('idioms', PER_PROGRAM);
  afterAll(() => env.remove());
  let total = 0;
  let agreed = 0;
  for (const object of objects) {
    it(object, async () => {
      const t = await runDifferential(object, env);
      const runs = t.programs.reduce((n, p) => n + p.runs, 0);
      const agree = t.programs.reduce((n, p) => n + p.agreements, 0);
      total += runs;
      agreed += agree;
      console.log(`${object}: ${runs} runs, ${agree} agreements`);
      for (const m of t.mismatches.slice(0, 5)) console.log(`  MISMATCH ${m.state} ${m.program} ${m.category}: ${m.differences.join('; ').slice(0, 400)}\n    reproduce: ${m.reproduction}`);
      expect(t.mismatches.length).toBe(0);
      for (const p of t.programs) expect(p.runs, p.program).toBeGreaterThanOrEqual(PER_PROGRAM);
    }, 600_000);
  }
  it('totals', () => {
    console.log(`idioms: ${total} runs, ${agreed} agreements`);
    expect(agreed).toBe(total);
  });
});
