/**
 * Hand-built PolicyIRs for the IR tests: one that uses every construct the IR has (a
 * Coppice-like sandbox family with per-instance sets, values, ports and pipes, global
 * tables with negation, translations, route-to, tags, classifiers), and small builders
 * for evaluator tests.
 */
import type { Fidelity, IrRule, PolicyIR, Provenance } from '../../src/ir/types.js';

export const EXACT: Fidelity = { level: 'exact' };

export const PROV: Provenance = {
  object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o',
  program: 'tap_ingress',
  section: 'tc',
  slots: [12, 13, 40],
  sources: [{ file: 'mvmtap.c', line: 88 }],
};

/** A rule with the defaults most tests want: global, in on uplink, quick pass, no criteria. */
export function rule(id: string, extra: Partial<IrRule> = {}): IrRule {
  return {
    id,
    program: 'tap_ingress',
    scope: { kind: 'global' },
    interface: 'uplink',
    direction: 'in',
    action: 'pass',
    quick: true,
    match: {},
    translations: [],
    keepState: false,
    fidelity: EXACT,
    provenance: [PROV],
    note: `rule ${id}`,
    ...extra,
  };
}

/**
 * The full fixture's interfaces, sets and family with the given rules instead. Without
 * the port list: a set is a port list only through a rule's familySet (see the report on
 * IrSet.element), and these rules do not use it.
 */
export function irWith(rules: readonly IrRule[], extra: Partial<PolicyIR> = {}): PolicyIR {
  const full = fullIr();
  return {
    ...full,
    sets: full.sets.filter((s) => s.name !== 'svc_ports'),
    families: full.families.map((f) => ({ ...f, instances: f.instances.map(({ sets: { svc_ports: _ports, ...sets }, ...i }) => ({ ...i, sets })) })),
    rules,
    ...extra,
  };
}

export function fullIr(): PolicyIR {
  return {
    version: 1,
    target: { os: 'freebsd', release: '15.0' },
    inputs: [{ object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', sha256: 'ab'.repeat(32), programs: ['tap_ingress', 'tap_egress'] }],
    interfaces: [
      { name: 'uplink', freebsd: 'vtnet0', group: false, ifindex: 2 },
      { name: 'taps', freebsd: 'coppicetaps', group: true, ifindex: null },
      { name: 'mgmt', freebsd: 'vtnet1', group: false, ifindex: 3 },
    ],
    sets: [
      {
        name: 'blocked',
        scope: { kind: 'global' },
        source: { map: 'deny_lpm', keyField: 'addr', inner: false },
        element: 'ipv4',
        valueCondition: null,
        contents: ['198.51.100.0/24', '!198.51.100.7', '203.0.113.0/25', '203.0.113.128/25'],
      },
      {
        name: 'blocked6',
        scope: { kind: 'global' },
        source: { map: 'deny_lpm6', keyField: 'addr', inner: false },
        element: 'ipv6',
        valueCondition: null,
        contents: ['2001:db8:bad::/48'],
      },
      {
        name: 'allowed',
        scope: { kind: 'family', family: 'coppice' },
        source: { map: 'allow_outer', keyField: 'daddr', inner: true },
        element: 'ipv4',
        valueCondition: 'entry.flags has ALLOW',
        contents: [],
      },
      {
        name: 'svc_ports',
        scope: { kind: 'family', family: 'coppice' },
        source: { map: 'ports_outer', keyField: 'port', inner: true },
        element: 'ipv4',
        valueCondition: null,
        contents: [],
      },
    ],
    families: [
      {
        name: 'coppice',
        keyedBy: { map: 'sandboxes', keyField: 'ifindex' },
        interface: 'taps',
        instances: [
          {
            key: '07000000',
            ifindex: 7,
            name: 'sb7',
            interface: 'tap7',
            values: { ip: '10.77.0.7', gw: '10.77.0.1' },
            sets: { allowed: ['93.184.216.0/24', '10.0.0.0/8', '!10.9.0.0/16'], svc_ports: ['443', '80'] },
          },
          {
            key: '08000000',
            ifindex: 8,
            name: 'sb8',
            interface: 'tap8',
            values: { ip: '10.77.0.8', gw: '10.77.0.1' },
            sets: { allowed: [], svc_ports: ['53'] },
          },
        ],
      },
    ],
    rules: [
      rule('tap_ingress#1', { action: 'block', match: { af: 'inet', src: { address: { kind: 'set', set: 'blocked' }, negate: false } } }),
      rule('tap_ingress#2', {
        scope: { kind: 'family', family: 'coppice' },
        interface: 'taps',
        action: 'match',
        quick: false,
        match: { af: 'inet', src: { address: { kind: 'familyValue', field: 'ip' }, negate: false } },
        tag: 'SANDBOX',
        dnpipe: 7,
      }),
      rule('tap_ingress#3', {
        scope: { kind: 'family', family: 'coppice' },
        interface: 'taps',
        match: {
          af: 'inet',
          proto: [6, 17],
          dst: { address: { kind: 'set', set: 'allowed' }, negate: false },
          dstPort: { op: 'familySet', set: 'svc_ports' },
          tagged: { tag: 'SANDBOX', negate: false },
        },
        translations: [{ kind: 'nat', to: { kind: 'interface', interface: 'uplink' }, ports: { from: 40000, to: 40999 } }],
        routeTo: { interface: { kind: 'interface', name: 'uplink' }, nexthop: '192.0.2.1' },
        keepState: true,
        fidelity: { level: 'approximate', reason: 'session map timeouts differ from pf state timeouts' },
      }),
      rule('tap_ingress#4', {
        match: { af: 'inet', proto: [6], dst: { address: { kind: 'interface', interface: 'uplink' }, negate: false }, dstPort: { op: 'eq', port: 8080 }, tcpFlags: { set: 0x02, mask: 0x12 } },
        translations: [{ kind: 'rdr', to: { kind: 'cidr', cidr: '10.77.0.7' }, port: 80 }],
        keepState: true,
      }),
      rule('tap_ingress#5', { action: 'pass', match: { af: 'inet6', proto: [58], icmpType: { type: 128, code: 0 } } }),
      rule('tap_ingress#6', { action: 'block', quick: false, interface: 'taps', provenance: [], note: 'default: the program drops what it does not recognise' }),
    ],
    pipes: [
      { id: 7, scope: { kind: 'family', family: 'coppice' }, name: 'sandbox egress', rate: { kind: 'map', map: 'rates', field: 'bytes_per_sec' }, burstBytes: 65536, fidelity: EXACT },
      { id: 1, scope: { kind: 'global' }, name: 'uplink', rate: { kind: 'const', bytesPerSecond: 1250000 }, delayMs: 5, fidelity: EXACT },
    ],
    classifiers: [
      { name: 'arp_guard', scope: { kind: 'global' }, interface: 'taps', hook: 'lower', predicate: 'arp and not arp.spa == value(ip)', onMatch: 'drop', onMiss: 'pass', fidelity: EXACT, provenance: [PROV] },
    ],
    state: { timeouts: { 'tcp.established': 3600, 'udp.first': 30 }, limits: { states: 200000 }, reassemble: false },
    controlPlane: [
      { map: 'sandboxes', role: 'family instances', operations: [{ change: 'insert', becomes: 'load anchor coppice/<name>' }] },
      { map: 'deny_lpm', role: 'table blocked', operations: [{ change: 'insert', becomes: 'pfctl -t blocked -T add <addr>' }, { change: 'delete', becomes: 'pfctl -t blocked -T delete <addr>' }] },
    ],
    findings: [
      {
        code: 'B2P-UNTRANSLATABLE-HELPER',
        severity: 'warning',
        message: 'bpf_fib_lookup has no pf equivalent',
        object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o',
        program: 'tap_egress',
        section: 'tc',
        slot: 120,
        source: { file: 'mvmtap.c', line: 140, text: 'if (!trie)' },
        construct: 'bpf_fib_lookup',
        suggestion: 'use route-to with a fixed next hop',
      },
      {
        code: 'B2P-ASSUMED-PROFILE',
        severity: 'info',
        message: 'no profile: tap_ingress assumed on uplink in',
        object: null,
        program: null,
        section: null,
        slot: null,
        source: null,
        construct: 'profile',
        suggestion: 'pass --profile',
      },
    ],
    coverage: [{ object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', program: 'tap_ingress', paths: { total: 10, exact: 7, approximate: 2, untranslated: 1 }, instructions: { total: 400, covered: 380 } }],
  };
}
