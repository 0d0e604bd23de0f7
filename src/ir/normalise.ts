/**
 * normaliseIr: one canonical form per meaning, so two runs (or two machines) produce the
 * same IR byte for byte and a diff shows only real changes. Lists whose order carries no
 * meaning are sorted (sets by name, families by name, instances by ifindex, findings by
 * code/object/program/slot, controlPlane by map, interfaces by name, pipes by id, coverage
 * by object/program); rules keep their order, which is their meaning, as do inputs (the
 * command line) and classifiers (hook order). Table contents are CIDR-normalised
 * (cidr-normalise.ts); port lists are sorted numerically; exact duplicates go.
 */
import { compareText } from '../order.js';
import { parsePrefix, formatPrefix } from './cidr.js';
import { normaliseTableContents } from './cidr-normalise.js';
import type { Finding, IrAddressMatch, IrFamily, IrFamilyInstance, IrMatch, IrRule, IrSet, PolicyIR } from './types.js';
import { portSetNames } from './validate-rules.js';

export function normaliseIr(ir: PolicyIR): PolicyIR {
  const portSets = portSetNames(ir);
  return {
    ...ir,
    interfaces: [...ir.interfaces].sort((a, b) => compareText(a.name, b.name)),
    sets: [...ir.sets].sort((a, b) => compareText(a.name, b.name)).map(normaliseSet),
    families: [...ir.families].sort((a, b) => compareText(a.name, b.name)).map((f) => normaliseFamily(f, portSets)),
    rules: ir.rules.map(normaliseRule),
    pipes: [...ir.pipes].sort((a, b) => a.id - b.id),
    controlPlane: [...ir.controlPlane].sort((a, b) => compareText(a.map, b.map) || compareText(a.role, b.role) || compareText(canonical(a), canonical(b))),
    findings: dedupe([...ir.findings].sort(compareFindings)),
    coverage: [...ir.coverage].sort((a, b) => compareText(a.object, b.object) || compareText(a.program, b.program) || compareText(canonical(a), canonical(b))),
  };
}

function normaliseSet(s: IrSet): IrSet {
  return s.scope.kind === 'global' ? { ...s, contents: normaliseTableContents(s.contents) } : s;
}

function normaliseFamily(f: IrFamily, portSets: ReadonlySet<string>): IrFamily {
  const instances = [...f.instances].sort((a, b) => a.ifindex - b.ifindex || compareText(a.name, b.name));
  return { ...f, instances: instances.map((inst) => normaliseInstance(inst, portSets)) };
}

function normaliseInstance(inst: IrFamilyInstance, portSets: ReadonlySet<string>): IrFamilyInstance {
  const sets: Record<string, readonly string[]> = {};
  for (const [name, contents] of Object.entries(inst.sets)) {
    sets[name] = portSets.has(name) ? normalisePorts(contents) : normaliseTableContents(contents);
  }
  return { ...inst, sets };
}

/** Decimal port numbers, ascending, each once. */
function normalisePorts(contents: readonly string[]): string[] {
  return [...new Set(contents.map((p) => Number(p)))].sort((a, b) => a - b).map(String);
}

function normaliseRule(r: IrRule): IrRule {
  return { ...r, match: normaliseMatch(r.match) };
}

/** Protocols ascending; literal prefixes canonical (pf masks a rule's address anyway). */
function normaliseMatch(m: IrMatch): IrMatch {
  const out: { -readonly [K in keyof IrMatch]: IrMatch[K] } = { ...m };
  if (m.proto) out.proto = [...new Set(m.proto)].sort((a, b) => a - b);
  if (m.src) out.src = normaliseAddressMatch(m.src);
  if (m.dst) out.dst = normaliseAddressMatch(m.dst);
  return out;
}

function normaliseAddressMatch(am: IrAddressMatch): IrAddressMatch {
  if (am.address.kind !== 'cidr') return am;
  const prefix = parsePrefix(am.address.cidr);
  return prefix ? { ...am, address: { kind: 'cidr', cidr: formatPrefix(prefix) } } : am;
}

const nullFirst = <T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number =>
  a === null ? (b === null ? 0 : -1) : b === null ? 1 : cmp(a, b);

function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.code, b.code) ||
    nullFirst(a.object, b.object, compareText) ||
    nullFirst(a.program, b.program, compareText) ||
    nullFirst(a.slot, b.slot, (x, y) => x - y) ||
    compareText(canonical(a), canonical(b))
  );
}

/** Drops findings equal in every field to the one before (the list is sorted). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  let last = '';
  for (const f of findings) {
    const key = canonical(f);
    if (key !== last) out.push(f);
    last = key;
  }
  return out;
}

/**
 * JSON with keys sorted at every level: the last tie-break of a sort, so equal keys never
 * leave the order to how the input happened to be built.
 */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (typeof x !== 'object' || x === null) return JSON.stringify(x) ?? 'null';
  const entries = Object.entries(x).filter(([, v]) => v !== undefined).sort(([a], [b]) => compareText(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}
