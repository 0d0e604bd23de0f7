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

/** A map as the kernel reports it (legacy objects only: those maps are created by us). */
export interface KernelMap {
  object: string;
  map: string;
  type: number;
  key_size: number;
  value_size: number;
  max_entries: number;
  flags: number;
}

export interface KernelLoad {
  programs: LoadResult[];
  maps: KernelMap[];
}

/** Loads objects in order into one fresh pin root, so pinned maps are shared. */
export function loadIntoKernel(objects: readonly string[], tag: string): KernelLoad {
  const pinRoot = join(BPFFS, `bpf2pf-test-${process.pid}-${tag}`);
  const r = spawnSync(LOADER, ['--pin-root', pinRoot, ...objects.map((o) => join(repoRoot, o))], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (existsSync(pinRoot)) throw new Error(`bpfload left ${pinRoot} behind`);
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    programs: lines.filter((l) => 'program' in l) as unknown as LoadResult[],
    maps: lines.filter((l) => 'map' in l) as unknown as KernelMap[],
  };
}

/** libbpf's reading of an object (programs and maps), without loading anything. */
export function describeWithLibbpf(object: string): { programs: Record<string, unknown>[]; maps: Record<string, unknown>[]; error?: string } {
  const r = spawnSync(LOADER, ['--describe', join(repoRoot, object)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  const lines = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const error = lines.find((l) => 'error' in l)?.error as string | undefined;
  return { programs: lines.filter((l) => 'program' in l), maps: lines.filter((l) => 'map' in l), ...(error && { error }) };
}

export function bpffsEntries(): string[] {
  return readdirSync(BPFFS).sort();
}
