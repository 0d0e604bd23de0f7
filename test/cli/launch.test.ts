import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDummynetTemplates } from '../../src/emit/dummynet/templates.js';
import { loadNetgraphTemplates } from '../../src/emit/netgraph/templates.js';
import { loadPfTemplates } from '../../src/emit/pf/templates.js';
import { PRECOMPILED_FILE } from '../../src/emit/safe-templates.js';
import { repoRoot } from '../support/corpus.js';

// The launcher (src/cli/launch.cts) and the code cache the build makes for the bundle.
const dist = join(repoRoot, 'dist/cli');
const scratch = mkdtempSync(join(tmpdir(), 'bpf2pf-launch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const coppice = (f: string): string => join(repoRoot, 'corpus/coppice', f);
const TRANSLATE = ['translate', coppice('mvmtap.o'), coppice('nodenic.o'), coppice('localgw.o'), '--profile', coppice('profile.yaml'), '--snapshot', coppice('snapshot.json')];

function run(main: string, args: readonly string[], env: Record<string, string> = {}, nodeFlags: readonly string[] = []): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, main, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, BPF2PF_DEBUG: '1', ...env } });
  return { status: r.status, stderr: r.stderr };
}

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

/** A copy of dist/cli inside the repository (the templates are found from the bundle's place). */
function copyOfCli(name: string): string {
  const dir = join(repoRoot, 'dist', `cli-${name}-${process.pid}`);
  cpSync(dist, dir, { recursive: true });
  return dir;
}

describe('templates compiled ahead by the build', () => {
  it('are there for every template the emitters load, and for nothing else', () => {
    const built = Object.keys(JSON.parse(readFileSync(join(dist, PRECOMPILED_FILE), 'utf8')) as object).sort();
    const loaded = [loadPfTemplates(), loadDummynetTemplates(), loadNetgraphTemplates()].flatMap((t) => Object.keys(t.precompiled())).sort();
    expect(loaded.length).toBeGreaterThanOrEqual(7);
    expect(built).toEqual(loaded);
  });
});

describe('launcher and code cache', () => {
  it('the built CLI starts from its code cache, and translates the same with and without it', () => {
    const used = run(join(dist, 'main.js'), [...TRANSLATE, '-o', join(scratch, 'used')]);
    expect(used.status).toBe(0);
    expect(used.stderr).toContain('bpf2pf: code cache used');
    const off = run(join(dist, 'main.js'), [...TRANSLATE, '-o', join(scratch, 'off')], { BPF2PF_CODE_CACHE: 'off' });
    expect(off.status).toBe(0);
    expect(off.stderr).toContain('bpf2pf: code cache off');
    const a = files(join(scratch, 'used'));
    expect(a.size).toBeGreaterThan(5);
    expect(files(join(scratch, 'off'))).toEqual(a);
  });

  it('refuses a cache made for another bundle of the same length, and runs without it', () => {
    const dir = copyOfCli('edited');
    try {
      // Same length, different text: V8 alone would take the old cache for it.
      const bundle = join(dir, 'bpf2pf.cjs');
      const text = readFileSync(bundle, 'utf8');
      const at = text.indexOf('Compile Linux eBPF');
      expect(at).toBeGreaterThan(0);
      writeFileSync(bundle, `${text.slice(0, at)}compile Linux eBPF${text.slice(at + 'Compile Linux eBPF'.length)}`);
      const r = run(join(dir, 'main.js'), ['--help']);
      expect(r.stderr).toContain('bpf2pf: code cache for another bundle');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs when V8 refuses the cache (other flags), and says so', () => {
    const r = run(join(dist, 'main.js'), ['--version'], {}, ['--stack-size=900']);
    expect(r.stderr).toContain('bpf2pf: code cache rejected by V8');
    expect(r.status).toBe(0);
  });

  it('says in one line when the bundle is missing', () => {
    const dir = copyOfCli('nobundle');
    try {
      rmSync(join(dir, 'bpf2pf.cjs'));
      const r = run(join(dir, 'main.js'), ['--version']);
      expect(r.status).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^bpf2pf: cannot start .*bpf2pf\.cjs: .*\(run npm run build\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs without a cache file, and says so', () => {
    const dir = copyOfCli('nocache');
    try {
      rmSync(join(dir, 'bpf2pf.cache'));
      const r = run(join(dir, 'main.js'), ['inspect', coppice('mvmtap.o')]);
      expect(r.stderr).toContain('bpf2pf: code cache absent');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
