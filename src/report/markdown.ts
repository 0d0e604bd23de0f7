import type { Finding } from '../ir/types.js';
import { sourceText, type ReportModel } from './model.js';
import { percent, plural } from './text.js';

/** report.md: for the people migrating, readable on GitHub and in a terminal pager. */
export function reportMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const t = m.totals;
  out.push('# bpf2pf migration report', '');
  out.push(`Target: FreeBSD ${m.target.release}. ${plural(t.rules.exact + t.rules.approximate, 'rule')}, ${t.rules.approximate} of them approximate; ${plural(t.findings.error, 'error')}, ${plural(t.findings.warning, 'warning')}, ${t.findings.info} info.`, '');

  out.push('## Inputs', '');
  out.push('| object | sha256 | programs |', '|---|---|---|');
  for (const i of m.inputs) out.push(`| ${text(i.object)} | \`${i.sha256}\` | ${text(i.programs.join(', '))} |`);
  out.push('');

  out.push('## Summary', '');
  if (m.programs.length === 0) out.push('No program coverage was reported.');
  else out.push('| program | object | paths | exact | approximate | untranslated | instructions covered | rules | findings |', '|---|---|--:|--:|--:|--:|--:|--:|--:|');
  for (const p of m.programs) {
    out.push(`| ${text(p.program)} | ${text(p.object)} | ${p.paths.total} | ${p.paths.exact} | ${p.paths.approximate} | ${p.paths.untranslated} | ${p.instructions.covered} of ${p.instructions.total} (${percent(p.instructions.covered, p.instructions.total)}) | ${p.rules} | ${p.findings} |`);
  }
  if (m.programs.length > 1) {
    out.push(`| **all** | | ${t.paths.total} | ${t.paths.exact} | ${t.paths.approximate} | ${t.paths.untranslated} | ${t.instructions.covered} of ${t.instructions.total} (${percent(t.instructions.covered, t.instructions.total)}) | ${t.rules.exact + t.rules.approximate} | ${m.findings.length} |`);
  }
  out.push('');

  out.push('## What the FreeBSD configuration does not do', '');
  if (m.notDone.length === 0) out.push('Nothing known: every path is translated exactly.');
  for (const n of m.notDone) {
    out.push(`- ${text(n.what)}${n.code ? ` (${code(n.code)})` : ''}${n.where ? `, ${text(n.where)}` : ''}${n.instead ? `. Instead: ${text(n.instead)}` : ''}`);
  }
  out.push('');

  out.push('## Findings', '');
  if (m.findings.length === 0) out.push('None.', '');
  for (const f of m.findings) out.push(...findingSection(f));

  out.push('## Approximations', '');
  if (m.approximations.length === 0) out.push('None: every rule, pipe and classifier is exact.', '');
  else {
    out.push('| kind | id | program | reason | what the program did | source |', '|---|---|---|---|---|---|');
    for (const a of m.approximations) {
      out.push(`| ${a.kind} | ${text(a.id)} | ${text(a.program ?? '')} | ${text(a.reason)} | ${text(a.note)} | ${text(a.sources.map((s) => sourceText(s)).join(', '))} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function findingSection(f: Finding): string[] {
  const where = [f.object, f.program && `program ${f.program}`, f.section && `section ${f.section}`, f.slot !== null && `instruction ${f.slot}`].filter(Boolean).join(', ');
  const lines = [`### ${f.severity}: ${code(f.code)}${f.source ? ` at ${text(sourceText(f.source)!)}` : ''}`, '', text(f.message), ''];
  if (where) lines.push(`- where: ${text(where)}`);
  lines.push(`- construct: ${text(f.construct)}`);
  if (f.suggestion) lines.push(`- on FreeBSD instead: ${text(f.suggestion)}`);
  lines.push('');
  return lines;
}

/** A code span; a backtick cannot be escaped inside one, so it is dropped. */
function code(s: string): string {
  return `\`${s.replace(/`/g, '')}\``;
}

/**
 * Text from objects and profiles (source paths, messages) shown as text, never as
 * Markdown or HTML: a name cannot open a link, a tag or a table cell. (`_` inside words
 * is not emphasis in GitHub Markdown, so program names stay readable unescaped.)
 */
function text(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').replace(/([\\`*[\]<>|])/g, '\\$1');
}
