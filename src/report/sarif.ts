import type { Finding, Severity } from '../ir/types.js';
import { compareText } from '../order.js';
import { findingIdentity, identityKey } from './baseline.js';
import { sourceFile, type ReportModel } from './model.js';

/**
 * SARIF 2.1.0 (OASIS), for CI and pre-commit tools: one run, one result per finding,
 * `ruleId` the finding code, `level` from the severity, the location the source line
 * (or the object file when there is none), and the baseline identity as a partial
 * fingerprint so tools track a finding across rebuilds as `check` does.
 */
export interface SarifOptions {
  readonly toolVersion: string;
}

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };

export function reportSarif(m: ReportModel, options: SarifOptions): string {
  const codes = [...new Set(m.findings.map((f) => f.code))].sort(compareText);
  const rules = codes.map((code) => {
    const first = m.findings.find((f) => f.code === code)!;
    // Codes are opaque here (the lifter defines them): the description is the code itself.
    return { id: code, shortDescription: { text: code }, defaultConfiguration: { level: LEVEL[first.severity] } };
  });
  const doc = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'bpf2pf', version: options.toolVersion, rules } },
        results: m.findings.map((f) => result(f, codes.indexOf(f.code))),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function result(f: Finding, ruleIndex: number): Record<string, unknown> {
  const locations = location(f);
  return {
    ruleId: f.code,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.suggestion ? `${sentence(f.message)} On FreeBSD: ${sentence(f.suggestion)}` : f.message },
    ...(locations && { locations: [locations] }),
    partialFingerprints: { 'bpf2pfIdentity/v2': identityKey(findingIdentity(f)) },
    properties: { object: f.object, program: f.program, section: f.section, slot: f.slot, construct: f.construct },
  };
}

function location(f: Finding): Record<string, unknown> | null {
  const logical = f.program ? { logicalLocations: [{ name: f.program, kind: 'function' }] } : {};
  if (f.source) {
    return { physicalLocation: { artifactLocation: artifact(sourceFile(f.source.file)), region: { startLine: Math.max(1, f.source.line) } }, ...logical };
  }
  if (f.object) return { physicalLocation: { artifactLocation: artifact(f.object) }, ...logical };
  return f.program ? logical : null;
}

/**
 * A relative path stays relative (BTF line info paths are relative to the directory the
 * objects were built in, usually the repository root); an absolute one becomes a file:
 * URI. Each segment is percent-encoded.
 */
function artifact(path: string): Record<string, unknown> {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return { uri: path.startsWith('/') ? `file://${encoded}` : encoded };
}

function sentence(s: string): string {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
