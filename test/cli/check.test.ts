import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/corpus.js';
import { shiftSourceLines } from '../support/shift-lines.js';

// bpf2pf check: the pre-commit gate and its baselines.

const COPPICE = ['mvmtap', 'nodenic', 'localgw'].map((n) => `corpus/coppice/obj/${n}.bpfel.v3.O2.o`);
const PROFILE = 'corpus/coppice/profile.yaml';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'bpf2pf-check-'));
}

/** The Coppice objects, each passed through `change`, under their own names in a new directory. */
function coppiceCopies(change: (bytes: Uint8Array) => Uint8Array): string[] {
  const dir = scratch();
  return COPPICE.map((p) => {
    const to = join(dir, basename(p));
    writeFileSync(to, change(readFileSync(join(repoRoot, p))));
    return to;
  });
}

describe('bpf2pf check', () => {
  it('without a baseline, every finding is new: one line each, exit 1', () => {
    const r = runCli(['check', ...COPPICE, '--profile', PROFILE]);
    expect(r.status).toBe(1);
    const json = JSON.parse(runCli(['audit', ...COPPICE, '--profile', PROFILE, '--format', 'json']).stdout);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(json.findings.length);
    for (const l of lines) expect(l).toMatch(/^.+: (error|warning|info): .+ \[B2P-[A-Z0-9-]+\]$/);
    expect(r.stderr).toBe(`bpf2pf check: ${lines.length} new findings\n`);
  });

  it('round trip: a written baseline accepts the same findings (exit 0)', () => {
    const baseline = join(scratch(), 'baseline.json');
    const w = runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    expect(w.status).toBe(0);
    expect(w.stdout).toBe('');
    const doc = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(doc.bpf2pfBaseline).toBe(2);
    for (const f of doc.findings) if (f.source !== null) expect(f.source).toMatch(/^corpus\/coppice\/src\/[\w.]+\.[ch]: \S/);
    const keys = doc.findings.map((f: object) => JSON.stringify(f));
    expect(keys).toEqual([...keys].sort((a: string, b: string) => (JSON.parse(a).code < JSON.parse(b).code ? -1 : JSON.parse(a).code > JSON.parse(b).code ? 1 : 0)));
    const r = runCli(['check', ...COPPICE, '--profile', PROFILE, '--baseline', baseline]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bpf2pf check: no new findings \(\d+ accepted by the baseline\)\n$/);
    // writing again gives the same file
    const again = join(scratch(), 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(baseline, 'utf8'));
  });

  it('the same objects built elsewhere do not churn the baseline', () => {
    const baseline = join(scratch(), 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    const moved = coppiceCopies((bytes) => bytes);
    expect(runCli(['check', ...moved, '--profile', PROFILE, '--baseline', baseline]).status).toBe(0);
  });

  it('lines added above the findings (every line number moved) do not churn the baseline', () => {
    const baseline = join(scratch(), 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    const shifted = coppiceCopies((bytes) => shiftSourceLines(bytes, 3));
    // The shift reached the findings: the same finding is now reported 3 lines further down.
    const place = (objs: string[]): string[] => runCli(['check', ...objs, '--profile', PROFILE]).stdout.match(/\.[ch]:\d+/g) ?? [];
    const [before, after] = [place(COPPICE), place(shifted)];
    expect(before.length).toBeGreaterThan(0);
    expect(after).toEqual(before.map((p) => p.replace(/\d+$/, (n) => String(Number(n) + 3))));
    const r = runCli(['check', ...shifted, '--profile', PROFILE, '--baseline', baseline]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stderr).toMatch(/^bpf2pf check: no new findings/);
  });

  it("a finding whose line's text changed is new", () => {
    const dir = scratch();
    const baseline = join(dir, 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    const doc = JSON.parse(readFileSync(baseline, 'utf8'));
    const withText = doc.findings.findIndex((f: { source: string | null }) => f.source !== null);
    expect(withText).toBeGreaterThanOrEqual(0);
    const edited = doc.findings[withText];
    // As if the line had been edited since the baseline was written.
    doc.findings[withText] = { ...edited, source: `${edited.source} /* edited */` };
    writeFileSync(baseline, JSON.stringify(doc));
    const r = runCli(['check', ...COPPICE, '--profile', PROFILE, '--baseline', baseline]);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`[${edited.code}]`);
  });

  it('a new finding fails the gate, and only it is printed', () => {
    const baseline = join(scratch(), 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    const r = runCli(['check', ...COPPICE, 'corpus/idioms/obj/mark_set.bpfel.o', '--profile', PROFILE, '--baseline', baseline]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toContain('mark_set.bpfel.o');
    expect(r.stdout).toMatch(/mark_mgmt_traffic in corpus\/idioms\/obj\/mark_set\.bpfel\.o: warning: the profile .* does not list mark_mgmt_traffic.* \[B2P-PROFILE-ASSUMED\]/);
    expect(r.stderr).toMatch(/^bpf2pf check: \d+ new findings? \(\d+ accepted by the baseline\)\n$/);
  });

  it('a baseline entry covers one finding: removing it makes that finding new', () => {
    const dir = scratch();
    const baseline = join(dir, 'baseline.json');
    runCli(['check', ...COPPICE, '--profile', PROFILE, '--write-baseline', baseline]);
    const doc = JSON.parse(readFileSync(baseline, 'utf8'));
    const dropped = doc.findings.shift();
    writeFileSync(baseline, JSON.stringify(doc));
    const r = runCli(['check', ...COPPICE, '--profile', PROFILE, '--baseline', baseline]);
    expect(r.status).toBe(1);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`[${dropped.code}]`);
  });

  it('bad baselines and usage are exit 2, one line', () => {
    const dir = scratch();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"findings": 3}');
    const r = runCli(['check', COPPICE[0], '--baseline', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`bpf2pf: ${bad}: not a bpf2pf baseline (version 2); write one with bpf2pf check --write-baseline [BASELINE_INVALID]\n`);
    expect(runCli(['check', COPPICE[0], '--baseline', join(dir, 'missing.json')]).stderr).toMatch(/cannot read: ENOENT \[IO\]\n$/);
    const both = runCli(['check', COPPICE[0], '--baseline', bad, '--write-baseline', bad]);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('bpf2pf: give --baseline or --write-baseline, not both [USAGE]\n');
  });
});
