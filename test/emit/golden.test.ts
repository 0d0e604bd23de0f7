/**
 * Golden copies of everything the pf emitter writes for each fixture, under
 * test/emit/golden/<fixture>/. They are reviewed in the diff when they change and
 * regenerated only on purpose: UPDATE_GOLDEN=1 npx vitest run test/emit/golden.test.ts.
 * What the output means is checked by roundtrip.test.ts; these catch every other change.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitPf } from '../../src/emit/pf/index.js';
import { FIXTURES } from './fixtures/index.js';

const goldenRoot = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe('pf emitter golden files', () => {
  for (const [name, ir] of Object.entries(FIXTURES)) {
    it(name, () => {
      const dir = join(goldenRoot, name);
      const files = emitPf(ir);
      if (update) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
      }
      expect(files.map((f) => f.path).sort()).toEqual(listFiles(dir).sort());
      for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
    });
  }
});
