import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

// bpf2pf audit: the report alone on stdout, in each format.

const COPPICE = ['mvmtap', 'nodenic', 'localgw'].map((n) => `corpus/coppice/obj/${n}.bpfel.v3.O2.o`);
const PROFILE = 'corpus/coppice/profile.yaml';

describe('bpf2pf audit', () => {
  it('prints the text report by default', () => {
    const r = runCli(['audit', ...COPPICE, '--profile', PROFILE]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bpf2pf report for FreeBSD 15\.0: 3 objects/);
    expect(r.stdout).toMatch(/findings: \d+ errors?, \d+ warnings?, \d+ info/);
    expect(r.stdout).toContain('B2P-STATE-APPROXIMATE');
  });

  it('prints Markdown, JSON and SARIF', () => {
    const md = runCli(['audit', ...COPPICE, '--profile', PROFILE, '--format', 'md']);
    expect(md.status).toBe(0);
    expect(md.stdout).toMatch(/^# bpf2pf migration report\n/);
    expect(md.stdout).toContain('## What the FreeBSD configuration does not do');
    const json = JSON.parse(runCli(['audit', ...COPPICE, '--profile', PROFILE, '--format', 'json']).stdout);
    expect(json.bpf2pfReport).toBe(1);
    expect(json.inputs).toHaveLength(3);
    const sarif = JSON.parse(runCli(['audit', ...COPPICE, '--profile', PROFILE, '--format', 'sarif']).stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(json.findings.length);
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(json.findings.map((f: { code: string }) => f.code));
  });

  it('is the same report as translate writes, and deterministic', () => {
    const a = runCli(['audit', ...COPPICE, '--profile', PROFILE, '--format', 'json']).stdout;
    const b = runCli(['audit', ...[...COPPICE].reverse(), '--profile', PROFILE, '--format', 'json']).stdout;
    expect(b).toBe(a);
  });

  it('says what it assumed without a profile', () => {
    const r = runCli(['audit', 'corpus/idioms/obj/mark_set.bpfel.o', '--format', 'json']);
    const f = JSON.parse(r.stdout).findings.find((x: { code: string }) => x.code === 'B2P-PROFILE-ASSUMED');
    expect(f).toMatchObject({ severity: 'warning', program: 'mark_mgmt_traffic', object: 'corpus/idioms/obj/mark_set.bpfel.o' });
  });

  it('writes for the release --target names', () => {
    expect(JSON.parse(runCli(['audit', COPPICE[0], '--profile', PROFILE, '--target', 'freebsd-14', '--format', 'json']).stdout).target.release).toBe('14.3');
  });

  it('bad usage is exit 2 with nothing on stdout', () => {
    for (const args of [['audit', COPPICE[0], '--format', 'pdf'], ['audit'], ['audit', COPPICE[0], '--profile', 'no-such.yaml']]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
    expect(runCli(['audit', COPPICE[0], '--profile', 'no-such.yaml']).stderr).toBe('bpf2pf: no-such.yaml: cannot read: ENOENT [IO]\n');
  });
});
