import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePcap } from '../../src/packet/pcap.js';
import { repoRoot } from '../support/corpus.js';
import { runTool, skipLine } from '../support/tools.js';
import { generateFrames } from './frames.js';
import { hasTcpdump, tcpdumpDump } from './peer.js';

// The cbpf commands end to end, through a bundle of just these commands (main.ts
// registers them separately). Peers: tcpdump's dumps, and tcpdump -r filtering a pcap.

const BUNDLE = join(repoRoot, 'test/.build/cbpf-cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-cbpf-'));

function cli(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', input, cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  await build({
    entryPoints: [join(repoRoot, 'test/cbpf/cli-entry.ts')], outfile: BUNDLE, bundle: true, format: 'esm',
    platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning',
  });
});

describe('bpf2pf cbpf', () => {
  const EXPR = 'tcp dst port 80 or vlan 10 and arp';

  it('asm turns tcpdump -d into tcpdump -ddd and -dd, and disasm turns them back', () => {
    if (!hasTcpdump()) return skipLine('cbpf cli', 'tcpdump not installed');
    const d = file('p.d', tcpdumpDump('-d', EXPR));
    const ddd = cli(['cbpf', 'asm', d]);
    expect(ddd.status).toBe(0);
    expect(ddd.stdout).toBe(tcpdumpDump('-ddd', EXPR));
    expect(cli(['cbpf', 'asm', '--format', 'dd', d]).stdout).toBe(tcpdumpDump('-dd', EXPR));
    expect(cli(['cbpf', 'disasm', '-'], ddd.stdout).stdout).toBe(tcpdumpDump('-d', EXPR));
    const hex = cli(['cbpf', 'asm', '--format', 'hex', d]).stdout.trim();
    const bin = file('p.bin', Buffer.from(hex, 'hex'));
    expect(cli(['cbpf', 'disasm', '--binary', bin]).stdout).toBe(tcpdumpDump('-d', EXPR));
  });

  it('run gives the verdicts tcpdump -r gives on the same pcap', () => {
    if (!hasTcpdump()) return skipLine('cbpf cli', 'tcpdump not installed');
    const frames = generateFrames(400, 5);
    const pcap = file('frames.pcap', writePcap(frames));
    const prog = file('p.ddd', tcpdumpDump('-ddd', EXPR));
    const r = cli(['cbpf', 'run', prog, '--pcap', pcap]);
    expect(r.status).toBe(0);
    const ours = r.stdout.trim().split('\n').map((l) => !/: 0 \(no match\)$/.test(l));
    // tcpdump -r prints one line per matching frame; writePcap stamps frame i at i µs.
    const stamps = runTool('tcpdump', ['-r', pcap, '-nn', '-tt', EXPR]).trim().split('\n').filter((l) => /^\d+\.\d{6} /.test(l));
    const matched = new Set(stamps.map((l) => Number(l.slice(l.indexOf('.') + 1, l.indexOf('.') + 7)) + 1));
    expect(ours.length).toBe(frames.length);
    ours.forEach((m, i) => expect(m, `frame ${i + 1}`).toBe(matched.has(i + 1)));
    expect(matched.size).toBeGreaterThan(0);
  });

  it('run --packet, and the cut length', () => {
    const prog = file('cut.d', 'ldh [12]\njeq #0x800 jt 2 jf 3\nret #20\nret #0\n');
    const r = cli(['cbpf', 'run', prog, '--packet', `${'00'.repeat(12)}0800${'00'.repeat(40)}`, '--packet', '0806']);
    expect(r.stdout).toBe('frame 1: 20 (match, cut to 20 of 54 bytes)\nframe 2: 0 (no match)\n');
  });

  it('errors are one line with exit 2', () => {
    const bad = file('bad.d', 'ldh [12]\njeq #0x800 jt 2\n');
    const r = cli(['cbpf', 'asm', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`bpf2pf: ${bad}: line 2:16: expected 'jf', found end of line [CBPF_SYNTAX]\n`);
    const invalid = file('invalid.d', 'ld #1\nja 0\nret a\n');
    const v = cli(['cbpf', 'asm', invalid]);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/instruction 1 \(ja 0\): .*\[jump-range\] \[CBPF_INVALID\]\n$/);
    expect(cli(['cbpf', 'asm', '--no-validate', invalid]).status).toBe(0);
    expect(cli(['cbpf', 'run', invalid, '--packet', '00']).status).toBe(2);
    expect(cli(['cbpf', 'run', invalid]).stderr).toMatch(/\[USAGE\]/);
    expect(cli(['cbpf', 'asm', join(dir, 'missing')]).stderr).toMatch(/\[IO\]\n$/);
  });
});
