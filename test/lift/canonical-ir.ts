import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { canonicalJson } from '../../src/output/canonical-json.js';
import type { Finding, PolicyIR, Provenance } from '../../src/ir/types.js';

/**
 * PolicyIR "up to names": the form in which two builds of the same source must give equal
 * IR, whatever the compiler's -mcpu, -O level and byte order, and whatever the program,
 * map, section and global names (corpus/coppice/src/rename.h).
 *
 * Removed, because a build may change them without changing the policy:
 * - object paths (each becomes its file stem, `mvmtap`) and sha256 digests;
 * - instruction slots and source lines in provenance and findings, and the slots named in
 *   reasons and messages (`(tc:520)` becomes `(tc:#)`): which instructions a compiler
 *   emits, and which line each is attributed to, is its choice;
 * - path counts: the coverage's (and its instruction counts), and the `N paths` of notes
 *   and messages. Paths are counted after the lifter's merging at join points, so they
 *   count the CFG's shape, which -O1 and -O2, and -mcpu=v1 without 32-bit jumps, lay out
 *   differently for the same policy. What the paths decide is in the rules and findings,
 *   which are kept;
 * - the order of findings (they are collected per path and instruction), of inputs and of
 *   the named collections (sets, families, control plane, pipes, classifiers) whose order
 *   follows their names: each is sorted here after renaming;
 * - duplicate provenance entries once slots and lines are gone.
 *
 * Mapped, so that the renamed build compares with the reference: every identifier of the
 * renaming table in any string (names, table and anchor names derived from map names,
 * notes, messages) and in object keys (a family instance's per-set contents).
 *
 * Kept: everything else, in particular rule order (per program: rules of different
 * programs are on different interfaces, and their order is the command line's), actions,
 * matches, translations, routes, tags, state options, fidelity and its reason, set
 * contents, families and their instances, state, control-plane roles and operations, and
 * each finding's code, severity, program, construct, message and suggestion.
 *
 * Family instance keys are hex in the object's byte order: for a big-endian object each
 * key is given in little-endian order (the keys are u32 ifindexes; the `ifindex` beside
 * each says which number it must be, and is compared as well).
 */
export interface Naming {
  /** Identifier in the compared build -> identifier in the reference build. */
  readonly names: ReadonlyMap<string, string>;
  /** Whether the compared objects are big-endian (the reference is little-endian). */
  readonly bigEndian: boolean;
}

/** The renaming of rename.h (`#define reference renamed`), as renamed -> reference. */
export function renamingTable(renameHeader: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(renameHeader, 'utf8').matchAll(/^#define\s+([A-Za-z_]\w*)\s+([A-Za-z_]\w*)\s*$/gm)) {
    out.set(m[2], m[1]);
  }
  return out;
}

/** The object a path names, without its build: `corpus/coppice/obj/mvmtap.bpfeb.v1.O1.o` -> `mvmtap`. */
export function objectStem(path: string): string {
  return basename(path).split('.')[0];
}

export function canonicalIr(ir: PolicyIR, naming: Naming): unknown {
  const provenance = (ps: readonly Provenance[]) => unique(ps.map((p) => ({ object: objectStem(p.object), program: p.program, section: p.section })));
  const finding = (f: Finding) => {
    const { slot: _slot, source: _source, ...rest } = f;
    return { ...rest, object: f.object === null ? null : objectStem(f.object) };
  };
  const canonical = {
    version: ir.version,
    target: ir.target,
    inputs: ir.inputs.map((i) => ({ object: objectStem(i.object), programs: i.programs })),
    interfaces: ir.interfaces,
    sets: ir.sets,
    families: ir.families.map((f) => ({
      ...f,
      instances: f.instances.map((i) => ({ ...i, key: naming.bigEndian ? reverseHex(i.key) : i.key })),
    })),
    rules: ir.rules.map((r) => ({ ...r, provenance: provenance(r.provenance) })),
    pipes: ir.pipes,
    classifiers: ir.classifiers.map((c) => ({ ...c, provenance: provenance(c.provenance) })),
    state: ir.state,
    controlPlane: ir.controlPlane,
    findings: ir.findings.map(finding),
    coverage: ir.coverage.map((c) => ({ object: objectStem(c.object), program: c.program })),
  };
  const sections = new Set(['.text', ...ir.rules.flatMap((r) => r.provenance.map((p) => p.section)), ...ir.findings.flatMap((f) => (f.section === null ? [] : [f.section]))]);
  const renamed = rename(canonical, naming.names, ir.inputs.map((i) => i.object), [...sections]) as typeof canonical;
  // Sorted and grouped after renaming, so that neither follows the build's names.
  const byName = <T>(xs: readonly T[], key: (x: T) => string): T[] => [...xs].sort((a, b) => cmp(key(a), key(b)));
  return {
    ...renamed,
    inputs: byName(renamed.inputs.map((i) => ({ ...i, programs: [...i.programs].sort(cmp) })), (i) => i.object),
    interfaces: byName(renamed.interfaces, (i) => i.name),
    sets: byName(renamed.sets, (s) => s.name),
    families: byName(renamed.families, (f) => f.name),
    rules: groupBy(renamed.rules, (r) => r.program),
    pipes: byName(renamed.pipes, (p) => p.name),
    classifiers: byName(renamed.classifiers, (c) => c.name),
    controlPlane: byName(renamed.controlPlane, (c) => c.map),
    findings: groupBy(byName(renamed.findings, (f) => canonicalJson(f)), (f) => f.program ?? '(no program)'),
    coverage: byName(renamed.coverage, (c) => `${c.object} ${c.program}`),
  };
}

/** Lists per key, keys sorted, each list in its original order. */
function groupBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return Object.fromEntries([...out].sort((a, b) => cmp(a[0], b[0])));
}

/** Every string and object key with the build's identifiers, object paths, slots and path counts replaced. */
function rename(value: unknown, names: ReadonlyMap<string, string>, paths: readonly string[], sections: readonly string[]): unknown {
  const alternatives = (xs: readonly string[]): string => [...xs].sort((a, b) => b.length - a.length).map(escape).join('|');
  // An identifier alone or as a part of a derived name (`zz_map_08_if_3721a5`, a table for
  // the entries of a map with a condition), not as part of a longer identifier (`zz_map_081`).
  const idPattern = names.size ? new RegExp(`(?<![A-Za-z0-9])(${alternatives([...names.keys()])})(?![A-Za-z0-9])`, 'g') : null;
  const pathPattern = paths.length ? new RegExp(alternatives(paths), 'g') : null;
  // `(tc:520)`, `(.text:376)`: an instruction named in a reason or message.
  const slotPattern = new RegExp(`\\((${alternatives(sections)}):\\d+\\)`, 'g');
  const text = (s: string): string => {
    let out = pathPattern ? s.replace(pathPattern, (p) => objectStem(p)) : s;
    out = out.replace(slotPattern, (_, section: string) => `(${section}:#)`);
    out = out.replace(/\b\d+ (paths|path\(s\))/g, '# $1');
    if (idPattern) out = out.replace(idPattern, (id) => names.get(id) ?? id);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), walk(x)]));
    return v;
  };
  return walk(value);
}

function unique<T>(xs: readonly T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = canonicalJson(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function reverseHex(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One difference between two canonical values: where, and the value on each side (undefined: absent). */
export interface IrDifference {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * The differences between two JSON values, in document order (the first is where the
 * build first departs from the reference). Arrays are compared index by index; a length
 * difference is reported once at `<array>.length`, after those of the common prefix.
 */
export function differences(expected: unknown, actual: unknown): IrDifference[] {
  const out: IrDifference[] = [];
  const visit = (e: unknown, a: unknown, at: string): void => {
    if (Array.isArray(e) && Array.isArray(a)) {
      const n = Math.min(e.length, a.length);
      for (let i = 0; i < n; i++) visit(e[i], a[i], `${at}[${i}]`);
      if (e.length !== a.length) out.push({ path: `${at}.length`, expected: e.length, actual: a.length });
      return;
    }
    if (isRecord(e) && isRecord(a)) {
      // In the reference's order (the IR's own: rules before findings), then keys only the build has.
      const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])];
      for (const k of keys) visit(e[k], a[k], at ? `${at}.${k}` : k);
      return;
    }
    if (canonicalJson(e) !== canonicalJson(a)) out.push({ path: at, expected: e, actual: a });
  };
  visit(expected, actual, '');
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A difference as text: the path, then each side as compact JSON (cut at `width`). */
export function describeDifference(d: IrDifference, width = 800): string {
  const show = (v: unknown): string => {
    const s = v === undefined ? '(absent)' : JSON.stringify(v);
    return s.length > width ? `${s.slice(0, width)}... (${s.length} chars)` : s;
  };
  return `at ${d.path}\n  reference:  ${show(d.expected)}\n  this build: ${show(d.actual)}`;
}
