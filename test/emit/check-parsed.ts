/**
 * Structural checks of parsed pf files against the IR they were emitted from, shared by
 * the fixture round trip and the property round trip. See roundtrip.test.ts.
 */
import { expect } from 'vitest';
import { emitPf } from '../../src/emit/pf/index.js';
import { isRoutedNat } from '../../src/ir/routed-nat.js';
import type { IrRule, PolicyIR } from '../../src/ir/types.js';
import { parsePf, parsePfTableFile, type PfFile, type PfFilterRule, type PfStatement, type PfTranslationRule } from '../../src/pf/index.js';
import {
  expectAddress, expectFlags, expectHosts, expectPipe, expectPorts, freebsdName, instancesOf, normaliseHosts, ruleInterface, type Instance,
} from './expect.js';

export interface Parsed {
  readonly files: ReadonlyMap<string, string>;
  readonly main: PfFile;
  readonly anchors: ReadonlyMap<string, PfFile>;
}

export function emitAndParse(ir: PolicyIR): Parsed {
  const files = new Map(emitPf(ir).map((f) => [f.path, f.content]));
  const main = parsePf(files.get('pf.conf') ?? '');
  const anchors = new Map<string, PfFile>();
  for (const [path, content] of files) {
    const m = /^anchors\/(.+)\.conf$/.exec(path);
    if (m) anchors.set(m[1], parsePf(content));
  }
  return { files, main, anchors };
}

const filters = (f: PfFile): PfFilterRule[] => f.statements.filter((s): s is PfFilterRule => s.kind === 'filter');
const translations = (f: PfFile): PfTranslationRule[] => f.statements.filter((s): s is PfTranslationRule => s.kind === 'translation');

function fileFor(p: Parsed, inst: Instance | null): PfFile {
  if (!inst) return p.main;
  const f = p.anchors.get(`${inst.family.name}/${inst.instance.name}`);
  if (!f) throw new Error(`no anchor file for ${inst.family.name}/${inst.instance.name}`);
  return f;
}

function legacyPartner(p: Parsed, inst: Instance | null, tag: string): PfTranslationRule {
  const found = translations(fileFor(p, inst)).filter((t) => t.tag === tag);
  expect(found, `one legacy translation tagged ${tag}`).toHaveLength(1);
  return found[0];
}

/** Criteria the IR rule and a parsed rule (filter or legacy translation) share. */
function checkCriteria(ir: PolicyIR, rule: IrRule, inst: Instance | null, got: PfFilterRule | PfTranslationRule, skip: { src?: boolean; dst?: boolean } = {}): void {
  expect(got.on?.names, `${rule.id} interface`).toEqual([ruleInterface(ir, rule, inst)]);
  expect(got.on?.negate).toBe(false);
  const af = rule.match.af ?? (rule.match.icmpType ? (rule.match.proto?.[0] === 58 ? 'inet6' : 'inet') : null);
  expect(got.af, `${rule.id} address family`).toBe(af);
  expect(got.proto ? [...got.proto].sort() : null, `${rule.id} protocols`).toEqual(rule.match.proto ? [...rule.match.proto].sort() : null);
  if (!skip.src) {
    expect(normaliseHosts(got.from.hosts), `${rule.id} source`).toEqual(expectHosts(ir, rule.match.src, inst));
    expect(got.from.ports, `${rule.id} source port`).toEqual(expectPorts(rule.match.srcPort, inst));
  }
  if (!skip.dst) {
    expect(normaliseHosts(got.to.hosts), `${rule.id} destination`).toEqual(expectHosts(ir, rule.match.dst, inst));
    expect(got.to.ports, `${rule.id} destination port`).toEqual(expectPorts(rule.match.dstPort, inst));
  }
}

/** A one-port range is written `port N`. */
function natPort(p: { from: number; to: number }): { from: number; to: number | null } {
  return { from: p.from, to: p.to === p.from ? null : p.to };
}

export function checkRule(ir: PolicyIR, p: Parsed, rule: IrRule, inst: Instance | null): void {
  const labelled = filters(fileFor(p, inst)).filter((r) => r.options.labels.includes(rule.id));
  const emptySet = [rule.match.srcPort, rule.match.dstPort].some((p) => p?.op === 'familySet' && (inst?.instance.sets[p.set] ?? []).length === 0);
  if (emptySet) {
    expect(labelled, `${rule.id}: an empty port set leaves no rule`).toHaveLength(0);
    return;
  }
  expect(labelled, `one rule labelled ${rule.id}`).toHaveLength(1);
  const got = labelled[0];
  const legacy = ir.target.release.startsWith('14.') && rule.translations.length > 0;
  // 14.x, a nat on an inbound rule that routes: translated on the way out of the route-to
  // interface, on what the filter rule tagged (src/emit/pf/legacy.ts).
  const routedNat = legacy && isRoutedNat(rule);
  const t = rule.translations[0];
  expect(got.action).toBe(rule.action);
  if (rule.action === 'block') expect(got.blockMode).toBe('drop');
  expect(got.direction).toBe(rule.direction);
  expect(got.quick).toBe(rule.quick);
  checkCriteria(ir, rule, inst, got, { src: legacy && !routedNat && t.kind === 'nat', dst: legacy && t.kind === 'rdr' });
  expect(got.options.flags, `${rule.id} flags`).toEqual(expectFlags(rule));
  const icmp = rule.match.icmpType;
  expect(got.options.icmpType, `${rule.id} icmp-type`).toEqual(icmp ? { v6: rule.match.proto?.[0] === 58, types: [{ type: icmp.type, code: icmp.code ?? null }] } : null);
  if (!routedNat) expect(got.options.tag).toBe(rule.tag ?? null);
  expect(got.options.state, `${rule.id} state`).toBe(rule.action === 'pass' ? (rule.keepState ? 'keep' : 'no') : null);
  expect(got.options.fragment).toBe(rule.match.fragment === true);
  expect(got.options.dnpipe).toEqual(rule.dnpipe !== undefined ? [expectPipe(ir, rule.dnpipe, inst)] : null);
  if (rule.routeTo) {
    const to = rule.routeTo.interface;
    const iface =
      to.kind === 'interface' ? freebsdName(ir, to.name)
      : to.kind === 'instance' ? ir.families.flatMap((f) => f.instances).find((i) => i.ifindex === to.ifindex)?.interface
      : inst?.instance.interface;
    expect(got.route).toEqual({ kind: 'route-to', hosts: [{ interface: iface, nexthop: rule.routeTo.nexthop ?? null }], type: null });
  } else {
    expect(got.route).toBeNull();
  }

  if (!legacy) {
    expect(got.options.tagged).toEqual(rule.match.tagged ?? null);
    const nat = rule.translations.find((x) => x.kind === 'nat');
    const rdr = rule.translations.find((x) => x.kind === 'rdr');
    expect(got.options.natTo?.hosts ?? null).toEqual(nat ? [expectAddress(ir, nat.to, inst)] : null);
    expect(got.options.natTo?.port ?? null).toEqual(nat?.kind === 'nat' && nat.ports ? natPort(nat.ports) : null);
    expect(got.options.natTo?.staticPort ?? false).toBe(nat?.kind === 'nat' && nat.staticPort === true);
    expect(got.options.rdrTo?.hosts ?? null).toEqual(rdr ? [expectAddress(ir, rdr.to, inst)] : null);
    expect(got.options.rdrTo?.port ?? null).toEqual(rdr?.kind === 'rdr' && rdr.port !== undefined ? { from: rdr.port, to: null } : null);
    return;
  }

  expect(got.options.natTo).toBeNull();
  expect(got.options.rdrTo).toBeNull();
  if (routedNat && t.kind === 'nat') {
    // The filter rule decides on the original packet and tags it; the nat on the route-to
    // interface translates exactly the packets with that tag, on the same criteria.
    expect(rule.tag, `${rule.id}: a routed nat needs the rule's tag free`).toBeUndefined();
    expect(got.options.tagged).toEqual(rule.match.tagged ?? null);
    const tag = got.options.tag ?? '';
    const partners = translations(fileFor(p, inst)).filter((x) => x.tagged?.tag === tag);
    expect(partners, `one legacy nat testing tag ${tag}`).toHaveLength(1);
    const partner = partners[0];
    expect(partner.type).toBe('nat');
    expect(partner.tagged?.negate).toBe(false);
    expect(partner.tag).toBeNull();
    expect(partner.no || partner.pass).toBe(false);
    expect(partner.on?.names, `${rule.id} nat on the route-to interface`).toEqual(got.route?.hosts.map((h) => h.interface));
    checkCriteria(ir, rule, inst, { ...partner, on: got.on }, {});
    expect(partner.pool?.hosts).toEqual([expectAddress(ir, t.to, inst)]);
    expect(partner.pool?.port ?? null).toEqual(t.ports ? natPort(t.ports) : null);
    expect(partner.pool?.staticPort).toBe(t.staticPort === true);
    return;
  }

  // FreeBSD 14.x: a legacy rule does the translation on the IR's criteria and tags the
  // packet; the filter rule matches exactly that tag and the translated address.
  expect(got.options.tagged?.negate).toBe(false);
  const partner = legacyPartner(p, inst, got.options.tagged?.tag ?? '');
  expect(partner.type).toBe(t.kind);
  expect(partner.no || partner.pass).toBe(false);
  checkCriteria(ir, rule, inst, partner);
  const pool = expectAddress(ir, t.to, inst);
  expect(partner.pool?.hosts).toEqual([pool]);
  if (t.kind === 'rdr') {
    expect(partner.pool?.port).toEqual(t.port !== undefined ? { from: t.port, to: null } : null);
    expect(got.to.hosts, `${rule.id} filter sees the internal destination`).toEqual([{ negate: false, address: pool }]);
    expect(got.to.ports).toEqual(t.port !== undefined ? [{ op: '=', port: t.port }] : expectPorts(rule.match.dstPort, inst));
  } else if (t.kind === 'nat') {
    expect(partner.pool?.port).toEqual(t.ports ? natPort(t.ports) : null);
    expect(partner.pool?.staticPort).toBe(t.staticPort === true);
    expect(got.from.hosts, `${rule.id} filter sees the translated source`).toEqual([{ negate: false, address: pool }]);
  }
}

export function checkTables(ir: PolicyIR, p: Parsed): void {
  const contents = (file: PfFile, name: string): string[] => {
    const defs = file.statements.filter((s) => s.kind === 'table' && s.name === name);
    expect(defs, `one table <${name}>`).toHaveLength(1);
    const def = defs[0] as Extract<PfStatement, { kind: 'table' }>;
    expect(def.persist).toBe(true);
    const fromFiles = def.files.flatMap((f) => parsePfTableFile(p.files.get(f) ?? `missing ${f}`));
    return [...(def.entries ?? []), ...fromFiles].map((e) => (e.negate ? `!${e.text}` : e.text));
  };
  for (const set of ir.sets) {
    if (set.scope.kind === 'global') {
      expect(contents(p.main, set.name)).toEqual(set.contents);
      continue;
    }
    const family = ir.families.find((f) => set.scope.kind === 'family' && f.name === set.scope.family);
    for (const inst of family?.instances ?? []) {
      expect(contents(fileFor(p, { family: family as NonNullable<typeof family>, instance: inst, index: 0 }), set.name)).toEqual(inst.sets[set.name] ?? []);
    }
  }
}

export function checkOptionsAndOrder(ir: PolicyIR, p: Parsed): void {
  const sets = p.main.statements.filter((s): s is Extract<PfStatement, { kind: 'set' }> => s.kind === 'set').map((s) => s.set);
  expect(sets).toContainEqual({ option: 'other', name: 'ruleset-optimization', values: ['none'] });
  expect(sets).toContainEqual({ option: 'skip', interfaces: { negate: false, names: ['lo0'] } });
  const timeouts = sets.find((s) => s.option === 'timeout');
  const want = Object.entries(ir.state.timeouts).map(([name, value]) => ({ name, value }));
  expect(timeouts?.option === 'timeout' ? [...timeouts.values].sort((a, b) => a.name.localeCompare(b.name)) : []).toEqual(want.sort((a, b) => a.name.localeCompare(b.name)));
  const limits = sets.find((s) => s.option === 'limit');
  for (const [name, value] of Object.entries(ir.state.limits)) {
    expect(limits?.option === 'limit' ? limits.values.find((v) => v.name === name)?.value : undefined, `limit ${name}`).toBeGreaterThanOrEqual(value);
  }
  // Global rules keep the IR's order; each family is entered once, after the global rules
  // that come before its first rule.
  const mainOrder = p.main.statements.flatMap((s) => (s.kind === 'filter' ? [s.options.labels[0]] : s.kind === 'anchor' && s.type === 'anchor' ? [`anchor:${s.name}`] : []));
  const globals = ir.rules.filter((r) => r.scope.kind === 'global').map((r) => r.id);
  expect(mainOrder.filter((x) => !x.startsWith('anchor:'))).toEqual(globals);
  for (const f of ir.families) {
    const first = ir.rules.findIndex((r) => r.scope.kind === 'family' && r.scope.family === f.name);
    if (first < 0) continue;
    const before = ir.rules.slice(0, first).filter((r) => r.scope.kind === 'global').length;
    expect(mainOrder.indexOf(`anchor:${f.name}/*`), `anchor ${f.name}/* position`).toBe(before);
    const legacyKinds = ir.target.release.startsWith('14.')
      ? [...new Set(ir.rules.filter((r) => r.scope.kind === 'family' && r.scope.family === f.name).flatMap((r) => r.translations.map((t) => t.kind)))]
      : [];
    for (const kind of legacyKinds) {
      expect(p.main.statements.some((s) => s.kind === 'anchor' && s.type === `${kind}-anchor` && s.name === `${f.name}/*`), `${kind}-anchor for ${f.name}`).toBe(true);
    }
  }
}

/** Every check, for every rule and instance of the IR. */
export function checkEmission(ir: PolicyIR): void {
  const p = emitAndParse(ir);
  for (const rule of ir.rules) for (const inst of instancesOf(ir, rule)) checkRule(ir, p, rule, inst);
  checkTables(ir, p);
  checkOptionsAndOrder(ir, p);
  // Nothing else: every filter rule in every file belongs to an IR rule.
  const ids = new Set(ir.rules.map((r) => r.id));
  for (const f of [p.main, ...p.anchors.values()]) for (const r of filters(f)) expect(ids.has(r.options.labels[0] ?? '')).toBe(true);
}
