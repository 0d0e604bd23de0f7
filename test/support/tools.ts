import { execFileSync, spawnSync } from 'node:child_process';

/** Whether an external program can be run here. */
export function hasTool(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return !r.error;
}

/** The visible line a test prints when a peer it needs is missing. */
export function skipLine(what: string, reason: string): void {
  console.log(`SKIP: ${what}: ${reason}`);
}

/** Runs a tool and returns stdout; throws with stderr on failure. */
export function runTool(bin: string, args: readonly string[], input?: Uint8Array): string {
  return execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 256 << 20, input });
}
