import { describe, expect, it } from 'vitest';
import { reportJson } from '../../src/report/json.js';
import { reportMarkdown } from '../../src/report/markdown.js';
import { buildReport } from '../../src/report/model.js';
import { reportSarif } from '../../src/report/sarif.js';
import { reportText } from '../../src/report/text.js';
import { finding, sampleIr, shuffled } from './fixture.js';

const model = buildReport(sampleIr());

describe('report model', () => {
  it('orders findings worst first, then by place', () => {
    expect(model.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['error B2P-UNTRANSLATABLE-HELPER', 'warning B2P-DNS-LEARNING', 'info B2P-CHECKSUM']);
  });

  it('sums coverage and counts rules per program', () => {
    expect(model.totals.paths).toEqual({ total: 15, exact: 12, approximate: 1, untranslated: 2 });
    expect(model.totals.instructions).toEqual({ total: 873, covered: 773 });
    expect(model.totals.rules).toEqual({ exact: 1, approximate: 1 });
    expect(model.programs.map((p) => [p.program, p.rules, p.findings])).toEqual([
      ['from_cube', 0, 1],
      ['from_world', 2, 2],
    ]);
  });

  it('lists what the FreeBSD side does not do: untranslated paths, errors and warnings, approximations', () => {
    expect(model.notDone.map((n) => n.kind)).toEqual(['untranslated', 'finding', 'finding', 'approximation', 'approximation']);
    expect(model.notDone[0].what).toBe('2 of 10 paths of from_world are not translated');
  });

  it('does not depend on the order the IR lists things in', () => {
    const other = buildReport(shuffled(sampleIr()));
    expect(reportJson(other)).toBe(reportJson(model));
    expect(reportMarkdown(other)).toBe(reportMarkdown(model));
    expect(reportSarif(other, { toolVersion: '1' })).toBe(reportSarif(model, { toolVersion: '1' }));
    expect(reportText(other)).toBe(reportText(model));
  });
});

describe('report.md', () => {
  const md = reportMarkdown(model);

  it('has a summary row per program with paths and instructions covered', () => {
    expect(md).toContain('| from_world | corpus/coppice/obj/nodenic.bpfel.v3.O2.o | 10 | 7 | 1 | 2 | 300 of 400 (75%) | 2 | 2 |');
    expect(md).toContain('| from_cube | corpus/coppice/obj/mvmtap.bpfel.v3.O2.o | 5 | 5 | 0 | 0 | 473 of 473 (100%) | 0 | 1 |');
    expect(md).toContain('| **all** | | 15 | 12 | 1 | 2 | 773 of 873 (88%) | 2 | 3 |');
  });

  it('shows every finding with code, severity, source, construct and suggestion', () => {
    expect(md).toContain('### error: `B2P-UNTRANSLATABLE-HELPER` at corpus/coppice/src/nodenic.bpf.c:88');
    expect(md).toContain('- where: corpus/coppice/obj/nodenic.bpfel.v3.O2.o, program from_world, section tc, instruction 120');
    expect(md).toContain('- construct: bpf_fib_lookup');
    expect(md).toContain('- on FreeBSD instead: route with the FreeBSD routing table; pf route-to for fixed next hops');
    expect(md).toContain('### info: `B2P-CHECKSUM` at corpus/coppice/src/nodenic.bpf.c:12');
  });

  it('gives every approximate rule its reason', () => {
    expect(md).toContain('| rule | from_world.2 |');
    expect(md).toContain('pf keeps state where the program tracked a session \\| by hand');
    expect(md).toContain('| pipe | egress |');
  });

  it('has the section of what the configuration does not do', () => {
    const section = md.split('## What the FreeBSD configuration does not do')[1].split('\n## ')[0];
    expect(section).toContain('- 2 of 10 paths of from_world are not translated');
    expect(section).toContain('- bpf_fib_lookup: bpf_fib_lookup decides the next hop at run time (`B2P-UNTRANSLATABLE-HELPER`), corpus/coppice/src/nodenic.bpf.c:88 (from_world in corpus/coppice/obj/nodenic.bpfel.v3.O2.o)');
    expect(section).toContain('rule from_world.2: pf keeps state');
    expect(section).not.toContain('B2P-CHECKSUM');
  });

  it('shows text from objects as text, not markup', () => {
    expect(md).toContain('DNS answers feed allow_out \\<script\\>');
    expect(md).not.toContain('<script>');
  });

  it('says so when there is nothing to report', () => {
    const empty = reportMarkdown(buildReport({ ...sampleIr(), rules: [], pipes: [], findings: [], coverage: [] }));
    expect(empty).toContain('No program coverage was reported.');
    expect(empty).toContain('Nothing known: every path is translated exactly.');
    expect(empty).toMatch(/## Findings\n\nNone\./);
  });
});

describe('report.json', () => {
  const doc = JSON.parse(reportJson(model));

  it('has a fixed key order', () => {
    expect(Object.keys(doc)).toEqual(['bpf2pfReport', 'target', 'inputs', 'summary', 'programs', 'findings', 'approximations', 'notDone']);
    expect(Object.keys(doc.findings[0])).toEqual(['code', 'severity', 'message', 'object', 'program', 'section', 'slot', 'source', 'construct', 'suggestion', 'identity']);
  });

  it('carries the summary and every finding', () => {
    expect(doc.bpf2pfReport).toBe(1);
    expect(doc.summary.findings).toEqual({ error: 1, warning: 1, info: 1 });
    expect(doc.findings).toHaveLength(3);
    expect(doc.findings[0].identity).toBe('["B2P-UNTRANSLATABLE-HELPER","nodenic.bpfel.v3.O2.o","from_world","corpus/coppice/src/nodenic.bpf.c: rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);"]');
    expect(doc.approximations.map((a: { id: string }) => a.id)).toEqual(['from_world.2', 'egress']);
  });
});

describe('report.sarif', () => {
  const doc = JSON.parse(reportSarif(model, { toolVersion: '0.1.0' }));
  const run = doc.runs[0];

  it('is a SARIF 2.1.0 log with one run by bpf2pf', () => {
    expect(doc.version).toBe('2.1.0');
    expect(doc.$schema).toMatch(/sarif-2\.1\.0/);
    expect(doc.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('bpf2pf');
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['B2P-CHECKSUM', 'B2P-DNS-LEARNING', 'B2P-UNTRANSLATABLE-HELPER']);
  });

  it('has one result per finding: ruleId the code, level from severity, location the source line', () => {
    expect(run.results).toHaveLength(3);
    const [err, warn, info] = run.results;
    expect(err.ruleId).toBe('B2P-UNTRANSLATABLE-HELPER');
    expect(run.tool.driver.rules[err.ruleIndex].id).toBe(err.ruleId);
    expect([err.level, warn.level, info.level]).toEqual(['error', 'warning', 'note']);
    expect(err.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'corpus/coppice/src/nodenic.bpf.c' }, region: { startLine: 88 } });
    expect(err.locations[0].logicalLocations).toEqual([{ name: 'from_world', kind: 'function' }]);
    expect(err.message.text).toBe('bpf_fib_lookup decides the next hop at run time. On FreeBSD: route with the FreeBSD routing table; pf route-to for fixed next hops.');
    // no source line: the object file is the location
    expect(warn.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o' } });
    expect(err.partialFingerprints['bpf2pfIdentity/v2']).toContain('nodenic.bpfel.v3.O2.o');
  });

  it('encodes paths as URIs and leaves out locations it does not have', () => {
    const m = buildReport({ ...sampleIr(), findings: [finding({ source: { file: '/src/my prog.c', line: 3, text: 'return 0;' } }), finding({ object: null, program: null, source: null })] });
    const results = JSON.parse(reportSarif(m, { toolVersion: '1' })).runs[0].results as { locations?: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(results.map((r) => r.locations?.[0].physicalLocation.artifactLocation.uri ?? null).sort()).toEqual(['file:///src/my%20prog.c', null]);
  });
});

describe('text report', () => {
  it('is a table and one line per finding', () => {
    const text = reportText(model);
    expect(text).toMatch(/^bpf2pf report for FreeBSD 15\.0: 2 objects, 2 programs, 2 rules \(1 approximate\)/);
    expect(text).toMatch(/ from_world +corpus\/coppice\/obj\/nodenic\.bpfel\.v3\.O2\.o +10 +7 +1 +2 +300\/400 \(75%\)/);
    expect(text).toContain('  error   B2P-UNTRANSLATABLE-HELPER corpus/coppice/src/nodenic.bpf.c:88 (from_world in corpus/coppice/obj/nodenic.bpfel.v3.O2.o): bpf_fib_lookup decides the next hop at run time');
    expect(text).toContain('  rule from_world.2 (from_world): pf keeps state');
  });
});
