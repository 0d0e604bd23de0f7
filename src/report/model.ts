import type { Finding, IrInput, IrTarget, PolicyIR, ProgramCoverage, Severity } from '../ir/types.js';
import { compareText } from '../order.js';

/**
 * What every report format shows, computed once from a PolicyIR: the renderers (text,
 * Markdown, JSON, SARIF) only lay it out. Everything is sorted here, so every format is
 * deterministic whatever order the IR lists things in.
 */
export interface ReportModel {
  readonly target: IrTarget;
  readonly inputs: readonly IrInput[];
  readonly programs: readonly ProgramRow[];
  readonly totals: ReportTotals;
  readonly findings: readonly Finding[];
  readonly approximations: readonly Approximation[];
  /** "What the FreeBSD configuration does not do": untranslated paths, problems, approximations. */
  readonly notDone: readonly NotDoneItem[];
}

export interface ProgramRow extends ProgramCoverage {
  readonly rules: number;
  readonly findings: number;
}

export interface ReportTotals {
  readonly findings: Readonly<Record<Severity, number>>;
  readonly rules: { readonly exact: number; readonly approximate: number };
  readonly paths: ProgramCoverage['paths'];
  readonly instructions: ProgramCoverage['instructions'];
}

/** A rule, pipe or classifier that is not exactly what the program did. */
export interface Approximation {
  readonly kind: 'rule' | 'pipe' | 'classifier';
  readonly id: string;
  readonly object: string | null;
  readonly program: string | null;
  readonly reason: string;
  /** What the program did, as far as the IR says. */
  readonly note: string;
  readonly sources: readonly { readonly file: string; readonly line: number }[];
}

export interface NotDoneItem {
  readonly kind: 'untranslated' | 'finding' | 'approximation';
  readonly what: string;
  /** The finding code, for kind 'finding'. */
  readonly code: string | null;
  readonly where: string | null;
  readonly instead: string | null;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/** Worst first, then by place (object, program, source line), then code: the reading order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.object ?? '', b.object ?? '') ||
    compareText(a.program ?? '', b.program ?? '') ||
    compareText(a.source?.file ?? '', b.source?.file ?? '') ||
    (a.source?.line ?? 0) - (b.source?.line ?? 0) ||
    (a.slot ?? -1) - (b.slot ?? -1) ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message) ||
    compareText(a.construct, b.construct)
  );
}

/** A source file as BTF line info names it, without the `./` clang keeps from the command line. */
export function sourceFile(file: string): string {
  return file.replace(/^(\.\/)+/, '');
}

export function sourceText(s: { readonly file: string; readonly line: number } | null): string | null {
  return s ? `${sourceFile(s.file)}:${s.line}` : null;
}

/** Where a finding is, for one-line messages: source line, else object and program. */
export function findingPlace(f: Finding): string | null {
  const src = sourceText(f.source);
  const prog = f.program ? `${f.program}${f.object ? ` in ${f.object}` : ''}` : f.object;
  if (src && prog) return `${src} (${prog})`;
  return src ?? prog;
}

export function buildReport(ir: PolicyIR): ReportModel {
  const findings = [...ir.findings].sort(compareFindings);
  const programs = [...ir.coverage]
    .sort((a, b) => compareText(a.object, b.object) || compareText(a.program, b.program))
    .map((c) => ({
      ...c,
      rules: ir.rules.filter((r) => r.program === c.program && r.provenance.some((p) => p.object === c.object)).length,
      findings: findings.filter((f) => f.program === c.program && f.object === c.object).length,
    }));
  const approximations = collectApproximations(ir);
  const count = (s: Severity): number => findings.filter((f) => f.severity === s).length;
  const sum = <K extends string>(pick: (c: ProgramCoverage) => Record<K, number>, keys: readonly K[]): Record<K, number> =>
    Object.fromEntries(keys.map((k) => [k, programs.reduce((n, c) => n + pick(c)[k], 0)])) as Record<K, number>;
  return {
    target: ir.target,
    inputs: [...ir.inputs].sort((a, b) => compareText(a.object, b.object)),
    programs,
    totals: {
      findings: { error: count('error'), warning: count('warning'), info: count('info') },
      rules: { exact: ir.rules.filter((r) => r.fidelity.level === 'exact').length, approximate: ir.rules.filter((r) => r.fidelity.level === 'approximate').length },
      paths: sum((c) => c.paths, ['total', 'exact', 'approximate', 'untranslated'] as const),
      instructions: sum((c) => c.instructions, ['total', 'covered'] as const),
    },
    findings,
    approximations,
    notDone: notDone(programs, findings, approximations),
  };
}

function collectApproximations(ir: PolicyIR): Approximation[] {
  const out: Approximation[] = [];
  for (const r of ir.rules) {
    if (r.fidelity.level !== 'approximate') continue;
    out.push({ kind: 'rule', id: r.id, object: r.provenance[0]?.object ?? null, program: r.program, reason: r.fidelity.reason, note: r.note, sources: r.provenance.flatMap((p) => p.sources) });
  }
  for (const p of ir.pipes) {
    if (p.fidelity.level !== 'approximate') continue;
    out.push({ kind: 'pipe', id: p.name, object: null, program: null, reason: p.fidelity.reason, note: `dummynet pipe ${p.id}`, sources: [] });
  }
  for (const c of ir.classifiers) {
    if (c.fidelity.level !== 'approximate') continue;
    out.push({ kind: 'classifier', id: c.name, object: c.provenance[0]?.object ?? null, program: c.provenance[0]?.program ?? null, reason: c.fidelity.reason, note: `ng_bpf ${c.predicate}`, sources: c.provenance.flatMap((p) => p.sources) });
  }
  const kindRank = { rule: 0, pipe: 1, classifier: 2 } as const;
  return out.sort((a, b) => kindRank[a.kind] - kindRank[b.kind] || compareText(a.object ?? '', b.object ?? '') || compareText(a.program ?? '', b.program ?? '') || compareText(a.id, b.id));
}

function notDone(programs: readonly ProgramRow[], findings: readonly Finding[], approximations: readonly Approximation[]): NotDoneItem[] {
  const out: NotDoneItem[] = [];
  for (const p of programs) {
    if (p.paths.untranslated === 0) continue;
    out.push({
      kind: 'untranslated',
      what: `${p.paths.untranslated} of ${p.paths.total} paths of ${p.program} are not translated`,
      code: null,
      where: p.object,
      instead: 'see the findings for this program',
    });
  }
  for (const f of findings) {
    if (f.severity === 'info') continue;
    out.push({ kind: 'finding', what: `${f.construct}: ${f.message}`, code: f.code, where: findingPlace(f), instead: f.suggestion || null });
  }
  for (const a of approximations) {
    const src = a.sources[0] ? sourceText(a.sources[0]) : null;
    out.push({ kind: 'approximation', what: `${a.kind} ${a.id}: ${a.reason}`, code: null, where: src ?? a.program, instead: null });
  }
  return out;
}
