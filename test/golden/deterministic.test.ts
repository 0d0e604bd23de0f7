import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COPPICE_TRANSLATE } from '../../scripts/golden-update.mjs';
import { CLI } from '../support/cli.js';
import { repoRoot } from '../support/corpus.js';
import { listFiles, treeDifferences } from './compare-trees.js';

// Translating Coppice twice, from different working directories into differently named
// output directories, with another time zone and locale, gives byte-identical files: no
// path, clock or environment of the run reaches the output.

const args = COPPICE_TRANSLATE as string[];
const inputs = args.filter((a) => a.startsWith('corpus/'));
const scratch = mkdtempSync(join(tmpdir(), 'bpf2pf-determinism-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function translate(cwd: string, out: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [CLI, ...args, '-o', out], { cwd, env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

describe('translate is deterministic', () => {
  it('two runs on Coppice, different cwd, output directory and environment, give identical files', () => {
    const first = join(scratch, 'first-run', 'out');
    translate(repoRoot, first, { ...process.env, TZ: 'UTC', LC_ALL: 'C' });

    // The same inputs at the same relative paths under another working directory.
    const elsewhere = join(scratch, 'another', 'checkout');
    for (const f of inputs) {
      mkdirSync(dirname(join(elsewhere, f)), { recursive: true });
      copyFileSync(join(repoRoot, f), join(elsewhere, f));
    }
    const second = join(scratch, 'second', 'deeper', 'output-dir');
    translate(elsewhere, second, { ...process.env, TZ: 'Pacific/Chatham', LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' });

    expect(listFiles(first).length).toBeGreaterThan(0);
    expect(treeDifferences(first, second, 'coppice')).toEqual([]);

    // Nothing of either run's paths or this machine's home is in the files.
    const leaks = [repoRoot, scratch, homedir()].filter((p) => p.length > 1);
    for (const f of listFiles(first)) {
      const text = readFileSync(join(first, f), 'utf8');
      for (const p of leaks) expect(text.includes(p), `${f} contains ${p}`).toBe(false);
    }
  }, 300_000);
});
