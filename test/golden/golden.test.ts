import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenCases } from '../../scripts/golden-update.mjs';
import { CLI, runAsync } from '../support/cli.js';
import { repoRoot } from '../support/corpus.js';
import { listFiles, treeDifferences } from './compare-trees.js';

// The committed outputs of translate (corpus/coppice/golden, corpus/idioms/golden/<idiom>)
// against a regeneration with the built CLI, byte for byte. A difference is either a
// regression or an intended change: then regenerate and review the diff.

const HINT = 'run npm run golden:update and review the diff';
/** Longest finding message accepted (the longest today is about 300 characters). */
const MESSAGE_LIMIT = 1_000;
const cases = goldenCases() as { name: string; dir: string; args: string[] }[];
const out = mkdtempSync(join(tmpdir(), 'bpf2pf-golden-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
/** Cases whose translate failed, with the error: `FAILED <dir>: <error>` lines of golden-update. */
const failed = new Map<string, string>();

describe('golden outputs of translate', () => {
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
    const r = await runAsync(process.execPath, ['scripts/golden-update.mjs', '--out', out], 290_000);
    for (const line of r.stderr.split('\n')) {
      const m = /^FAILED (\S+): (.*)$/.exec(line);
      if (m) failed.set(m[1], m[2]);
    }
    if (r.status !== 0 && failed.size === 0) throw new Error(`golden-update --out failed (${r.status}): ${r.stderr}`);
  }, 300_000);

  it('every case has a committed golden, and no golden is left without a case', () => {
    const committed = ['corpus/idioms/golden'].flatMap((root) => listFiles(join(repoRoot, root)).map((f) => `${root}/${f.split('/')[0]}`));
    const expected = cases.filter((c) => c.dir.startsWith('corpus/idioms/golden/')).map((c) => c.dir);
    expect([...new Set(committed)].sort(), HINT).toEqual(expected.sort());
    for (const c of cases) expect(listFiles(join(repoRoot, c.dir)).length, `${c.dir} is missing: ${HINT}`).toBeGreaterThan(0);
  });

  // A finding is read by a person: a parser loop's hundreds of reasons must not all be in it.
  it('every finding message of the regenerated reports is short enough to read', () => {
    for (const c of cases) {
      const file = join(out, c.dir, 'report.json');
      if (!existsSync(file)) continue;
      const report = JSON.parse(readFileSync(file, 'utf8')) as { findings: { code: string; message: string }[] };
      for (const f of report.findings) expect(f.message.length, `${c.dir} ${f.code}: ${f.message.slice(0, 200)}...`).toBeLessThanOrEqual(MESSAGE_LIMIT);
    }
  });

  for (const c of cases) {
    it(`${c.name} matches ${c.dir}`, () => {
      if (failed.has(c.dir)) expect.fail(`translate failed: ${failed.get(c.dir)}`);
      const differences = treeDifferences(join(repoRoot, c.dir), join(out, c.dir), c.dir);
      if (differences.length) expect.fail(`${differences[0]}${differences.length > 1 ? ` (and ${differences.length - 1} more files)` : ''}\n${HINT}`);
    });
  }
});
