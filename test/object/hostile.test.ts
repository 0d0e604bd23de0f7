import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import { repoRoot } from '../support/corpus.js';

// Every hostile object must end in the typed error written next to it, and the CLI must
// say so in exactly one line on stderr with exit 2: no stack, no hang, no partial output.

const dir = join(repoRoot, 'corpus/hostile');
const cases = readdirSync(dir).filter((f) => f.endsWith('.o')).sort();
const cli = join(repoRoot, 'dist/cli/main.js');

function expected(name: string): string {
  return readFileSync(join(dir, name.replace(/\.o$/, '.expect')), 'utf8').split('\n')[0].trim();
}

describe('hostile objects', () => {
  it('there are hostile objects, each with an expectation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases) expect(expected(c)).toMatch(/^[A-Z]+_[A-Z_]+$/);
  });
  for (const c of cases) {
    it(`${c}: ${expected(c)}`, () => {
      let caught: unknown;
      try {
        loadObject(new Uint8Array(readFileSync(join(dir, c))));
      } catch (e) {
        caught = e;
      }
      expect(isBpf2pfError(caught), String(caught)).toBe(true);
      expect((caught as { code: string }).code).toBe(expected(c));

      const r = spawnSync(process.execPath, [cli, 'inspect', join('corpus/hostile', c)], { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^bpf2pf: corpus/hostile/${c.replace('.', '\\.')}: .+ \\[${expected(c)}\\]$`));
    });
  }
});
