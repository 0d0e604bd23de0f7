import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { hasTool, runTool, skipLine } from '../support/tools.js';
import { readManifest } from '../support/manifest.js';
import { defaultObjects } from '../../scripts/corpus-build.mjs';

const manifest = readManifest();

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Names the sections whose bytes differ, so a mismatch says where (debug paths, code...). */
function explainDifference(a: Uint8Array, b: Uint8Array): string {
  try {
    const ea = readElf(a);
    const eb = readElf(b);
    const names = new Set([...ea.sections, ...eb.sections].map((s) => s.name));
    const differing = [...names].filter((n) => {
      const sa = ea.sections.find((s) => s.name === n);
      const sb = eb.sections.find((s) => s.name === n);
      return !sa || !sb || sha256(sa.data) !== sha256(sb.data) || sa.size !== sb.size;
    });
    return `sections differing: ${differing.join(', ') || '(headers only)'}`;
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
}

describe('corpus objects', () => {
  it('the manifest lists exactly the committed objects, with their hashes', () => {
    const listed = manifest.objects.map((o) => o.object).sort();
    expect(corpusObjects().sort()).toEqual(listed);
    for (const o of manifest.objects) {
      expect(sha256(readFileSync(join(repoRoot, o.object))), o.object).toBe(o.sha256);
    }
  });

  it('the default Coppice objects (corpus/coppice/<prog>.o) are byte copies of their builds', () => {
    const defaults = defaultObjects() as { object: string; copyOf: string }[];
    expect(defaults.map((d) => d.object).sort()).toEqual(['corpus/coppice/localgw.o', 'corpus/coppice/mvmtap.o', 'corpus/coppice/nodenic.o']);
    for (const d of defaults) {
      expect(manifest.objects.map((o) => o.object), d.copyOf).toContain(d.copyOf);
      const copy = new Uint8Array(readFileSync(join(repoRoot, d.object)));
      expect(sha256(copy), `${d.object} differs from ${d.copyOf}: run npm run corpus:build`).toBe(sha256(new Uint8Array(readFileSync(join(repoRoot, d.copyOf)))));
    }
  });

  it('corpus/README.md lists every object as built', () => {
    const r = spawnSync(process.execPath, ['scripts/corpus-readme.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const readme = readFileSync(join(repoRoot, 'corpus/README.md'), 'utf8');
    for (const o of manifest.objects) expect(readme).toContain(o.object.replace(/^corpus\//, ''));
  });

  it('the hostile generator reproduces the committed hostile objects', () => {
    const out = mkdtempSync(join(tmpdir(), 'bpf2pf-hostile-'));
    try {
      const r = spawnSync(process.execPath, ['dist/scripts/make-hostile.js', out], { cwd: repoRoot, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const committed = readdirSync(join(repoRoot, 'corpus/hostile')).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const f of committed) expect(sha256(readFileSync(join(out, f))), f).toBe(sha256(readFileSync(join(repoRoot, 'corpus/hostile', f))));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  const compilers = Object.keys(manifest.compilers);
  const missing = compilers.filter((c) => !hasTool(c));
  const mismatched = compilers.filter((c) => !missing.includes(c) && runTool(c, ['--version']).split('\n')[0].trim() !== manifest.compilers[c]);
  if (missing.length || mismatched.length) {
    it('rebuild (skipped)', () => {
      if (missing.length) skipLine('corpus rebuild', `${missing.join(', ')} not installed; the committed objects are used as they are`);
      for (const c of mismatched) {
        skipLine('corpus rebuild', `${c} is "${runTool(c, ['--version']).split('\n')[0].trim()}", the corpus was built with "${manifest.compilers[c]}": codegen and the DWARF producer string would differ`);
      }
    });
    return;
  }

  const out = mkdtempSync(join(tmpdir(), 'bpf2pf-rebuild-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('a rebuild from the C sources matches the committed objects byte for byte', () => {
    const r = spawnSync(process.execPath, ['scripts/corpus-build.mjs', '--out', out], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const differences: string[] = [];
    for (const o of manifest.objects) {
      const committed = new Uint8Array(readFileSync(join(repoRoot, o.object)));
      const rebuilt = new Uint8Array(readFileSync(join(out, o.object)));
      if (sha256(committed) !== sha256(rebuilt)) differences.push(`${o.object}: ${explainDifference(committed, rebuilt)}`);
    }
    for (const d of defaultObjects() as { object: string }[]) {
      const committed = new Uint8Array(readFileSync(join(repoRoot, d.object)));
      const rebuilt = new Uint8Array(readFileSync(join(out, d.object)));
      if (sha256(committed) !== sha256(rebuilt)) differences.push(`${d.object}: ${explainDifference(committed, rebuilt)}`);
    }
    expect(differences).toEqual([]);
    console.log(`corpus rebuild: ${manifest.objects.length} objects identical`);
  }, 600_000);
});
