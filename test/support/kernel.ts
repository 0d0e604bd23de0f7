import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

export const LOADER = join(repoRoot, 'test/.build/bpfload');
export const BPFFS = '/sys/fs/bpf';

export interface LoadResult {
  object: string;
  program: string;
  section: string;
  type: string;
  ok: boolean;
  insns: number;
  verified_insns: number;
  error?: string;
  log?: string;
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (loading BPF needs CAP_BPF and CAP_NET_ADMIN)';
  if (!existsSync(LOADER)) return 'test/.build/bpfload was not built (gcc or libbpf-dev missing)';
  const mounts = existsSync('/proc/mounts') ? readFileSync('/proc/mounts', 'utf8') : '';
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) return 'no BPF filesystem at /sys/fs/bpf';
  return undefined;
}

/** Loads objects in order into one fresh pin root, so pinned maps are shared. */
export function loadIntoKernel(objects: readonly string[], tag: string): LoadResult[] {
  const pinRoot = join(BPFFS, `bpf2pf-test-${process.pid}-${tag}`);
  const r = spawnSync(LOADER, ['--pin-root', pinRoot, ...objects.map((o) => join(repoRoot, o))], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (existsSync(pinRoot)) throw new Error(`bpfload left ${pinRoot} behind`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LoadResult);
}

export function bpffsEntries(): string[] {
  return readdirSync(BPFFS).sort();
}
