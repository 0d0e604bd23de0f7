import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

/**
 * A private network namespace for kernel runs that name interfaces by ifindex: the
 * Coppice programs key their maps on TAP ifindexes, and BPF_PROG_TEST_RUN refuses an
 * ifindex that no device has. Devices are ifb interfaces created with exactly the
 * indexes asked for; nothing touches the host's own interfaces.
 */
export interface TestNetns {
  readonly name: string;
  /** Runs `binary` inside the namespace (a wrapper script). */
  wrap(binary: string): string;
  remove(): void;
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

export function createTestNetns(tag: string, ifindexes: readonly number[]): TestNetns {
  const name = `bpf2pf-${tag}-${process.pid}`;
  ip(['netns', 'add', name]);
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    for (const i of ifindexes) {
      ip(['-n', name, 'link', 'add', `tap${i}`, 'index', String(i), 'type', 'ifb']);
      ip(['-n', name, 'link', 'set', `tap${i}`, 'up']);
    }
  } catch (e) {
    spawnSync('ip', ['netns', 'del', name]);
    throw e;
  }
  return {
    name,
    wrap(binary: string): string {
      const script = join(repoRoot, 'test/.build', `in-${name}.sh`);
      writeFileSync(script, `#!/bin/sh\nexec ip netns exec ${name} ${binary} "$@"\n`);
      chmodSync(script, 0o755);
      return script;
    },
    remove(): void {
      spawnSync('ip', ['netns', 'del', name]);
    },
  };
}

/** Why namespaces cannot be used here, or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'ip netns does not work here';
  return undefined;
}
