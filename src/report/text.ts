import type { Finding } from '../ir/types.js';
import { findingPlace, type ReportModel } from './model.js';

/** The report for a terminal: a coverage table, one line per finding, approximations, what is not done. */
export function reportText(m: ReportModel): string {
  const out: string[] = [];
  const t = m.totals;
  out.push(`bpf2pf report for FreeBSD ${m.target.release}: ${plural(m.inputs.length, 'object')}, ${plural(m.programs.length, 'program')}, ${plural(t.rules.exact + t.rules.approximate, 'rule')} (${t.rules.approximate} approximate)`);
  if (m.programs.length) {
    out.push('');
    out.push(
      ...table(
        ['program', 'object', 'paths', 'exact', 'approx', 'untranslated', 'instructions covered'],
        m.programs.map((p) => [p.program, p.object, String(p.paths.total), String(p.paths.exact), String(p.paths.approximate), String(p.paths.untranslated), `${p.instructions.covered}/${p.instructions.total} (${percent(p.instructions.covered, p.instructions.total)})`]),
      ),
    );
  }
  out.push('');
  out.push(`findings: ${plural(t.findings.error, 'error')}, ${plural(t.findings.warning, 'warning')}, ${t.findings.info} info`);
  for (const f of m.findings) out.push(...findingLines(f));
  if (m.approximations.length) {
    out.push('');
    out.push(`approximations (${m.approximations.length}):`);
    for (const a of m.approximations) out.push(`  ${a.kind} ${a.id}${a.program ? ` (${a.program})` : ''}: ${a.reason}`);
  }
  return `${out.join('\n')}\n`;
}

/** One finding as `severity code place: message`, and what to do instead on the next line. */
export function findingLines(f: Finding): string[] {
  const place = findingPlace(f);
  const lines = [`  ${f.severity.padEnd(7)} ${f.code}${place ? ` ${place}` : ''}: ${f.message}`];
  if (f.suggestion) lines.push(`          instead: ${f.suggestion}`);
  return lines;
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Text columns left-aligned, numbers right-aligned.
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => /^[0-9]/.test(r[i])));
  const line = (r: readonly string[]): string => `  ${r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

export function percent(n: number, of: number): string {
  return of === 0 ? '-' : `${Math.floor((100 * n) / of)}%`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
