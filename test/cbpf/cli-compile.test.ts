import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/cbpf/compile.js';
import { disassembleCbpf } from '../../src/cbpf/disassemble.js';
import { encodeCbpf, formatDd, formatDdd } from '../../src/cbpf/encode.js';
import { repoRoot } from '../support/corpus.js';
import { LONG_HOSTS } from './filter-expressions.js';

// `bpf2pf cbpf compile` end to end, through a bundle of just the cbpf commands (as
// cli.test.ts does, in a file of its own).

const BUNDLE = join(repoRoot, 'test/.build/cbpf-compile-cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-cbpf-compile-'));

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await build({
    entryPoints: [join(repoRoot, 'test/cbpf/cli-entry.ts')], outfile: BUNDLE, bundle: true, format: 'esm',
    platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning',
  });
});

describe('bpf2pf cbpf compile', () => {
  const EXPR = 'tcp dst port 80 or vlan 10 and arp';

  it('prints the program in each form; the words of the expression are joined as tcpdump joins them', () => {
    const prog = compileFilter(EXPR);
    const ddd = cli(['cbpf', 'compile', ...EXPR.split(' ')]);
    expect(ddd.status).toBe(0);
    expect(ddd.stderr).toBe('');
    expect(ddd.stdout).toBe(formatDdd(prog));
    expect(cli(['cbpf', 'compile', EXPR]).stdout).toBe(ddd.stdout);
    expect(cli(['cbpf', 'compile', EXPR, '--format', 'dd']).stdout).toBe(formatDd(prog));
    expect(cli(['cbpf', 'compile', EXPR, '--format', 'd']).stdout).toBe(disassembleCbpf(prog));
    expect(cli(['cbpf', 'compile', EXPR, '--format', 'hex']).stdout).toBe(`${Buffer.from(encodeCbpf(prog)).toString('hex')}\n`);
    expect(cli(['cbpf', 'compile', EXPR, '--format', 'hex', '--big-endian']).stdout)
      .toBe(`${Buffer.from(encodeCbpf(prog, { littleEndian: false })).toString('hex')}\n`);
  });

  it('its output is a program `cbpf run` takes: a match returns 0xffffffff', () => {
    const file = join(dir, 'p.ddd');
    writeFileSync(file, cli(['cbpf', 'compile', 'tcp', 'dst', 'port', '80']).stdout);
    const syn = `${'00'.repeat(12)}0800 4500002800000000400600000a0000010a000002 1f900050${'00'.repeat(16)}`.replace(/ /g, '');
    const r = cli(['cbpf', 'run', file, '--packet', syn, '--packet', `${'00'.repeat(12)}0806`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('frame 1: 4294967295 (match)\nframe 2: 0 (no match)\n');
  });

  it('--legacy avoids MOD; --max-insns is enforced', () => {
    const legacy = cli(['cbpf', 'compile', 'ip[8] % 3 == 0', '--legacy', '--format', 'd']);
    expect(legacy.status).toBe(0);
    expect(legacy.stdout).not.toMatch(/\bmod\b/);
    expect(cli(['cbpf', 'compile', 'ip[8] % 3 == 0', '--format', 'd']).stdout).toMatch(/\bmod\b/);
    const long = cli(['cbpf', 'compile', LONG_HOSTS, '--max-insns', '100']);
    expect(long.status).toBe(2);
    expect(long.stderr).toMatch(/more than the 100 net\.bpf\.maxinsns allows .*\[CBPF_TOO_LONG\]\n$/);
  });

  it('a bad expression is one line on stderr naming the problem, exit 2', () => {
    const r = cli(['cbpf', 'compile', 'tcp', 'port']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("bpf2pf: expression 'tcp port': column 9: unexpected end of expression [CBPF_FILTER_SYNTAX]\n");
    const names = cli(['cbpf', 'compile', 'host', 'gw.example.com']);
    expect(names.status).toBe(2);
    expect(names.stderr).toMatch(/^bpf2pf: expression 'host gw\.example\.com': column 6: .*not resolved.* \[CBPF_UNSUPPORTED\]\n$/);
    const invalid = cli(['cbpf', 'compile', 'net 10.0.0.1/8']);
    expect(invalid.stderr).toMatch(/non-network bits set .*\[CBPF_FILTER_INVALID\]\n$/);
    expect(invalid.stderr.split('\n')).toHaveLength(2);
    const format = cli(['cbpf', 'compile', 'ip', '--format', 'x']);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/\[USAGE\]\n$/);
  });
});
