import type { Finding } from '../ir/types.js';
import { identityKey, findingIdentity } from './baseline.js';
import type { ReportModel } from './model.js';

/**
 * report.json (document version 1). Every object is built here field by field, so the
 * key order is fixed by this file and not by whoever produced the IR.
 */
export const REPORT_JSON_VERSION = 1;

export function reportJson(m: ReportModel): string {
  const t = m.totals;
  const doc = {
    bpf2pfReport: REPORT_JSON_VERSION,
    target: { os: m.target.os, release: m.target.release },
    inputs: m.inputs.map((i) => ({ object: i.object, sha256: i.sha256, programs: [...i.programs] })),
    summary: {
      programs: m.programs.length,
      findings: { error: t.findings.error, warning: t.findings.warning, info: t.findings.info },
      rules: { exact: t.rules.exact, approximate: t.rules.approximate },
      paths: { total: t.paths.total, exact: t.paths.exact, approximate: t.paths.approximate, untranslated: t.paths.untranslated },
      instructions: { total: t.instructions.total, covered: t.instructions.covered },
    },
    programs: m.programs.map((p) => ({
      object: p.object,
      program: p.program,
      paths: { total: p.paths.total, exact: p.paths.exact, approximate: p.paths.approximate, untranslated: p.paths.untranslated },
      instructions: { total: p.instructions.total, covered: p.instructions.covered },
      rules: p.rules,
      findings: p.findings,
    })),
    findings: m.findings.map(findingJson),
    approximations: m.approximations.map((a) => ({
      kind: a.kind,
      id: a.id,
      object: a.object,
      program: a.program,
      reason: a.reason,
      note: a.note,
      sources: a.sources.map((s) => ({ file: s.file, line: s.line })),
    })),
    notDone: m.notDone.map((n) => ({ kind: n.kind, what: n.what, code: n.code, where: n.where, instead: n.instead })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function findingJson(f: Finding): Record<string, unknown> {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    object: f.object,
    program: f.program,
    section: f.section,
    slot: f.slot,
    source: f.source ? { file: f.source.file, line: f.source.line, text: f.source.text } : null,
    construct: f.construct,
    suggestion: f.suggestion,
    /** The baseline identity (see baseline.ts), for tools that track findings across runs. */
    identity: identityKey(findingIdentity(f)),
  };
}
