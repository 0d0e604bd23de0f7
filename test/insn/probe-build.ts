/**
 * Builds the instruction probes (test/insn/probes/*.c) at test time, for every compiler,
 * cpu version and byte order we care about, and finds the corpus objects.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const PROBE_DIR = join(REPO, 'test/insn/probes');

export interface BuiltObject {
  /** Short name for test titles: `calls 14/v3/bpfeb` or `corpus/idioms/x.o`. */
  readonly label: string;
  readonly file: string;
  /** Source probe name (without .c), if built from a probe. */
  readonly probe?: string;
}

interface Config {
  readonly compiler: 'clang-14' | 'clang-19';
  readonly cpu: 1 | 2 | 3 | 4;
  readonly target: 'bpfel' | 'bpfeb';
}

const CONFIGS: readonly Config[] = [
  ...([1, 2, 3] as const).flatMap((cpu) => (['bpfel', 'bpfeb'] as const).map((target) => ({ compiler: 'clang-14' as const, cpu, target }))),
  ...(['bpfel', 'bpfeb'] as const).map((target) => ({ compiler: 'clang-19' as const, cpu: 4 as const, target })),
];

export function probeSources(): readonly string[] {
  return readdirSync(PROBE_DIR).filter((f) => f.endsWith('.c')).sort();
}

function compilerPresent(compiler: string): boolean {
  return spawnSync(compiler, ['--version']).status === 0;
}

function compile(compiler: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(compiler, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${compiler} ${args.join(' ')} failed:\n${err}`))));
  });
}

export interface ProbeBuild {
  readonly objects: readonly BuiltObject[];
  /** Configurations built (8 with both compilers present). */
  readonly configurations: number;
  /** Removes the temporary directory (call it from afterAll). */
  readonly remove: () => void;
}

/**
 * Compiles every probe for every configuration into a fresh temporary directory.
 * Missing compilers are reported with a SKIP line and left out.
 */
export async function buildProbes(): Promise<ProbeBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-probes-'));
  const present = new Map<string, boolean>();
  for (const c of ['clang-14', 'clang-19']) {
    present.set(c, compilerPresent(c));
    if (!present.get(c)) console.log(`SKIP: ${c} not found; probes for it are not built`);
  }
  const jobs: { obj: BuiltObject; compiler: string; args: string[] }[] = [];
  for (const source of probeSources()) {
    const probe = source.replace(/\.c$/, '');
    for (const c of CONFIGS) {
      if (!present.get(c.compiler)) continue;
      const version = c.compiler === 'clang-14' ? '14' : '19';
      const file = join(dir, `${probe}-${version}-v${c.cpu}-${c.target}.o`);
      jobs.push({
        obj: { label: `${probe} ${version}/v${c.cpu}/${c.target}`, file, probe },
        compiler: c.compiler,
        args: ['-O2', '-g', '-target', c.target, `-mcpu=v${c.cpu}`, `-DPROBE_CPU=${c.cpu}`, '-I', PROBE_DIR, '-c', join(PROBE_DIR, source), '-o', file],
      });
    }
  }
  const width = Math.max(2, cpus().length);
  for (let i = 0; i < jobs.length; i += width) {
    await Promise.all(jobs.slice(i, i + width).map((j) => compile(j.compiler, j.args)));
  }
  return {
    objects: jobs.map((j) => j.obj),
    configurations: CONFIGS.filter((c) => present.get(c.compiler)).length,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every `.o` under corpus/, except corpus/hostile/ (malformed on purpose). */
export function corpusObjects(): readonly BuiltObject[] {
  const root = join(REPO, 'corpus');
  const found: BuiltObject[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (relative(root, p) !== 'hostile') walk(p);
      } else if (name.endsWith('.o')) {
        found.push({ label: relative(REPO, p), file: p });
      }
    }
  };
  walk(root);
  return found;
}
