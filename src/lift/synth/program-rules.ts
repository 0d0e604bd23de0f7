import type { Fidelity, Finding, IrClassifier, IrMatch, IrRule, IrScope, Provenance, ProgramCoverage } from '../../ir/types.js';
import type { BpfObject, BpfProgram, SourceLine } from '../../object/types.js';
import type { Profile, ProfileProgram } from '../../profile/types.js';
import type { MapStateFile } from '../../state/map-state.js';
import { fromHex } from '../../state/map-state.js';
import { fitName } from '../../ir/names.js';
import { uintOf } from '../../bytes.js';
import { digest } from '../sym.js';
import type { ValueCondition } from './set-condition.js';
import { helperEnv, liftObjectProgram } from '../lift-object.js';
import type { SlotRef } from '../types.js';
import { lineIndex, sourceAt } from '../source-lines.js';
import { fromValues, type ValueSet } from '../value-set.js';
import { memberAt } from '../view/schema-names.js';
import { byteSource, classifyCache, viewPath, type ClassifyCache, type PathView } from '../view/path-view.js';
import { fieldById } from '../view/packet-layout.js';
import { buildMatch } from './match.js';
import { outcomeOf, type EntryValue, type Outcome, type OutcomeEnv } from './outcome.js';
import { lookupRoles, setName, type MapRole } from './roles.js';
import { normalisePath, type NormPath, type Step } from './steps.js';
import { draftRules, type Draft } from './tree.js';
import { reduceRules, type Candidate } from './reduce.js';
import { fragmentsFirst, touchesFragments } from './fragments.js';
import { asWholeDatagrams } from './reassembly.js';
import { carriesIpv6, ipv6Decision } from './ipv6.js';
import { frameTestSlot, recogniseL2Classifier, type ProxyArp } from './l2-classifier.js';
import { recogniseRatePipes, type PipeDraft } from './rate-pipes.js';

/** What one attached program contributes to the IR, before the families and sets are merged. */
export interface ProgramPart {
  readonly rules: IrRule[];
  readonly findings: Finding[];
  readonly coverage: ProgramCoverage;
  /** Maps by role, for sets, families, pools and the control plane. */
  readonly roles: readonly MapRole[];
  /** Family values rules use: field name -> where in the family map's value. */
  readonly familyValues: ReadonlyMap<string, { readonly offset: number; readonly size: number }>;
  readonly pools: ReadonlyMap<string, { readonly offset: number; readonly member: string }>;
  /** The map whose hit puts a rule in the family (the registration map), when one does. */
  readonly familyMap: string | undefined;
  /** Tables that are part of a set: the entries whose value passes (or fails) a test. */
  readonly subsets: ReadonlyMap<string, SubsetTable>;
  /** The ng_bpf classifier of the program's L2 paths (build-ir gives it its scope). */
  readonly classifier: Omit<IrClassifier, 'scope'> | undefined;
  /** Proxy-ARP answers the classifier leaves to published ARP entries. */
  readonly proxyArp: ProxyArp | undefined;
  /** Rate limiters, as dummynet pipes (build-ir numbers them and sets `dnpipe`). */
  readonly pipes: readonly PipeDraft[];
  /** Session maps the program's rule paths write: the connections its rules create. */
  readonly sessionWrites: readonly string[];
  /**
   * Packets of known connections (left to pf state) the program redirects to the interface
   * their session entry names, per session map: build-ir tells whether they are replies.
   */
  readonly sessionRoutes: readonly SessionRoute[];
}

/** Known-connection paths sending packets where a session entry says (`map`.`member`). */
export interface SessionRoute {
  readonly map: string;
  readonly member: string;
  readonly paths: number;
  /** The lookup that finds the entry (of the first such path). */
  readonly slot: SlotRef;
}

/** A table of the entries of a set's map whose value passes (`holds`) or fails a test. */
export interface SubsetTable {
  readonly map: string;
  readonly condition: ValueCondition;
  readonly holds: boolean;
}

/** The subset's pf table name: the set's, the sense, and a digest of the test. */
export function subsetName(map: string, condition: ValueCondition, holds: boolean): string {
  return fitName('table', `${map}_${holds ? 'if' : 'not'}_${digest(condition.key).slice(0, 6)}`);
}

export interface ProgramInput {
  readonly path: string;
  readonly object: BpfObject;
  readonly program: BpfProgram;
  readonly attach: ProfileProgram;
  readonly profile: Profile;
  readonly snapshot: MapStateFile | null;
}

function provenance(input: ProgramInput, lineOf: (slot: SlotRef) => SourceLine | null, views: readonly PathView[]): Provenance[] {
  const sections = new Map<string, Set<number>>();
  for (const v of views) {
    const add = (s: SlotRef): void => {
      if (!sections.has(s.section)) sections.set(s.section, new Set());
      sections.get(s.section)!.add(s.slot);
    };
    for (const g of v.path.guards) add(g.slot);
    for (const e of v.path.effects) add(e.slot);
    if (v.path.end.kind === 'abandoned') add(v.path.end.slot);
  }
  const out: Provenance[] = [];
  if (sections.size === 0) sections.set(input.program.section, new Set([input.program.start]));
  for (const [section, set] of [...sections].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const sorted = [...set].sort((a, b) => a - b);
    const sources = new Map<string, { file: string; line: number }>();
    for (const s of sorted) {
      const src = lineOf({ section, slot: s });
      if (src) sources.set(`${src.file}:${src.line}`, { file: src.file, line: src.line });
    }
    out.push({
      object: input.path,
      program: input.program.name,
      section,
      slots: sorted,
      sources: [...sources.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)),
    });
  }
  return out;
}

function finding(input: ProgramInput, code: string, severity: Finding['severity'], message: string, slot: SlotRef | null, construct: string, suggestion: string): Finding {
  return {
    code,
    severity,
    message,
    object: input.path,
    program: input.program.name,
    section: slot ? slot.section : input.program.sectionName,
    slot: slot ? slot.slot : null,
    source: slot ? sourceAt(input.object, slot) : null,
    construct,
    suggestion,
  };
}

/** Keys of a map in the snapshot (raw bytes), in key order. */
function snapshotEntries(snapshot: MapStateFile | null, map: string): { key: Uint8Array; value: Uint8Array | undefined }[] {
  const m = snapshot?.maps[map];
  if (!m) return [];
  return m.entries.map((e) => ({ key: fromHex(e.key), value: 'value' in e ? fromHex(e.value) : undefined }));
}

/**
 * Rules of the paths that pass a per-entry lookup (host-port forwarding): one rule per
 * entry of the snapshot, the key field fixed to the entry's key. Without an entry nothing
 * takes these paths at translation time; the control plane regenerates on updates.
 */
function expandEntries(draft: Draft, input: ProgramInput): { steps: Step[]; entry: string | null; value: EntryValue | undefined }[] {
  const hit = draft.steps.find((s): s is Extract<Step, { kind: 'entry' }> => s.kind === 'entry' && s.hit);
  if (!hit) return [{ steps: [...draft.steps], entry: null, value: undefined }];
  const def = fieldById(hit.field);
  const bits = def ? def.size * 8 : 32;
  const out: { steps: Step[]; entry: string | null; value: EntryValue | undefined }[] = [];
  for (const e of snapshotEntries(input.snapshot, hit.map)) {
    const v = uintOf(e.key.subarray(0, bits / 8), false);
    out.push({ steps: draft.steps.map((s) => (s === hit ? { kind: 'field', field: hit.field, set: fromValues(bits, [v]), slot: hit.slot } : s)), entry: `${hit.map} entry ${v}`, value: e.value && { map: hit.map, value: e.value } });
  }
  return out;
}

/** What an outcome does and how faithfully, without the note: equal keys, the same outcome. */
function outcomeKey(o: Outcome): string {
  return JSON.stringify({ ...o, note: '' });
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return outcomeKey(a) === outcomeKey(b);
}

/** The same packet fate, whatever was noted about how faithfully: what pf would do alike. */
function sameEffect(a: Outcome, b: Outcome): boolean {
  return outcomeKey({ ...a, approximations: [] }) === outcomeKey({ ...b, approximations: [] });
}

/**
 * One outcome for paths pf cannot tell apart (they differ only in run-time state: an
 * allocator running dry, a map insert failing, a retry). When every path that passes does
 * the same thing, the rule does that and the drops are run-time failures pf has its own
 * form of (state or port space exhausted): approximate. Different passes: closed.
 */
function unify(outcomes: readonly Outcome[], paths: readonly { readonly runtime: readonly string[] }[]): { outcome: Outcome; problems: string[] } {
  const first = outcomes[0];
  if (outcomes.every((o) => sameOutcome(o, first))) return { outcome: first, problems: [] };
  // Only clean drops may give way to the one pass: a path the translator could not write
  // (its outcome has problems: an L7 steer, a computed mark) keeps the rule closed.
  const passes = outcomes.filter((o) => o.action === 'pass');
  const distinct = passes.filter((o, i) => passes.findIndex((x) => sameEffect(x, o)) === i);
  const why = [...new Set(paths.flatMap((p) => p.runtime))].sort();
  const clean = outcomes.every((o) => o.problems.length === 0);
  if (distinct.length === 1 && clean) {
    const o = distinct[0];
    const noted = [...new Set(passes.flatMap((x) => x.approximations))];
    return {
      outcome: { ...o, approximations: [...noted, `the program also drops some of these packets on run-time conditions pf does not have (${why.slice(0, 3).join('; ')}${why.length > 3 ? '; ...' : ''})`] },
      problems: [],
    };
  }
  const blocked = outcomes.find((o) => o.action === 'block') ?? first;
  const unwritten = [...new Set(outcomes.flatMap((o) => o.problems))].filter((x) => !blocked.problems.includes(x)).sort();
  return { outcome: blocked, problems: [`paths pf cannot tell apart end differently, on run-time state (${why.slice(0, 3).join('; ')})`, ...unwritten] };
}

/**
 * Lifts one attached program and writes its rules. `valueSets` memoises the value sets of
 * field tests; pass one map to every program of a translation.
 */
export function programRules(input: ProgramInput, valueSets: Map<string, ValueSet> = new Map()): ProgramPart {
  const { object: obj, program, attach } = input;
  const lifted = liftObjectProgram(obj, program);
  const env = helperEnv(obj, program);
  const lineOf = lineIndex(obj);
  const cache: ClassifyCache = classifyCache(valueSets);
  const all = lifted.paths.map((p) => viewPath(p, env, cache));
  const memberOf = (v: PathView, lookup: number, offset: number, size: number): string => {
    const l = v.lookups.get(lookup);
    return fitName('macro', (l ? memberAt(l.decl.value, offset, size).replace(/^\./, '') : '') || `v${offset}`);
  };
  /** A finding of this program, for the recognisers that report their own. */
  const report = (code: string, severity: Finding['severity'], message: string, slot: SlotRef | null, construct: string, suggestion: string): Finding =>
    finding(input, code, severity, message, slot, construct, suggestion);
  // Rate limiters (rate-pipes.ts): their conditions are run-time state to the rules below.
  const rate = lifted.truncated
    ? undefined
    : recogniseRatePipes(all.filter((v) => v.feasible), {
        program: program.name,
        memberOf,
        finding: report,
      });
  const feasible = rate?.views ?? all.filter((v) => v.feasible);
  // pf with reassembly filters whole datagrams (reassembly.ts).
  const datagrams = input.profile.reassemble ? asWholeDatagrams(feasible) : { views: feasible, fragmentsOnly: [] };
  const views = datagrams.views;
  const roles = lookupRoles(views);
  const innerSets = new Map<string, MapRole & { kind: 'set' }>();
  for (const r of roles.all.values()) if (r.kind === 'set' && r.inner) innerSets.set(r.map, r);
  const norm: NormPath[] = views.map((v) => normalisePath(v, roles.of(v), innerSets));
  const findings: Finding[] = [];
  const poolValues = (map: string, offset: number, size: number): number[] =>
    snapshotEntries(input.snapshot, map)
      .filter((e) => e.value !== undefined && e.value.length >= offset + size)
      .map((e) => uintOf(e.value!.subarray(offset, offset + size), obj.littleEndian))
      .filter((v) => v !== 0);
  const oenv: OutcomeEnv = { profile: input.profile, rolesOf: roles.of, isXdp: env.isXdp, littleEndian: obj.littleEndian, memberOf, poolValues };

  // A program the lifter did not finish has paths no rule stands for: nothing of it may pass.
  const rulePaths = lifted.truncated ? [] : norm.filter((n): n is Extract<NormPath, { kind: 'rule' }> => n.kind === 'rule');
  // Fragments never match state in pf, so a path state stands for must not carry one.
  const stateTakesFragments = norm.some((n) => n.kind === 'covered' && n.by === 'state' && touchesFragments(n.view));
  const fragmentOutcome = (p: Extract<NormPath, { kind: 'rule' }>): string | null => {
    const o = outcomeOf(p.view, oenv);
    return o.problems.length > 0 || o.translations.length > 0 ? null : outcomeKey(o);
  };
  const { first: fragmentDraft, rest: unfragmented } = fragmentsFirst(rulePaths, fragmentOutcome, stateTakesFragments);
  const drafts = [...(fragmentDraft ? [fragmentDraft] : []), ...draftRules(unfragmented)];
  const familyValues = new Map<string, { offset: number; size: number }>();
  const pools = new Map<string, { offset: number; member: string }>();
  let familyMap: string | undefined;
  const subsets = new Map<string, SubsetTable>();
  type RulePath = Extract<NormPath, { kind: 'rule' }>;
  /** Why a rule is closed to a block, for its finding once it has its number. */
  interface Closure {
    readonly reasons: readonly string[];
    readonly programPasses: boolean;
    readonly slot: SlotRef | null;
    readonly note: string;
  }
  const candidates: Candidate<RulePath, Closure | null>[] = [];
  // Paths with no rule (a per-entry path without snapshot entries) take no packet: exact.
  const unwritten: RulePath[] = [];
  for (const draft of drafts) {
    const expanded = expandEntries(draft, input);
    if (expanded.length === 0) unwritten.push(...draft.paths);
    for (const { steps, entry, value } of expanded) {
      const outcomes = draft.paths.map((p) => outcomeOf(p.view, oenv, value));
      const unified = unify(outcomes, draft.paths);
      const outcome = unified.outcome;
      const problems = [...unified.outcome.problems, ...unified.problems];
      for (const o of outcomes) {
        for (const f of o.familyValues) familyValues.set(f.field, { offset: f.offset, size: f.size });
        for (const p of o.pools) pools.set(p.map, { offset: p.offset, member: p.member });
      }
      const { match: base, unstated, widen } = buildMatch(steps);
      let match: IrMatch = base;
      let scope: IrScope = { kind: 'global' };
      for (const s of steps) {
        if (s.kind === 'family' && s.hit) {
          // The first map whose hit gates the rules is the registration: later ones are per-instance data.
          familyMap ??= s.map;
          if (s.map === familyMap) scope = { kind: 'family', family: familyName(input) };
        }
        if (s.kind === 'setValue') {
          const side = s.field === 'ip4.src' ? 'src' : 'dst';
          const whole = match[side];
          if (whole && !(whole.address.kind === 'set' && whole.address.set === setName(s.map) && !whole.negate)) unstated.push(`${s.field} both in ${s.map} with ${s.condition.text} and another address`);
          else {
            const name = subsetName(s.map, s.condition, s.holds);
            subsets.set(name, { map: s.map, condition: s.condition, holds: s.holds });
            match = { ...match, [side]: { address: { kind: 'set', set: name }, negate: false } };
          }
        }
        if (s.kind === 'set') {
          const side = s.field === 'ip4.src' ? 'src' : 'dst';
          if (match[side]) unstated.push(`${s.field} both in a prefix and ${s.hit ? 'in' : 'not in'} ${s.map}`);
          else match = { ...match, [side]: { address: { kind: 'set', set: setName(s.map) }, negate: !s.hit } };
          if (s.inner && scope.kind !== 'family' && [...roles.all.values()].some((r) => r.kind === 'familyOuter' && r.map === s.map)) {
            // Per-instance sets with no registration map: the outer map's keys are the instances.
            familyMap ??= s.map;
            scope = { kind: 'family', family: familyName(input) };
          }
        }
      }
      if (scope.kind === 'global' && outcome.familyValues.length > 0) problems.push('uses a per-instance value outside a family');
      const closed = problems.length > 0 || unstated.length > 0;
      const action = closed ? 'block' : outcome.action;
      const reasons = [...problems, ...unstated.map((u) => `the rule cannot state: ${u}`)];
      const approx = outcome.approximations;
      const fidelity: Fidelity = closed
        ? { level: 'approximate', reason: `blocked (fail closed): ${reasons.join('; ')}` }
        : approx.length > 0
          ? { level: 'approximate', reason: approx.join('; ') }
          : { level: 'exact' };
      const translations = action === 'pass' ? outcome.translations : [];
      const note = `${outcome.note}${entry ? ` (${entry})` : ''}`;
      candidates.push({
        rule: {
          program: program.name,
          scope,
          interface: attach.attach.interface,
          direction: attach.attach.direction,
          action,
          quick: true,
          match: closed ? widen(match) : match,
          translations,
          ...(action === 'pass' && outcome.route ? { routeTo: outcome.route } : {}),
          ...(action === 'pass' && outcome.tag ? { tag: fitName('tag', outcome.tag) } : {}),
          // The program finds L4 past the options (it reads the header length): so may pf.
          // A path that assumed a 20-byte header misreads option packets: pf drops those.
          ...(action === 'pass' && !draft.paths.some((p) => p.view.atoms.some((x) => x.kind === 'field' && x.fixedIhl)) ? { allowOpts: true } : {}),
          // pf keeps no state for fragments.
          keepState: action === 'pass' && !match.fragment && (outcome.keepState || outcome.tag !== undefined || draft.paths.some((p) => p.stateful.length > 0) || translations.length > 0),
          fidelity,
          provenance: [],
          note,
        },
        drops: outcomes.every((o) => o.action === 'block'),
        paths: draft.paths,
        absorbed: [],
        info: closed
          ? {
              reasons,
              programPasses: outcome.action === 'pass',
              slot: draft.paths[0].view.path.end.kind === 'abandoned' ? draft.paths[0].view.path.end.slot : (steps.find((s) => s.kind === 'opaque')?.slot ?? null),
              note: outcome.note,
            }
          : null,
      });
    }
  }

  const rules: IrRule[] = [];
  // Each lifted path is counted once, by the least faithful rule that stands for it; a
  // path whose packets another block took (the program drops them) is exact.
  const LEVELS = ['exact', 'approximate', 'untranslated'] as const;
  const levelOf = new Map<RulePath, number>(unwritten.map((p) => [p, 0]));
  const reduced = reduceRules(candidates, {
    closed: (x) => x !== null,
    merge: (kept, gone) =>
      kept && gone ? { ...kept, reasons: [...kept.reasons, ...gone.reasons.filter((r) => !kept.reasons.includes(r))], programPasses: kept.programPasses || gone.programPasses } : (kept ?? gone),
  });
  for (const c of reduced) {
    const id = `${program.name}.${rules.length + 1}`;
    const all = [...c.paths, ...c.absorbed];
    const fidelity: Fidelity = c.info ? { level: 'approximate', reason: `blocked (fail closed): ${c.info.reasons.join('; ')}` } : c.rule.fidelity;
    rules.push({ id, ...c.rule, fidelity, provenance: provenance(input, lineOf, all.map((p) => p.view)), note: `${c.rule.note}${all.length > 1 ? `; ${all.length} paths` : ''}` });
    const level = c.info ? 2 : c.rule.fidelity.level === 'approximate' ? 1 : 0;
    for (const p of c.paths) levelOf.set(p, Math.max(levelOf.get(p) ?? 0, level));
    for (const p of c.absorbed) levelOf.set(p, levelOf.get(p) ?? 0);
    if (c.info) {
      // pf cannot tell a first fragment from a later one, nor translate either; with reassembly it sees neither.
      const fragments = !input.profile.reassemble && c.info.reasons.some((r) => r.includes('fragment'));
      const suggestion = fragments
        ? 'set reassemble: true in the profile (pf then filters whole datagrams, set reassemble yes), or review the rule by hand'
        : 'review the rule; express the missing condition by hand, or extend bpf2pf';
      findings.push(finding(input, 'B2P-UNTRANSLATED-PATH', c.info.programPasses ? 'error' : 'warning', `rule ${id} (${c.info.note}) is written as a block: ${c.info.reasons.join('; ')}`, c.info.slot, 'path the recognisers do not claim', suggestion));
    }
  }
  const count = { exact: 0, approximate: 0, untranslated: 0 };
  for (const l of levelOf.values()) count[LEVELS[l]]++;

  /** A global block on the program's attach point, for what no path rule stands for. */
  const blockRule = (match: IrMatch, fidelity: Fidelity, vs: readonly PathView[], note: string): IrRule => ({
    id: `${program.name}.${rules.length + 1}`,
    program: program.name,
    scope: { kind: 'global' },
    interface: attach.attach.interface,
    direction: attach.attach.direction,
    action: 'block',
    quick: true,
    match,
    translations: [],
    keepState: false,
    fidelity,
    provenance: provenance(input, lineOf, vs),
    note,
  });
  if (lifted.truncated) {
    rules.push(blockRule({}, { level: 'approximate', reason: 'blocked (fail closed): the lifter did not finish this program' }, [], 'program not lifted to the end: everything it sees is blocked'));
    findings.push(finding(input, 'B2P-UNTRANSLATED-PATH', 'error', `rule ${program.name}.${rules.length} blocks everything: the program was not lifted to its end`, null, 'whole program', 'simplify the program (fewer paths) or raise the lifter limits'));
  }
  // Paths that are not rules: L2 frames, and paths pf state or the stack covers.
  const l2 = norm.filter((n): n is Extract<NormPath, { kind: 'l2' }> => n.kind === 'l2');
  // An unfinished program has frames on paths nobody saw: no classifier can be sure of them.
  const l2Result = lifted.truncated
    ? undefined
    : recogniseL2Classifier(l2, norm.filter((n) => n.kind !== 'l2').map((n) => n.view), {
        program: program.name,
        isXdp: env.isXdp,
        littleEndian: obj.littleEndian,
        interface: attach.attach.interface,
        direction: attach.attach.direction,
        provenance: (vs) => provenance(input, lineOf, vs),
        finding: report,
      });
  if (l2Result) {
    findings.push(...l2Result.findings);
    count.exact += l2Result.count.exact;
    count.approximate += l2Result.count.approximate;
    count.untranslated += l2Result.count.untranslated;
  }
  const byWhy = new Map<string, PathView[]>();
  for (const p of l2Result ? [] : l2) byWhy.set(p.why, [...(byWhy.get(p.why) ?? []), p.view]);
  for (const [why, vs] of [...byWhy].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const outcomes = vs.map((v) => outcomeOf(v, oenv));
    const passes = outcomes.filter((o) => o.action === 'pass').length;
    findings.push(
      finding(
        input,
        why === 'an ARP frame' ? 'B2P-L2-ARP' : 'B2P-L2-FRAME',
        passes > 0 ? 'error' : 'warning',
        `${vs.length} path(s) for ${why}: pf filters IP only; ${passes} of them let the frame through (${[...new Set(outcomes.map((o) => o.note))].join(', ')})`,
        frameTestSlot(vs[0]),
        why === 'an ARP frame' ? 'ARP handling (proxy ARP reply)' : 'non-IPv4 frame handling',
        why === 'an ARP frame' ? 'an ng_bpf classifier on the interface\'s ng_ether hooks (the ng_bpf issue) and published ARP entries (arp -s ... pub)' : 'an ng_bpf classifier on ng_ether, or leave to the FreeBSD stack',
      ),
    );
    count.untranslated += vs.length;
  }
  // pf filters IPv6 itself: what the program does with it must be a rule, or pf passes it.
  const ip6 = lifted.truncated ? [] : l2.filter((p) => carriesIpv6(p.view));
  const ip6Decision = ipv6Decision(ip6.map((p) => outcomeOf(p.view, oenv)));
  if (ip6Decision) {
    const rule = blockRule(
      { af: 'inet6' },
      ip6Decision.exact ? { level: 'exact' } : { level: 'approximate', reason: `blocked (fail closed): ${ip6Decision.reason}` },
      ip6.map((p) => p.view),
      `IPv6: ${ip6Decision.reason}`,
    );
    const id = rule.id;
    rules.push(rule);
    if (!ip6Decision.exact) findings.push(finding(input, 'B2P-UNTRANSLATED-PATH', 'error', `rule ${id} blocks all IPv6: ${ip6Decision.reason}`, ip6[0].view.path.guards[0]?.slot ?? null, 'IPv6 handling', 'write the IPv6 rules by hand'));
  }
  if (datagrams.fragmentsOnly.length > 0) {
    const only = datagrams.fragmentsOnly;
    findings.push(
      finding(
        input,
        'B2P-FRAG-REASSEMBLED',
        'warning',
        `pf reassembles fragments before filtering (the profile's reassemble: true): ${only.length === 1 ? '1 path' : `${only.length} paths`} the program takes for fragments alone become no rule; each datagram is decided whole, as the program decides an unfragmented packet with the same headers`,
        only[0].atoms.find((a) => a.kind === 'field' && a.field === 'ip4.frag')?.slot ?? null,
        'IPv4 fragment handling',
        'nothing to do if fragments are to be treated as their datagram; otherwise set reassemble: false and review the fragment rules',
      ),
    );
    count.approximate += only.length;
  }
  const covered = norm.filter((n): n is Extract<NormPath, { kind: 'covered' }> => n.kind === 'covered');
  for (const c of covered) {
    if (c.by === 'state') count.approximate++;
    else count.exact++;
  }
  // In the object's order, not by name: a renamed build says the same thing.
  const mapOrder = (m: string): number => obj.maps.findIndex((x) => x.name === m);
  const stateMaps = [...new Set([...roles.all.values()].filter((r) => r.kind === 'session' || r.kind === 'reverse').map((r) => r.map))].sort((a, b) => mapOrder(a) - mapOrder(b));
  if (stateMaps.length > 0) {
    findings.push(finding(input, 'B2P-STATE', 'info', `connection tracking in ${stateMaps.join(', ')} becomes pf state: pass rules that create sessions keep state, and packets of known connections (${covered.filter((c) => c.by === 'state').length} paths) are handled by the state table`, null, 'session maps', 'nothing to do; state timeouts come from the profile (set timeout)'));
  }
  // route-to without a next hop sends each packet to its own destination on the link.
  const hopless = [...new Set(rules.flatMap((r) => (r.action === 'pass' && r.routeTo?.interface.kind === 'interface' && r.routeTo.nexthop === undefined ? [r.routeTo.interface.name] : [])))].sort();
  for (const name of hopless) {
    findings.push(
      finding(
        input,
        'B2P-ROUTE-NEXTHOP',
        'warning',
        `rules ${rules.filter((r) => r.routeTo?.interface.kind === 'interface' && r.routeTo.interface.name === name).map((r) => r.id).join(', ')} route-to ${name} without a next hop: FreeBSD then sends each packet to its destination address on that link, which reaches on-link hosts only (the program writes the router's MAC itself)`,
        null,
        'bpf_redirect out of an interface with a rewritten destination MAC',
        `give the router's address as interfaces.${name}.gateway in the profile`,
      ),
    );
  }
  // Rules that hand marked flows to a local proxy work only with the proxy there.
  const proxied = input.profile.marks.filter((m) => m.proxy && rules.some((r) => r.action === 'pass' && r.tag === m.name));
  if (proxied.length > 0) {
    findings.push(
      finding(
        input,
        'B2P-L7-PROXY',
        'info',
        `marked flows go to local proxies: ${proxied.map((m) => `tag ${m.name} (mark 0x${m.value.toString(16)}/0x${m.mask.toString(16)}) to ${m.proxy!.address} port ${m.proxy!.port}`).join(', ')}; the rules rdr-to them where the program steers by mark`,
        null,
        'L7 steering (skb->mark and a redirect into the proxy\'s interface)',
        'run the transparent proxy (haproxy) on those addresses; it finds each flow\'s original destination in pf\'s state (DIOCNATLOOK)',
      ),
    );
  }
  const notFollowed = new Map<string, SlotRef>();
  // The finding points where the lifter stopped in the stage, when it tried one.
  for (const v of feasible) for (const t of v.action.tailCalls) if (t.notFollowed && !notFollowed.has(t.notFollowed)) notFollowed.set(t.notFollowed, t.stuckAt ?? t.slot);
  for (const [why, slot] of notFollowed) {
    findings.push(finding(input, 'B2P-TAILCALL-NOT-FOLLOWED', 'warning', `tail-call chain not translated: ${why}; rules follow the fall-through`, slot, 'tail-call parser chain (e.g. DNS learning)', 'a local resolver (unbound/local_unbound) that feeds a pf table with the addresses it resolves'));
  }
  if (lifted.truncated) findings.push(finding(input, 'B2P-LIFT-TRUNCATED', 'error', `the lifter stopped after ${lifted.paths.length} paths: some paths were never explored and have no rule`, null, 'path explosion', 'simplify the program or raise the lifter limits'));
  findings.push(...(rate?.findings ?? []));
  const limiterMaps = new Set((rate?.pipes ?? []).flatMap((p) => [...p.maps]));
  const unclaimed = [...new Set([...roles.all.values()].filter((r) => r.kind === 'other' && !limiterMaps.has(r.map)).map((r) => `${r.map} (${r.kind === 'other' ? r.why : ''})`))].sort();
  for (const u of unclaimed) findings.push(finding(input, 'B2P-MAP-UNCLAIMED', 'warning', `no recogniser claims map ${u}`, null, 'map lookup', 'the paths that depend on it are written as block rules'));

  const total = program.insns.length;
  const coveredSlots = lifted.covered.get(program.section)?.size ?? 0;
  const sessionRoutes = new Map<string, SessionRoute>();
  for (const c of covered) {
    const r = c.view.action.redirect;
    const src = c.by === 'state' && r ? byteSource(r.ifindex, 4, c.view.shape) : undefined;
    if (src?.kind !== 'value' || roles.of(c.view).get(src.lookup)?.kind !== 'session') continue;
    const lookup = c.view.lookups.get(src.lookup)!;
    const member = memberOf(c.view, src.lookup, src.offset, src.size);
    const k = `${lookup.mapName}.${member}`;
    const known = sessionRoutes.get(k);
    // Located at the lookup that finds the entry: the redirect's own line is often none (0).
    sessionRoutes.set(k, { map: lookup.mapName, member, paths: (known?.paths ?? 0) + 1, slot: known?.slot ?? lookup.slot });
  }
  const sessionMaps = new Set([...roles.all.values()].filter((r) => r.kind === 'session').map((r) => r.map));
  const sessionWrites = new Set<string>();
  for (const p of rulePaths) for (const e of p.view.path.effects) if (e.kind === 'mapUpdate' && e.map.kind === 'map' && sessionMaps.has(e.map.name)) sessionWrites.add(e.map.name);
  return {
    rules,
    findings,
    coverage: {
      object: input.path,
      program: program.name,
      // Infeasible paths (contradictory tests) take no packet: nothing to translate.
      paths: lifted.truncated
        ? { total: all.length, exact: 0, approximate: 0, untranslated: all.length }
        : { total: all.length, exact: count.exact + (all.length - views.length - datagrams.fragmentsOnly.length), approximate: count.approximate, untranslated: count.untranslated },
      instructions: { total, covered: Math.min(total, coveredSlots) },
    },
    roles: [...roles.all.values()],
    familyMap,
    subsets,
    familyValues,
    pools,
    classifier: l2Result?.classifier,
    proxyArp: l2Result?.proxyArp,
    pipes: rate?.pipes ?? [],
    sessionWrites: [...sessionWrites].sort(),
    sessionRoutes: [...sessionRoutes.values()],
  };
}

export function familyName(input: ProgramInput): string {
  return fitName('anchor', input.attach.attach.interface);
}
