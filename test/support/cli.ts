import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

/** The built CLI (npm test builds first, through the pretest script). */
export const CLI = join(repoRoot, 'dist/cli/main.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `timeoutMs`: translating every idiom takes over a minute while one idiom's lift is slow (issue 5 note). */
export function runCli(args: readonly string[], timeoutMs = 60_000): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A process run without blocking the test worker: vitest's worker answers its runner over
 * RPC and gives up after 60 s of a blocked event loop, so runs that may take longer (every
 * idiom, all goldens) go through this instead of spawnSync.
 */
export function runAsync(command: string, args: readonly string[], timeoutMs: number, cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function runCliAsync(args: readonly string[], timeoutMs: number): Promise<CliResult> {
  return runAsync(process.execPath, [CLI, ...args], timeoutMs);
}
