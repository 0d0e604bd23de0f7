import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { withConstants } from '../../src/translate/apply-constants.js';
import { runCli, runCliAsync } from '../support/cli.js';
import { repoRoot } from '../support/corpus.js';
import { skipLine } from '../support/tools.js';

// bpf2pf translate end to end on the built CLI: the files it writes, atomically and
// deterministically, and its exit codes.

const COPPICE = ['mvmtap', 'nodenic', 'localgw'].map((n) => `corpus/coppice/obj/${n}.bpfel.v3.O2.o`);
const PROFILE = 'corpus/coppice/profile.yaml';
const IDIOMS = readdirSync(join(repoRoot, 'corpus/idioms/obj')).filter((f) => f.endsWith('.bpfel.o')).sort().map((f) => `corpus/idioms/obj/${f}`);

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'bpf2pf-translate-'));
}

function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
  }
  return out;
}

function badProfile(dir: string): string {
  const p = join(dir, 'bad.yaml');
  writeFileSync(p, readFileSync(join(repoRoot, PROFILE), 'utf8').replace('direction: out}', 'direction: outward}'));
  return p;
}

describe('bpf2pf translate', () => {
  it('writes the reports and the IR for the Coppice objects', () => {
    const out = join(scratch(), 'out');
    const r = runCli(['translate', ...COPPICE, '--profile', PROFILE, '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^bpf2pf: wrote ${out} \\(\\d+ files\\); findings: `));
    const files = Object.keys(tree(out));
    for (const f of ['report.md', 'report.json', 'report.sarif', 'ir.json']) expect(files).toContain(f);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.inputs.map((i: { object: string }) => i.object).sort()).toEqual([...COPPICE].sort());
    expect(report.target.release).toBe('15.0');
    // the profile's timeouts that pf cannot keep are in the report
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('tcp_time_wait_sandbox_closed 10 s has no pf equivalent');
    const ir = JSON.parse(readFileSync(join(out, 'ir.json'), 'utf8'));
    expect(ir.version).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'report.sarif'), 'utf8')).version).toBe('2.1.0');
    if (!files.includes('pf.conf')) {
      skipLine('translate writes pf.conf', 'the pf emitter (src/emit/pf/index.ts) is not in this build');
      expect(r.stderr).toContain('no pf emitter');
      expect(report.findings.some((f: { construct: string }) => f.construct === 'pf emitter')).toBe(true);
    } else {
      expect(readFileSync(join(out, 'pf.conf'), 'utf8')).toMatch(/^# bpf2pf: pf.conf for FreeBSD 15\.0\n/);
    }
  });

  it('is deterministic: two runs give byte-identical directories', () => {
    const dir = scratch();
    for (const o of ['a', 'b']) expect(runCli(['translate', ...COPPICE, '--profile', PROFILE, '-o', join(dir, o)]).status).toBe(0);
    expect(tree(join(dir, 'b'))).toEqual(tree(join(dir, 'a')));
  });

  it('translates every idiom without a profile, saying what it assumed', async () => {
    const out = join(scratch(), 'out');
    const r = await runCliAsync(['translate', ...IDIOMS, '-o', out], 280_000);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.inputs).toHaveLength(IDIOMS.length);
    const assumed = report.findings.filter((f: { code: string }) => f.code === 'B2P-PROFILE-ASSUMED');
    expect(assumed.length).toBeGreaterThanOrEqual(IDIOMS.length - 2); // objects whose programs are not tc/xdp have none
    expect(assumed[0].message).toMatch(/no profile: assumed attached (in|out) on em0 \(macro ext_if\)/);
  }, 300_000);

  it('replaces its own earlier output', () => {
    const out = join(scratch(), 'out');
    expect(runCli(['translate', COPPICE[0], '-o', out]).status).toBe(0);
    expect(runCli(['translate', ...COPPICE, '--profile', PROFILE, '-o', out]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).inputs).toHaveLength(3);
  });

  it('refuses to replace a directory it did not write', () => {
    const out = join(scratch(), 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    const r = runCli(['translate', COPPICE[0], '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not an earlier output to replace.*\[IO\]\n$/);
    expect(tree(out)).toEqual({ 'notes.txt': 'keep me' });
  });

  it('a failing translate writes no directory', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    const r = runCli(['translate', ...COPPICE, '--profile', badProfile(dir), '-o', out]);
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['bad.yaml']); // no temporary directory left either
  });

  it('a failing translate keeps the previous output intact', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    expect(runCli(['translate', ...COPPICE, '--profile', PROFILE, '-o', out]).status).toBe(0);
    const before = tree(out);
    for (const args of [['--profile', badProfile(dir)], ['--const', 'nodenic_ip=300.1.1.1'], ['corpus/hostile/reloc-symbol-out-of-range.o']]) {
      const r = runCli(['translate', ...COPPICE, ...args, '-o', out]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(tree(out)).toEqual(before);
    }
    expect(readdirSync(dir).sort()).toEqual(['bad.yaml', 'out']);
  });

  it('a bad profile is one line naming the file, line and YAML path; exit 2', () => {
    const dir = scratch();
    const r = runCli(['translate', ...COPPICE, '--profile', badProfile(dir), '-o', join(dir, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`bpf2pf: ${join(dir, 'bad.yaml')}:49: programs.from_envoy.attach.direction: "outward" is not in or out [PROFILE_INVALID]\n`);
  });

  it('bad objects, constants, snapshots and targets are one line, exit 2', () => {
    const out = join(scratch(), 'out');
    const copy = join(scratch(), 'copy.o');
    writeFileSync(copy, readFileSync(join(repoRoot, COPPICE[0])));
    const cases: [string[], RegExp][] = [
      [['corpus/hostile/reloc-symbol-out-of-range.o'], /^bpf2pf: corpus\/hostile\/reloc-symbol-out-of-range\.o: .*\[ELF_BAD_RELOCATION\]\n$/],
      [['no-such.o'], /^bpf2pf: no-such\.o: cannot read: ENOENT \[IO\]\n$/],
      [[COPPICE[0], '--const', 'nodenic_ip=1.2.3'], /^bpf2pf: corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o: --const nodenic_ip=1\.2\.3: not a decimal .*\[CONST_INVALID\]\n$/],
      [[COPPICE[0], '--const', 'no_such_constant=1'], /^bpf2pf: --const no_such_constant=1: no object given has a \.rodata constant no_such_constant \[CONST_INVALID\]\n$/],
      [[COPPICE[0], '--const', 'oops'], /^bpf2pf: --const oops: expected name=value.*\[USAGE\]\n$/],
      [[COPPICE[0], '--const', 'nodenic_ip=192.0.2.10', '--const', 'nodenic_ip=192.0.2.11'], /^bpf2pf: --const nodenic_ip=192\.0\.2\.11: nodenic_ip is already set by --const nodenic_ip=192\.0\.2\.10; give each constant once \[USAGE\]\n$/],
      [[COPPICE[0], '--snapshot', PROFILE], /^bpf2pf: corpus\/coppice\/profile\.yaml: not JSON: .*\[SNAPSHOT_INVALID\]\n$/],
      [[COPPICE[0], COPPICE[0]], /^bpf2pf: corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o: given twice \[USAGE\]\n$/],
      [[COPPICE[0], copy], /^bpf2pf: \S+\/copy\.o: the same object as corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o \(sha256 [0-9a-f]{16}\.\.\.\); give it once \[USAGE\]\n$/],
      // Another build of the same program: rule ids and pf labels would collide.
      [[COPPICE[0], 'corpus/coppice/obj/mvmtap.bpfeb.v3.O2.o'], /^bpf2pf: corpus\/coppice\/obj\/mvmtap\.bpfeb\.v3\.O2\.o: entry program from_cube is also in corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o; .*\[USAGE\]\n$/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['translate', ...args, '-o', out]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    expect(runCli(['translate', COPPICE[0], '--target', 'freebsd-13', '-o', out]).status).toBe(2);
    expect(runCli(['translate', COPPICE[0]]).status).toBe(2); // no -o
  });

  it('a snapshot that does not fit the objects is one line naming it and what is wrong, exit 2, no output', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    const good = JSON.parse(readFileSync(join(repoRoot, 'corpus/coppice/snapshot.json'), 'utf8')) as { version: 1; maps: Record<string, { entries: Record<string, unknown>[] }> };
    const variant = (name: string, edit: (maps: typeof good.maps) => void): string => {
      const copy = structuredClone(good);
      edit(copy.maps);
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(copy));
      return p;
    };
    const ordered = (name: string, byteOrder: string): string => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify({ ...good, byteOrder }));
      return p;
    };
    const cases: [string, RegExp][] = [
      // One byte short of ifindex_to_mvmmeta's u32 key: the sandbox's tables used to come out empty.
      [variant('short-key.json', (m) => (m.ifindex_to_mvmmeta.entries[0].key = (m.ifindex_to_mvmmeta.entries[0].key as string).slice(0, 6))), /: does not fit corpus\/coppice\/obj\/\w+\.bpfel\.v3\.O2\.o: map ifindex_to_mvmmeta: key [0-9a-f]{6} has 3 bytes, the map's keys 4 \[SNAPSHOT_INVALID\]\n$/],
      [variant('long-value.json', (m) => (m.snat_iplist.entries[0].value = `${m.snat_iplist.entries[0].value as string}00`)), /: map snat_iplist: value of [0-9a-f]+ has \d+ bytes, the map's values \d+ \[SNAPSHOT_INVALID\]\n$/],
      [variant('inner-key.json', (m) => ((m.allow_out.entries[0].inner as { entries: { key: string }[] }).entries[0].key = '00')), /: map allow_out\[[0-9a-f]+\]: key 00 has 1 bytes, the map's keys 8 \[SNAPSHOT_INVALID\]\n$/],
      [variant('unknown-map.json', (m) => (m.no_such_map = { entries: [] })), /: map no_such_map is in none of the objects \(corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o, .*\) \[SNAPSHOT_INVALID\]\n$/],
      // A snapshot says its byte order: big-endian contents are not read into little-endian objects.
      [ordered('big.json', 'big'), /: does not fit corpus\/coppice\/obj\/\w+\.bpfel\.v3\.O2\.o: the map state holds big-endian keys and values; the object is little-endian \[SNAPSHOT_INVALID\]\n$/],
      [ordered('middle.json', 'middle'), /: byteOrder must be "little" or "big", not "middle" \[SNAPSHOT_INVALID\]\n$/],
    ];
    for (const [snapshot, message] of cases) {
      const r = runCli(['translate', ...COPPICE, '--profile', PROFILE, '--snapshot', snapshot, '-o', out]);
      expect(r.status, snapshot).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`bpf2pf: ${snapshot}: `), r.stderr).toBe(true);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    // The committed snapshot (little-endian) given with the big-endian builds of the same programs.
    const bigEndian = COPPICE.map((o) => o.replace('.bpfel.', '.bpfeb.'));
    const swapped = runCli(['translate', ...bigEndian, '--profile', PROFILE, '--snapshot', 'corpus/coppice/snapshot.json', '-o', out]);
    expect(swapped.status).toBe(2);
    expect(swapped.stderr).toMatch(/^bpf2pf: corpus\/coppice\/snapshot\.json: does not fit corpus\/coppice\/obj\/\w+\.bpfeb\.v3\.O2\.o: the map state holds little-endian keys and values; the object is big-endian \[SNAPSHOT_INVALID\]\n$/);
    expect(existsSync(out)).toBe(false);
    // The same checks hold for audit and check, which translate too.
    const audit = runCli(['audit', ...COPPICE, '--profile', PROFILE, '--snapshot', cases[0][0]]);
    expect(audit.status).toBe(2);
    expect(audit.stderr).toMatch(/\[SNAPSHOT_INVALID\]\n$/);
  });

  it('takes --const, --snapshot and --target', () => {
    const dir = scratch();
    const snapshot = join(dir, 'maps.json');
    writeFileSync(snapshot, JSON.stringify({ version: 1, maps: { allow_out: { entries: [] } } }));
    const out = join(dir, 'out');
    const r = runCli(['translate', ...COPPICE, '--profile', PROFILE, '--const', 'nodenic_ip=192.0.2.10', '--const', 'snat_port_min=40000', '--snapshot', snapshot, '--target', 'freebsd-14', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).target.release).toBe('14.3');
  });
});

describe('FreeBSD 14.x', () => {
  it("writes the sandboxes' SNAT as legacy nat on the NIC, on the packets each TAP rule routed and tagged", () => {
    const out = join(scratch(), 'out');
    const r = runCli(['translate', ...COPPICE, '--profile', PROFILE, '--snapshot', 'corpus/coppice/snapshot.json', '--target', 'freebsd-14', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    const tap = readFileSync(join(out, 'anchors/sandbox_taps/tap101.conf'), 'utf8');
    const tagged = [...tap.matchAll(/^pass in quick on tap101 route-to \(\$host_nic [\d.]+\) .* tag "(b2p-nat-from_cube\.\d+-tap101)" .*$/gm)].map((m) => m[1]);
    expect(tagged.length).toBeGreaterThanOrEqual(8);
    for (const tag of tagged) expect(tap).toMatch(new RegExp(`^nat on \\$host_nic inet proto (tcp|udp|icmp) from 169\\.254\\.68\\.6 .* tagged "${tag.replace(/\./g, '\\.')}" -> <snat_iplist> .*round-robin$`, 'm'));
    expect(tap).not.toMatch(/nat-to|rdr-to/);
    expect(readFileSync(join(out, 'pf.conf'), 'utf8')).toMatch(/^nat-anchor "sandbox_taps\/\*" on \$host_nic$/m);
    // What legacy rules still cannot do is blocked and reported: both addresses in one rule.
    const refused = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).findings.filter((f: { code: string }) => f.code === 'B2P-TARGET-14');
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) expect(f.message).toMatch(/translates both addresses/);
  });
});

describe('constants reach the objects the lifter sees', () => {
  it('rewrites the global and its .rodata bytes', () => {
    const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, COPPICE[0]))));
    const over = withConstants(obj, new Map([['nodenic_ip', Uint8Array.from([192, 0, 2, 10])]]));
    const g = over.globals.find((x) => x.name === 'nodenic_ip')!;
    expect([...g.initial]).toEqual([192, 0, 2, 10]);
    expect(g.value).not.toEqual(obj.globals.find((x) => x.name === 'nodenic_ip')!.value);
    const rodata = over.dataSections.find((s) => s.name === '.rodata')!;
    expect([...rodata.bytes.subarray(g.offset, g.offset + 4)]).toEqual([192, 0, 2, 10]);
    // the original object is not changed
    expect([...obj.dataSections.find((s) => s.name === '.rodata')!.bytes.subarray(g.offset, g.offset + 4)]).toEqual([9, 135, 10, 2]);
  });
});
