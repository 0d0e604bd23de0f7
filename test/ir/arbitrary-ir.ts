/**
 * fast-check generation of valid PolicyIRs: every construct of the IR, with references
 * that resolve and criteria pf accepts together, so "generated => valid" is a property.
 * Built with fc.gen(): each choice is drawn in order, later ones depending on earlier
 * ones (which sets exist, which family a rule is in).
 */
import fc from 'fast-check';
import { formatAddress, parsePrefix, type IpFamily } from '../../src/ir/cidr.js';
import type {
  Fidelity,
  Finding,
  IrAddress,
  IrFamily,
  IrInterface,
  IrMatch,
  IrPipe,
  IrPortMatch,
  IrRule,
  IrSet,
  IrTranslation,
  PolicyIR,
  Provenance,
} from '../../src/ir/types.js';
import { PF_TIMEOUT_NAMES } from '../../src/ir/patterns.js';

type Gen = fc.GeneratorValue;

const pick = <T>(g: Gen, xs: readonly T[]): T => xs[g(fc.nat, { max: xs.length - 1 })];
const chance = (g: Gen, p = 0.5): boolean => g(fc.double, { min: 0, max: 1, noNaN: true }) < p;
const count = (g: Gen, max: number): number => g(fc.nat, { max });

function address(g: Gen, family: IpFamily): string {
  if (family === 'ipv4') return formatAddress({ family, value: BigInt(g(fc.nat, { max: 0xffffffff })) });
  return formatAddress({ family, value: (0x20010db8n << 96n) | BigInt(g(fc.nat, { max: 0xffffff })) });
}

function prefix(g: Gen, family: IpFamily): string {
  const bits = family === 'ipv4' ? 32 : 128;
  const len = g(fc.integer, { min: bits - 12, max: bits });
  return `${address(g, family)}/${len}`;
}

/** Table contents with random negations, never one prefix both ways. */
function contents(g: Gen, family: IpFamily): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = count(g, 5); i > 0; i--) {
    const text = prefix(g, family);
    const p = parsePrefix(text);
    const key = `${p?.net}/${p?.len}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`${chance(g, 0.2) ? '!' : ''}${text}`);
  }
  return out;
}

const fidelity = (g: Gen): Fidelity => (chance(g) ? { level: 'exact' } : { level: 'approximate', reason: pick(g, ['timeouts differ', 'L7 flag not visible to pf']) });

const provenance = (g: Gen): Provenance => ({
  object: pick(g, ['a.o', 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o']),
  program: pick(g, ['tap_ingress', 'xdp_main']),
  section: pick(g, ['tc', 'xdp']),
  slots: Array.from({ length: count(g, 3) }, () => g(fc.nat, { max: 4000 })),
  sources: chance(g) ? [{ file: 'prog.c', line: g(fc.nat, { max: 900 }) }] : [],
});

interface World {
  readonly interfaces: IrInterface[];
  readonly groups: IrInterface[];
  readonly sets: IrSet[];
  readonly families: IrFamily[];
  readonly pipes: IrPipe[];
  readonly portSets: Map<string, string>;
}

function world(g: Gen): World {
  const interfaces: IrInterface[] = Array.from({ length: 1 + count(g, 2) }, (_, i) => ({
    name: ['uplink', 'mgmt', 'lan'][i],
    freebsd: `vtnet${i}`,
    group: false,
    ifindex: chance(g, 0.8) ? i + 2 : null,
  }));
  const groups: IrInterface[] = [{ name: 'taps', freebsd: 'sandboxes', group: true, ifindex: null }];
  const sets: IrSet[] = [];
  for (let i = count(g, 3); i > 0; i--) {
    const element = pick(g, ['ipv4', 'ipv6'] as const);
    sets.push({ name: `g${i}`, scope: { kind: 'global' }, source: { map: `m${i}`, keyField: 'addr', inner: false }, element, valueCondition: chance(g, 0.2) ? 'value.allow == 1' : null, contents: contents(g, element) });
  }
  const portSets = new Map<string, string>();
  const families: IrFamily[] = [];
  for (let f = count(g, 2); f > 0; f--) {
    const name = `fam${f}`;
    const familySets: IrSet[] = [];
    for (let i = count(g, 2); i > 0; i--) {
      const element = pick(g, ['ipv4', 'ipv6'] as const);
      familySets.push({ name: `${name}_s${i}`, scope: { kind: 'family', family: name }, source: { map: `outer${i}`, keyField: 'daddr', inner: true }, element, valueCondition: null, contents: [] });
    }
    if (chance(g)) {
      portSets.set(name, `${name}_ports`);
      familySets.push({ name: `${name}_ports`, scope: { kind: 'family', family: name }, source: { map: 'ports', keyField: 'port', inner: true }, element: 'ipv4', valueCondition: null, contents: [] });
    }
    sets.push(...familySets);
    const instances = Array.from({ length: count(g, 3) }, (_, i) => {
      const ifindex = 10 * f + i;
      const sets: Record<string, string[]> = {};
      for (const s of familySets) {
        sets[s.name] = s.name.endsWith('_ports') ? Array.from({ length: count(g, 3) }, () => String(g(fc.nat, { max: 65535 }))) : contents(g, s.element);
      }
      return { key: ifindex.toString(16).padStart(2, '0').padEnd(8, '0'), ifindex, name: `sb${ifindex}`, interface: `tap${ifindex}`, values: { ip: address(g, 'ipv4'), ip6: address(g, 'ipv6') }, sets };
    });
    families.push({ name, keyedBy: { map: 'sandboxes', keyField: 'ifindex' }, interface: 'taps', instances });
  }
  const pipes: IrPipe[] = [];
  for (let i = count(g, 2); i > 0; i--) {
    const scope = families.length > 0 && chance(g) ? { kind: 'family' as const, family: pick(g, families).name } : { kind: 'global' as const };
    pipes.push({
      id: i,
      scope,
      name: `pipe ${i}`,
      rate: chance(g) ? { kind: 'const', bytesPerSecond: g(fc.nat, { max: 1e9 }) } : { kind: 'map', map: 'rates', field: 'rate' },
      ...(chance(g) && { burstBytes: g(fc.nat, { max: 1 << 20 }) }),
      ...(chance(g) && { delayMs: g(fc.nat, { max: 500 }) }),
      fidelity: fidelity(g),
    });
  }
  return { interfaces, groups, sets, families, pipes, portSets };
}

/** An address usable in `rule`'s scope and of `family` where that matters. */
function addressFor(g: Gen, w: World, rule: { family?: string }, family: IpFamily, translation: boolean): IrAddress {
  const sets = w.sets.filter((s) => !s.name.endsWith('_ports') && s.element === family && (s.scope.kind === 'global' || s.scope.family === rule.family));
  const kinds = ['cidr', 'interface', ...(sets.length > 0 ? ['set'] : []), ...(rule.family ? ['familyValue'] : []), ...(translation ? [] : ['any'])];
  switch (pick(g, kinds)) {
    case 'cidr':
      return { kind: 'cidr', cidr: chance(g) ? address(g, family) : prefix(g, family) };
    case 'interface':
      return { kind: 'interface', interface: pick(g, w.interfaces).name };
    case 'set':
      return { kind: 'set', set: pick(g, sets).name };
    case 'familyValue':
      return { kind: 'familyValue', field: family === 'ipv4' ? 'ip' : 'ip6' };
    default:
      return { kind: 'any' };
  }
}

function portMatch(g: Gen, w: World, family: string | undefined): IrPortMatch {
  const portSet = family ? w.portSets.get(family) : undefined;
  const ops: IrPortMatch['op'][] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'range', ...(portSet ? (['familySet'] as const) : [])];
  const op = pick(g, ops);
  if (op === 'range') {
    const from = g(fc.nat, { max: 65535 });
    return { op, from, to: g(fc.integer, { min: from, max: 65535 }) };
  }
  if (op === 'familySet') return { op, set: portSet ?? '' };
  return { op, port: g(fc.nat, { max: 65535 }) };
}

function rule(g: Gen, w: World, index: number): IrRule {
  const fam = w.families.length > 0 && chance(g) ? pick(g, w.families) : undefined;
  const scope = fam ? { kind: 'family' as const, family: fam.name } : { kind: 'global' as const };
  const ctx = { family: fam?.name };
  const action = pick(g, ['pass', 'block', 'match'] as const);
  const family: IpFamily = pick(g, ['ipv4', 'ipv6'] as const);
  const af = family === 'ipv4' ? 'inet' : 'inet6';
  const protoMode = pick(g, ['none', 'tcp', 'udp', 'tcpudp', 'icmp', 'gre'] as const);
  const match: { -readonly [K in keyof IrMatch]: IrMatch[K] } = {};
  if (protoMode === 'icmp' || chance(g)) match.af = af;
  if (protoMode !== 'none') match.proto = { tcp: [6], udp: [17], tcpudp: [6, 17], icmp: [family === 'ipv4' ? 1 : 58], gre: [47] }[protoMode];
  if (chance(g)) match.src = { address: addressFor(g, w, ctx, family, false), negate: chance(g, 0.2) };
  if (chance(g)) match.dst = { address: addressFor(g, w, ctx, family, false), negate: chance(g, 0.2) };
  const ports = protoMode === 'tcp' || protoMode === 'udp' || protoMode === 'tcpudp';
  if (ports && chance(g)) match.srcPort = portMatch(g, w, fam?.name);
  if (ports && chance(g)) match.dstPort = portMatch(g, w, fam?.name);
  if (protoMode === 'tcp' && chance(g)) {
    const mask = g(fc.nat, { max: 255 });
    match.tcpFlags = { set: g(fc.nat, { max: 255 }) & mask, mask };
  }
  if (protoMode === 'icmp' && chance(g)) match.icmpType = chance(g) ? { type: g(fc.nat, { max: 255 }) } : { type: g(fc.nat, { max: 255 }), code: g(fc.nat, { max: 255 }) };
  if (chance(g, 0.2)) match.tagged = { tag: pick(g, ['SANDBOX', 'mark_1', 'l7.allow']), negate: chance(g) };
  if (chance(g, 0.2)) match.fragment = !(match.srcPort || match.dstPort || match.tcpFlags || match.icmpType) && chance(g);
  const translations: IrTranslation[] = [];
  if (action !== 'block' && chance(g, 0.3)) {
    const to = (): IrAddress => addressFor(g, w, ctx, family, true);
    if (chance(g, 0.2)) translations.push({ kind: 'binat', to: to() });
    else {
      if (chance(g)) {
        const from = g(fc.integer, { min: 1024, max: 65535 });
        const pick = g(fc.integer, { min: 0, max: 2 });
        translations.push(
          pick === 0 ? { kind: 'nat', to: to(), ports: { from, to: g(fc.integer, { min: from, max: 65535 }) } }
          : pick === 1 ? { kind: 'nat', to: to(), staticPort: true }
          : { kind: 'nat', to: to() },
        );
      }
      if (chance(g)) translations.push(chance(g) ? { kind: 'rdr', to: to(), port: g(fc.nat, { max: 65535 }) } : { kind: 'rdr', to: to() });
    }
  }
  const pipes = w.pipes.filter((p) => p.scope.kind === 'global' || p.scope.family === fam?.name);
  return {
    id: `prog#${index}`,
    program: 'prog',
    scope,
    interface: fam ? fam.interface : pick(g, w.interfaces).name,
    direction: pick(g, ['in', 'out'] as const),
    action,
    quick: action !== 'match' && chance(g),
    match,
    translations,
    ...(action === 'pass' && chance(g, 0.3) && { routeTo: { interface: fam && chance(g) ? { kind: 'familyInterface' as const } : { kind: 'interface' as const, name: pick(g, w.interfaces).name }, ...(chance(g) && { nexthop: address(g, family) }) } }),
    ...(chance(g, 0.3) && { tag: pick(g, ['SANDBOX', 'mark_2']) }),
    ...(pipes.length > 0 && chance(g, 0.3) && { dnpipe: pick(g, pipes).id }),
    keepState: action !== 'block' && (translations.length > 0 || chance(g)),
    fidelity: fidelity(g),
    provenance: Array.from({ length: (action === 'pass' ? 1 : 0) + count(g, 1) }, () => provenance(g)),
    note: pick(g, ['', 'drop what the program drops', 'sandbox egress: allow-listed destinations']),
  };
}

function finding(g: Gen): Finding {
  const located = chance(g);
  return {
    code: pick(g, ['B2P-UNTRANSLATABLE-HELPER', 'B2P-ASSUMED-PROFILE', 'B2P-FRAGMENTS']),
    severity: pick(g, ['error', 'warning', 'info'] as const),
    message: 'something about the program',
    object: located ? 'a.o' : null,
    program: located ? 'prog' : null,
    section: located ? 'tc' : null,
    slot: located ? g(fc.nat, { max: 100 }) : null,
    source: located && chance(g) ? { file: 'prog.c', line: 3, text: chance(g) ? 'return TC_ACT_SHOT;' : '' } : null,
    construct: 'bpf_fib_lookup',
    suggestion: 'use route-to',
  };
}

export function generateIr(g: Gen): PolicyIR {
  const w = world(g);
  const timeouts: Record<string, number> = {};
  for (const name of [...PF_TIMEOUT_NAMES].filter(() => chance(g, 0.1))) timeouts[name] = g(fc.nat, { max: 86400 });
  const total = g(fc.nat, { max: 1000 });
  const rules = Array.from({ length: count(g, 8) }, (_, i) => rule(g, w, i));
  return {
    version: 1,
    target: { os: 'freebsd', release: pick(g, ['15.0', '14.3', '14.2']) },
    inputs: [{ object: 'a.o', sha256: '0'.repeat(64), programs: ['prog'] }],
    interfaces: [...w.interfaces, ...w.groups],
    sets: w.sets,
    families: emptyUnusedPortLists(w.families, rules),
    rules,
    pipes: w.pipes,
    classifiers: chance(g, 0.3) ? [{ name: 'l2_guard', scope: { kind: 'global' }, interface: pick(g, w.interfaces).name, hook: pick(g, ['lower', 'upper'] as const), predicate: 'arp', onMatch: 'drop', onMiss: 'pass', fidelity: fidelity(g), provenance: [provenance(g)] }] : [],
    state: { timeouts, limits: chance(g) ? { states: g(fc.nat, { max: 1e6 }) } : {}, reassemble: chance(g) },
    controlPlane: chance(g) ? [{ map: 'm1', role: 'table g1', operations: [{ change: pick(g, ['insert', 'delete', 'replace'] as const), becomes: 'pfctl -t g1 -T add <addr>' }] }] : [],
    findings: Array.from({ length: count(g, 3) }, () => finding(g)),
    coverage: [{ object: 'a.o', program: 'prog', paths: { total: 3, exact: 1, approximate: 1, untranslated: 1 }, instructions: { total, covered: g(fc.nat, { max: total }) } }],
  };
}

/**
 * A set is a port list only through a rule's familySet (IrSet has no 'port' element yet):
 * a port list no rule uses would read as a table of addresses, so it stays empty.
 */
function emptyUnusedPortLists(families: readonly IrFamily[], rules: readonly IrRule[]): IrFamily[] {
  const used = new Set(rules.flatMap((r) => [r.match.srcPort, r.match.dstPort]).flatMap((pm) => (pm?.op === 'familySet' ? [pm.set] : [])));
  return families.map((f) => ({
    ...f,
    instances: f.instances.map((inst) => ({
      ...inst,
      sets: Object.fromEntries(Object.entries(inst.sets).map(([name, c]) => [name, name.endsWith('_ports') && !used.has(name) ? [] : c])),
    })),
  }));
}
