import type { BpfObject } from '../object/types.js';
import type { Profile } from '../profile/types.js';
import type { MapStateFile, MapContents } from '../state/map-state.js';
import { fromHex, isInnerEntry, isValueEntry } from '../state/map-state.js';
import { uintOf } from '../bytes.js';
import { IR_VERSION, type Finding, type IrControlPlane, type IrFamily, type IrFamilyInstance, type IrSet, type PolicyIR } from '../ir/types.js';
import { fitName } from '../ir/names.js';
import { normaliseIr } from '../ir/normalise.js';
import { validateIr } from '../ir/validate.js';
import { rivalNat } from '../ir/routed-nat.js';
import { attachmentOf } from '../profile/complete-profile.js';
import { mapTimeouts } from '../profile/timeouts.js';
import { profileLimitsToPf } from '../profile/limits.js';
import { tailCallTargets } from './lift-object.js';
import { familyName, programRules, type ProgramInput, type ProgramPart, type SubsetTable } from './synth/program-rules.js';
import { setName, type MapRole } from './synth/roles.js';
import { placePipesAndClassifiers } from './pipes-classifiers.js';
import { sessionReplyFindings, withUnroutedReplies } from './synth/session-replies.js';
import { ruleSource } from './source-lines.js';
import type { ValueSet } from './value-set.js';

/** One object given to the translator, as the command line named it. */
export interface LiftInput {
  /** As given on the command line (used in provenance and findings). */
  readonly path: string;
  readonly sha256: string;
  readonly object: BpfObject;
}

export interface BuildIrOptions {
  /** Map contents to fill tables and instantiate families from; null: empty, filled at run time. */
  readonly snapshot: MapStateFile | null;
}

/**
 * Lifts every attached program of every input and runs the recognisers: the whole middle
 * of the compiler, from objects to PolicyIR. Programs the profile does not attach (and
 * tail-call stages, which their callers reach) are reported, not translated.
 */
export function buildIr(inputs: readonly LiftInput[], profile: Profile, options: BuildIrOptions): PolicyIR {
  const parts: { input: ProgramInput; part: ProgramPart }[] = [];
  const findings: Finding[] = [];
  // Field tests recur across programs and objects; their value sets are computed once.
  const valueSets = new Map<string, ValueSet>();
  for (const i of inputs) {
    const stages = tailCallTargets(i.object);
    for (const program of i.object.programs) {
      if (stages.has(program.name)) continue;
      const attach = attachmentOf(profile, i.path, program.name);
      if (!attach) {
        findings.push({ code: 'B2P-NOT-ATTACHED', severity: 'info', message: `${program.name} is not attached in the profile: not translated`, object: i.path, program: program.name, section: program.sectionName, slot: null, source: null, construct: 'program', suggestion: 'add it under programs: in the profile if it runs' });
        continue;
      }
      const input: ProgramInput = { path: i.path, object: i.object, program, attach, profile, snapshot: options.snapshot };
      parts.push({ input, part: programRules(input, valueSets) });
    }
  }
  const snapshot = options.snapshot;
  const sets = new Map<string, IrSet>();
  const families = new Map<string, IrFamily>();
  const controlPlane = new Map<string, IrControlPlane>();
  for (const { input, part } of parts) {
    const le = input.object.littleEndian;
    const family: (MapRole & { kind: 'family' }) | undefined =
      part.roles.find((r): r is MapRole & { kind: 'family' } => r.kind === 'family' && r.map === part.familyMap) ??
      (part.roles.some((r) => r.kind === 'familyOuter' && r.map === part.familyMap) ? { kind: 'family', map: part.familyMap!, keyField: 'key' } : undefined);
    const usesFamily = part.rules.some((r) => r.scope.kind === 'family');
    const famName = familyName(input);
    const innerSets = part.roles.filter((r): r is MapRole & { kind: 'set' } => r.kind === 'set' && r.inner && part.rules.some((x) => usesSet(x, setName(r.map)) || [...part.subsets].some(([n, t]) => t.map === r.map && usesSet(x, n))));
    if (family && usesFamily && !families.has(famName)) {
      families.set(famName, buildFamily(famName, family, input, part, innerSets, snapshot, le));
      controlPlane.set(family.map, { map: family.map, role: 'family instances (one anchor each)', operations: [
        { change: 'insert', becomes: `write anchors/${famName}/<instance>.conf for the new key and load it: pfctl -a ${famName}/<instance> -f anchors/${famName}/<instance>.conf` },
        { change: 'delete', becomes: `pfctl -a ${famName}/<instance> -F all` },
        { change: 'replace', becomes: `reload the instance's anchor (its values are in the rules)` },
      ] });
    }
    for (const r of part.roles) {
      if (r.kind === 'set') {
        const name = setName(r.map);
        const perInstance = r.inner && part.roles.some((x) => x.kind === 'familyOuter' && x.map === r.map);
        const scope = perInstance ? { kind: 'family' as const, family: famName } : { kind: 'global' as const };
        for (const [sub, t] of part.subsets) {
          if (t.map !== r.map || sets.has(sub) || !part.rules.some((x) => usesSet(x, sub))) continue;
          const keep = entryFilter(t, le);
          sets.set(sub, { name: sub, scope, source: { map: r.map, keyField: r.keyField || 'key', inner: r.inner }, element: 'ipv4', valueCondition: `${t.holds ? '' : 'not '}${t.condition.text}`, contents: perInstance ? [] : r.inner ? innerContents(snapshot?.maps[r.map], le, keep) : lpmContents(snapshot?.maps[r.map], le, keep) });
        }
        if (sets.has(name) || !part.rules.some((x) => usesSet(x, name))) continue;
        sets.set(name, { name, scope, source: { map: r.map, keyField: r.keyField || 'key', inner: r.inner }, element: 'ipv4', valueCondition: null, contents: perInstance ? [] : r.inner ? innerContents(snapshot?.maps[r.map], le) : lpmContents(snapshot?.maps[r.map], le) });
        controlPlane.set(r.map, { map: r.map, role: r.inner ? 'per-instance address set' : 'address set', operations: [
          { change: 'insert', becomes: r.inner ? `pfctl -a ${famName}/<instance> -t ${name} -T add <prefix>` : `pfctl -t ${name} -T add <prefix>` },
          { change: 'delete', becomes: r.inner ? `pfctl -a ${famName}/<instance> -t ${name} -T delete <prefix>` : `pfctl -t ${name} -T delete <prefix>` },
          { change: 'replace', becomes: r.inner ? `pfctl -a ${famName}/<instance> -t ${name} -T replace -f <file>` : `pfctl -t ${name} -T replace -f <file>` },
        ] });
      } else if (r.kind === 'session' || r.kind === 'reverse') {
        controlPlane.set(r.map, { map: r.map, role: 'connection tracking: pf state', operations: [] });
      } else if (r.kind === 'perEntry') {
        controlPlane.set(r.map, { map: r.map, role: 'one rule per entry', operations: [
          { change: 'insert', becomes: 'bpf2pf translate with a new --snapshot, then pfctl -f pf.conf' },
          { change: 'delete', becomes: 'bpf2pf translate with a new --snapshot, then pfctl -f pf.conf' },
        ] });
      }
    }
    for (const [map, p] of part.pools) {
      const name = setName(map);
      if (sets.has(name)) continue;
      sets.set(name, { name, scope: { kind: 'global' }, source: { map, keyField: p.member, inner: false }, element: 'ipv4', valueCondition: 'the address member of each array entry', contents: poolContents(snapshot?.maps[map], p.offset) });
      controlPlane.set(map, { map, role: 'translation pool', operations: [{ change: 'replace', becomes: `pfctl -t ${name} -T replace <addresses>` }] });
    }
  }
  const release = profile.target.freebsd;
  const registered = new Set([...families.values()].flatMap((f) => f.instances.map((i) => i.ifindex)));
  const objects = new Map(inputs.map((i) => [i.path, i.object]));
  const routed = parts.flatMap((p) => p.part.rules).map((r) => routedToKnownInstance(r, registered, findings, objects));
  const legacy = routed.map((r) => legacyCompatible(r, routed, release, findings, objects));
  const placed = placePipesAndClassifiers(parts, families, legacy, snapshot);
  const replies = sessionReplyFindings(parts);
  const ir: PolicyIR = {
    version: IR_VERSION,
    target: { os: 'freebsd', release },
    inputs: inputs.map((i) => ({ object: i.path, sha256: i.sha256, programs: i.object.programs.map((p) => p.name) })),
    interfaces: profile.interfaces.map((i) => ({ name: i.name, freebsd: i.freebsd, group: i.group, ifindex: i.ifindex })),
    sets: [...sets.values()],
    families: [...placed.families],
    rules: [...placed.rules],
    pipes: [...placed.pipes],
    classifiers: [...placed.classifiers],
    state: { timeouts: mapTimeouts(profile.timeouts).timeouts, limits: profileLimitsToPf(profile.limits, release).limits, reassemble: profile.reassemble },
    controlPlane: [...controlPlane.values(), ...placed.controlPlane],
    findings: [...findings, ...withUnroutedReplies(parts.flatMap((p) => p.part.findings), replies), ...replies, ...placed.findings],
    coverage: parts.map((p) => p.part.coverage),
  };
  return validateIr(normaliseIr(ir));
}

function usesSet(rule: PolicyIR['rules'][number], name: string): boolean {
  const m = rule.match;
  const t = rule.translations.some((x) => x.to.kind === 'set' && x.to.set === name);
  return (m.src?.address.kind === 'set' && m.src.address.set === name) || (m.dst?.address.kind === 'set' && m.dst.address.set === name) || t;
}

function dotted(b: Uint8Array): string {
  return [...b].join('.');
}

function u32(b: Uint8Array, le: boolean): number {
  return uintOf(b.subarray(0, 4), le);
}

/** Entries of a subset table: those whose value passes (or fails) its test; undecided ones in neither. */
function entryFilter(t: SubsetTable, le: boolean): (value: Uint8Array | undefined) => boolean {
  return (value) => value !== undefined && t.condition.test(value, le) === t.holds;
}

/** LPM trie keys {u32 prefixlen; address} as CIDRs (those whose value `keep` accepts). */
function lpmContents(m: MapContents | undefined, le: boolean, keep?: (value: Uint8Array | undefined) => boolean): string[] {
  if (!m) return [];
  const out: string[] = [];
  for (const e of m.entries) {
    if (keep && !keep(isValueEntry(e) ? fromHex(e.value) : undefined)) continue;
    const k = fromHex(e.key);
    if (k.length === 8) out.push(`${dotted(k.subarray(4, 8))}/${Math.min(32, u32(k, le))}`);
    else if (k.length === 4) out.push(`${dotted(k)}/32`);
  }
  return out;
}

/** A map-in-map not keyed by instance (a generation switch): the union of its inner sets. */
function innerContents(m: MapContents | undefined, le: boolean, keep?: (value: Uint8Array | undefined) => boolean): string[] {
  return (m?.entries ?? []).flatMap((e) => (isInnerEntry(e) ? lpmContents(e.inner, le, keep) : []));
}

function poolContents(m: MapContents | undefined, offset: number): string[] {
  if (!m) return [];
  const out: string[] = [];
  for (const e of m.entries) {
    if (!isValueEntry(e)) continue;
    const v = fromHex(e.value).subarray(offset, offset + 4);
    if (v.length === 4 && v.some((b) => b !== 0)) out.push(`${dotted(v)}/32`);
  }
  return out;
}

function buildFamily(
  name: string,
  family: MapRole & { kind: 'family' },
  input: ProgramInput,
  part: ProgramPart,
  innerSets: readonly (MapRole & { kind: 'set' })[],
  snapshot: MapStateFile | null,
  le: boolean,
): IrFamily {
  const group = input.profile.interfaces.find((i) => i.name === input.attach.attach.interface);
  const instances: IrFamilyInstance[] = [];
  for (const e of snapshot?.maps[family.map]?.entries ?? []) {
    if (!isValueEntry(e) && !isInnerEntry(e)) continue;
    const key = fromHex(e.key);
    if (key.length < 4) continue;
    const ifindex = u32(key, le);
    const value = isValueEntry(e) ? fromHex(e.value) : new Uint8Array(0);
    const values: Record<string, string> = {};
    for (const [field, at] of part.familyValues) {
      if (at.size === 4 && value.length >= at.offset + 4) values[field] = dotted(value.subarray(at.offset, at.offset + 4));
    }
    const sets: Record<string, string[]> = {};
    for (const s of innerSets) {
      const outer = snapshot?.maps[s.map]?.entries.find((x) => x.key === e.key);
      sets[setName(s.map)] = outer && isInnerEntry(outer) ? lpmContents(outer.inner, le) : [];
      for (const [sub, t] of part.subsets) {
        if (t.map === s.map) sets[sub] = outer && isInnerEntry(outer) ? lpmContents(outer.inner, le, entryFilter(t, le)) : [];
      }
    }
    const base = group?.freebsd ?? 'if';
    instances.push({ key: e.key, ifindex, name: fitName('anchor', `${base}${ifindex}`), interface: fitName('interface', `${base}${ifindex}`), values, sets });
  }
  return { name, keyedBy: { map: family.map, keyField: family.keyField || 'key' }, interface: input.attach.attach.interface, instances };
}

/**
 * FreeBSD 14.x has only the legacy nat/rdr rules: nat on outbound, rdr on inbound
 * packets, one translation each. A translating rule they cannot hold is closed (a block)
 * and reported, never left without its translation.
 */
/**
 * A per-entry rule routes to the interface its map entry names (a host port forwarded
 * into a sandbox). An entry naming an interface that is no registered instance leads
 * nowhere pf can route to; the program's redirect to it fails and drops the packet. The
 * rule becomes that drop, and the report names the entry, instead of the IR failing.
 */
function routedToKnownInstance(rule: PolicyIR['rules'][number], registered: ReadonlySet<number>, findings: Finding[], objects: ObjectsByPath): PolicyIR['rules'][number] {
  const target = rule.routeTo?.interface;
  if (target?.kind !== 'instance' || registered.has(target.ifindex)) return rule;
  const p = rule.provenance[0];
  findings.push({
    code: 'B2P-UNTRANSLATED-PATH',
    severity: 'warning',
    message: `rule ${rule.id} (${rule.note}) is written as a block: its map entry sends packets to ifindex ${target.ifindex}, which no family instance of the snapshot has`,
    object: p?.object ?? null,
    program: rule.program,
    section: p?.section ?? null,
    slot: null,
    source: ruleSource(rule, (path) => objects.get(path)),
    construct: 'redirect to an ifindex from a map entry',
    suggestion: 'register the interface (its family map entry) or remove the stale entry, then translate again',
  });
  return closed(rule, `the entry routes to ifindex ${target.ifindex}, no registered instance`);
}

type ObjectsByPath = ReadonlyMap<string, BpfObject>;

/**
 * Why 14.x cannot translate the source of an inbound rule's packets, if it cannot: legacy
 * nat applies to outbound packets only, so the rule must route them and be a routed nat
 * the emitter can write (src/ir/routed-nat.ts): its tag free, and no other nat on packets
 * leaving that interface to take them first.
 */
function inboundNatProblem(rule: PolicyIR['rules'][number], rules: readonly PolicyIR['rules'][number][]): string | undefined {
  if (rule.routeTo === undefined) return 'its source translation happens on an inbound interface that does not route the packet, and legacy nat applies to outbound packets only';
  if (rule.tag !== undefined) return `its nat would happen on the route-to interface, on the packets the rule tags, and the rule sets tag ${rule.tag} already`;
  const rival = rivalNat(rule, rules);
  return rival ? `its nat would happen on the way out of the route-to interface, where rule ${rival.id} translates outbound packets too` : undefined;
}

/** The rule as a block, with nothing only a pass can carry, and why it was closed. */
function closed(rule: PolicyIR['rules'][number], why: string): PolicyIR['rules'][number] {
  const { routeTo: _route, tag: _tag, allowOpts: _opts, dnpipe: _pipe, ...rest } = rule;
  return { ...rest, action: 'block', translations: [], keepState: false, fidelity: { level: 'approximate', reason: `blocked (fail closed): ${why}` } };
}

function legacyCompatible(rule: PolicyIR['rules'][number], rules: readonly PolicyIR['rules'][number][], release: string, findings: Finding[], objects: ObjectsByPath): PolicyIR['rules'][number] {
  if (!release.startsWith('14.') || rule.action !== 'pass' || rule.translations.length === 0) return rule;
  const t = rule.translations;
  const why =
    t.length > 1
      ? 'it translates both addresses, and a legacy nat or rdr rule does one'
      : t[0].kind === 'nat' && rule.direction !== 'out'
        ? inboundNatProblem(rule, rules)
        : t[0].kind === 'rdr' && rule.direction !== 'in'
          ? 'its destination translation happens on an outbound interface, and legacy rdr applies to inbound packets only'
          : undefined;
  if (!why) return rule;
  const p = rule.provenance[0];
  findings.push({
    code: 'B2P-TARGET-14',
    severity: 'error',
    message: `rule ${rule.id} is written as a block for FreeBSD ${release}: ${why}`,
    object: p?.object ?? null,
    program: rule.program,
    section: p?.section ?? null,
    slot: p?.slots[0] ?? null,
    source: ruleSource(rule, (path) => objects.get(path)),
    construct: 'address translation',
    suggestion: 'target FreeBSD 15.0 (nat-to/rdr-to on filter rules), or write the nat rule on the egress interface by hand',
  });
  return closed(rule, `FreeBSD ${release} cannot hold this translation (${why})`);
}
