import { fail } from '../errors.js';
import type { Finding, FindingSource } from '../ir/types.js';
import { compareText } from '../order.js';
import { sourceFile } from './model.js';

/**
 * Baselines for `bpf2pf check`: the findings a project has accepted, so the gate fails
 * only on new ones.
 *
 * A finding's identity is its code, the file name of its object (no directories), its
 * program and its source line: the file and the line's text (whitespace collapsed), not
 * its number, so a line added above a finding does not make it new, while editing the
 * line it is on does. A finding whose object records no text for the line falls back to
 * `file:line`. Instruction slots and message text are not part of it: recompiling with
 * another clang, -O level or cpu version moves slots and may reword messages, and must
 * not churn the baseline. Two findings with the same identity count twice: the baseline
 * is a multiset, so a second occurrence of an accepted finding is new (two findings on
 * lines with the same text, such as two `return TC_ACT_SHOT;`, are two entries).
 *
 * Version 1 baselines identified findings by line number; they are refused with a word
 * on how to write a new one, rather than read with the wrong identity.
 */
export interface BaselineEntry {
  readonly code: string;
  readonly object: string | null;
  readonly program: string | null;
  /** `file: text` of the source line, `file:line` when the object has no text for it. */
  readonly source: string | null;
}

export interface Baseline {
  readonly bpf2pfBaseline: 2;
  /** Sorted by code, object, program, source. */
  readonly findings: readonly BaselineEntry[];
}

export function findingIdentity(f: Finding): BaselineEntry {
  return { code: f.code, object: f.object === null ? null : objectFileName(f.object), program: f.program, source: sourceIdentity(f.source) };
}

function sourceIdentity(s: FindingSource | null): string | null {
  if (s === null) return null;
  return s.text === '' ? `${sourceFile(s.file)}:${s.line}` : `${sourceFile(s.file)}: ${s.text}`;
}

function objectFileName(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

export function identityKey(e: BaselineEntry): string {
  return JSON.stringify([e.code, e.object, e.program, e.source]);
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return compareText(a.code, b.code) || compareText(a.object ?? '', b.object ?? '') || compareText(a.program ?? '', b.program ?? '') || compareText(a.source ?? '', b.source ?? '');
}

export function baselineOf(findings: readonly Finding[]): Baseline {
  return { bpf2pfBaseline: 2, findings: findings.map(findingIdentity).sort(compareEntries) };
}

/** The file `--write-baseline` writes: one entry per line, so diffs of it are readable. */
export function baselineJson(b: Baseline): string {
  const entries = b.findings.map((e) => `    ${JSON.stringify({ code: e.code, object: e.object, program: e.program, source: e.source })}`);
  return `{\n  "bpf2pfBaseline": 2,\n  "findings": [${entries.length ? `\n${entries.join(',\n')}\n  ` : ''}]\n}\n`;
}

export function parseBaseline(text: string, file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail('BASELINE_INVALID', `${file}: not JSON: ${(e as Error).message}`);
  }
  const bad = (why: string): never => fail('BASELINE_INVALID', `${file}: ${why}; write one with bpf2pf check --write-baseline`);
  const version = typeof doc === 'object' && doc !== null ? (doc as { bpf2pfBaseline?: unknown }).bpf2pfBaseline : undefined;
  if (version === 1) bad('a version 1 baseline, which identifies findings by source line number; version 2 uses the line\'s text');
  if (version !== 2) bad('not a bpf2pf baseline (version 2)');
  const list = (doc as { findings?: unknown }).findings;
  if (!Array.isArray(list)) bad('findings must be a list');
  const nullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';
  const findings = (list as unknown[]).map((e, i) => {
    const r = e as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof r.code !== 'string' || !nullableString(r.object) || !nullableString(r.program) || !nullableString(r.source)) {
      bad(`findings[${i}] must be { code, object, program, source } (strings or null)`);
    }
    return { code: r.code as string, object: r.object as string | null, program: r.program as string | null, source: r.source as string | null };
  });
  return { bpf2pfBaseline: 2, findings };
}

/** Findings beyond what the baseline accepts, in the order given. */
export function newFindings(findings: readonly Finding[], baseline: Baseline): Finding[] {
  const accepted = new Map<string, number>();
  for (const e of baseline.findings) accepted.set(identityKey(e), (accepted.get(identityKey(e)) ?? 0) + 1);
  return findings.filter((f) => {
    const key = identityKey(findingIdentity(f));
    const left = accepted.get(key) ?? 0;
    if (left > 0) {
      accepted.set(key, left - 1);
      return false;
    }
    return true;
  });
}
