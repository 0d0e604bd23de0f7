import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support/corpus.js';

/**
 * Builds the test helpers written in C (the kernel loader) and makes sure a BPF
 * filesystem is mounted when we are allowed to mount one. Tests that need either check
 * for themselves and print SKIP when it is not there; nothing here fails the run.
 */
export default function setup(): void {
  const build = join(repoRoot, 'test/.build');
  mkdirSync(build, { recursive: true });
  const loader = join(build, 'bpfload');
  const src = join(repoRoot, 'test/kernel/bpfload.c');
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', loader, src, '-lbpf', '-lelf', '-lz'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`SKIP: kernel loader not built: ${r.error ? 'gcc missing' : r.stderr.split('\n')[0]}`);
  }
  // The kernel oracle of the differential tests (test/oracle/*.c).
  const oracleDir = join(repoRoot, 'test/oracle');
  const oracleSources = readdirSync(oracleDir).filter((f) => f.endsWith('.c')).map((f) => join(oracleDir, f));
  // Built beside and renamed into place: a test run in progress keeps a whole binary.
  const oracleTmp = join(build, `oracle.${process.pid}.tmp`);
  const o = spawnSync('gcc', ['-O2', '-Wall', '-o', oracleTmp, ...oracleSources, '-lbpf', '-lelf', '-lz'], { encoding: 'utf8' });
  if (o.status === 0) {
    renameSync(oracleTmp, join(build, 'oracle'));
  } else {
    console.log(`SKIP: kernel oracle not built: ${o.error ? 'gcc missing' : o.stderr.split('\n')[0]}`);
  }
  buildPcapHarness(build);
  ensureBpffs();
}

/** test/cbpf's oracle: libpcap's bpf_validate/bpf_filter/bpf_image and the Linux socket filter. */
function buildPcapHarness(build: string): void {
  const src = join(repoRoot, 'test/cbpf/pcap-harness.c');
  // Built beside and renamed into place: a test run going on at the same time keeps
  // running the old binary instead of finding a half-written one.
  const tmp = join(build, `pcap-harness.${process.pid}.tmp`);
  const r = spawnSync('gcc', ['-O2', '-Wall', '-o', tmp, src, '-lpcap'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(`SKIP: cBPF harness not built: ${r.error ? 'gcc missing' : r.stderr.split('\n')[0]}`);
    return;
  }
  renameSync(tmp, join(build, 'pcap-harness'));
}

function ensureBpffs(): void {
  if (process.getuid?.() !== 0) return;
  const mounts = existsSync('/proc/mounts') ? readFileSync('/proc/mounts', 'utf8') : '';
  if (/ \/sys\/fs\/bpf bpf /.test(mounts)) return;
  try {
    execFileSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf'], { stdio: 'ignore' });
  } catch {
    /* the kernel tests will say SKIP */
  }
}
