/**
 * The round trip of roundtrip.test.ts over generated IR: random global and family rules
 * within what pf can express (every combination of action, direction, protocols,
 * addresses, tables, family values, ports, flags, icmp types, tags, state, pipes,
 * route-to and 15.0 translations), emitted, parsed back and checked rule by rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import type { IrAddressMatch, IrPortMatch, IrRule, IrTranslation, PolicyIR } from '../../src/ir/types.js';
import { checkEmission } from './check-parsed.js';
import { policy, provenance } from './fixtures/build.js';

const fam = { kind: 'family', family: 'coppice' } as const;

const prefix = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 8, max: 32 }))
  .map(([a, b, c, d, bits]) => {
    const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    const masked = bits === 32 ? n : (n & ~((1 << (32 - bits)) - 1)) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${bits}`;
  });

/** The record without its undefined members: the IR leaves an absent option out. */
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function addressMatch(family: boolean): fc.Arbitrary<IrAddressMatch | undefined> {
  const kinds: fc.Arbitrary<IrAddressMatch['address']>[] = [
    prefix.map((cidr) => ({ kind: 'cidr' as const, cidr })),
    fc.constant({ kind: 'set' as const, set: 'deny' }),
    fc.constant({ kind: 'interface' as const, interface: 'host_nic' }),
  ];
  if (family) kinds.push(fc.constant({ kind: 'set' as const, set: 'allow' }), fc.constant({ kind: 'familyValue' as const, field: 'ip' }));
  return fc.option(fc.record({ address: fc.oneof(...kinds), negate: fc.boolean() }), { nil: undefined });
}

const port = fc.integer({ min: 1, max: 65535 });
function portMatch(family: boolean): fc.Arbitrary<IrPortMatch | undefined> {
  const ops: fc.Arbitrary<IrPortMatch>[] = [
    fc.record({ op: fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), port }),
    fc.tuple(port, port).map(([a, b]) => ({ op: 'range' as const, from: Math.min(a, b), to: Math.max(a, b) })),
  ];
  if (family) ops.push(fc.constant({ op: 'familySet' as const, set: 'ports' }));
  return fc.option(fc.oneof(...ops), { nil: undefined });
}

function ruleArb(index: number): fc.Arbitrary<IrRule> {
  return fc.record({
    family: fc.boolean(),
    action: fc.constantFrom('pass', 'block', 'match'),
    direction: fc.constantFrom('in', 'out'),
    iface: fc.constantFrom('host_nic', 'cube_dev', 'sandbox_taps'),
    protoKind: fc.constantFrom('none', 'tcp', 'udp', 'tcpudp', 'icmp'),
    keepState: fc.boolean(),
    tagged: fc.option(fc.record({ tag: fc.constantFrom('l7-http', 'l7-https'), negate: fc.boolean() }), { nil: undefined }),
    tag: fc.option(fc.constantFrom('seen', 'l7-http'), { nil: undefined }),
    flags: fc.option(fc.tuple(fc.nat(255), fc.nat(255)).map(([s, m]) => ({ set: s & m, mask: m })), { nil: undefined }),
    icmp: fc.record({ type: fc.nat(255), code: fc.option(fc.nat(255), { nil: undefined }) }),
    pipe: fc.option(fc.constantFrom(1, 2), { nil: undefined }),
    route: fc.option(fc.constantFrom('cube_dev', 'family'), { nil: undefined }),
    nexthop: fc.option(fc.constantFrom('203.0.113.1'), { nil: undefined }),
    translation: fc.option(fc.oneof(
      fc.record({ kind: fc.constant('nat' as const), to: fc.constantFrom({ kind: 'set' as const, set: 'deny' }, { kind: 'interface' as const, interface: 'host_nic' }), ports: fc.option(fc.tuple(port, port).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) })), { nil: undefined }) }),
      fc.record({ kind: fc.constant('rdr' as const), to: prefix.map((p) => ({ kind: 'cidr' as const, cidr: p.replace(/\/\d+$/, '') })), port: fc.option(port, { nil: undefined }) }),
    ), { nil: undefined }),
  }).chain((g) => {
    const family = g.family && g.iface !== 'cube_dev';
    return fc.record({ g: fc.constant({ ...g, family }), src: addressMatch(family), dst: addressMatch(family), srcPort: portMatch(family), dstPort: portMatch(family) });
  }).map(({ g, src, dst, srcPort, dstPort }): IrRule => {
    const proto = { none: undefined, tcp: [6], udp: [17], tcpudp: [6, 17], icmp: [1] }[g.protoKind];
    const ports = g.protoKind === 'tcp' || g.protoKind === 'udp' || g.protoKind === 'tcpudp';
    const pass = g.action === 'pass';
    const keepState = pass && g.keepState;
    const translations: IrTranslation[] = keepState && g.translation ? [withoutUndefined(g.translation) as IrTranslation] : [];
    return {
      id: `gen.${index}`,
      program: 'gen',
      scope: g.family ? fam : { kind: 'global' },
      interface: g.iface,
      direction: g.direction,
      action: g.action,
      quick: g.action !== 'match',
      match: {
        af: 'inet',
        ...(proto ? { proto } : {}),
        ...(src ? { src } : {}),
        ...(dst ? { dst } : {}),
        ...(ports && srcPort ? { srcPort } : {}),
        ...(ports && dstPort ? { dstPort } : {}),
        ...(g.flags && (g.protoKind === 'none' || g.protoKind === 'tcp') ? { tcpFlags: g.flags } : {}),
        ...(g.protoKind === 'icmp' ? { icmpType: g.icmp } : {}),
        ...(g.tagged ? { tagged: g.tagged } : {}),
      },
      translations,
      ...(pass && g.route && (g.route !== 'family' || g.family) ? { routeTo: { interface: g.route === 'family' ? { kind: 'familyInterface' as const } : { kind: 'interface' as const, name: 'cube_dev' }, ...(g.nexthop && g.route !== 'family' ? { nexthop: g.nexthop } : {}) } } : {}),
      ...(g.tag && (!pass || keepState) ? { tag: g.tag } : {}),
      ...(g.pipe === 1 || (g.pipe === 2 && g.family) ? { dnpipe: g.pipe } : {}),
      keepState,
      fidelity: { level: 'exact' },
      provenance: [provenance('gen', [index], index + 1)],
      note: `generated rule ${index}`,
    };
  });
}

/** Family rules first (one anchor, no reordering needed), then the global ones. */
const irArb: fc.Arbitrary<PolicyIR> = fc.array(fc.nat(), { minLength: 1, maxLength: 8 })
  .chain((seeds) => fc.tuple(...seeds.map((_, i) => ruleArb(i))))
  .map((rules) => policy({
    rules: [...rules.filter((r) => r.scope.kind === 'family'), ...rules.filter((r) => r.scope.kind === 'global')],
    sets: [
      { name: 'deny', scope: { kind: 'global' }, source: { map: 'deny', keyField: 'ip', inner: false }, element: 'ipv4', valueCondition: null, contents: ['10.0.0.0/8'] },
      { name: 'allow', scope: fam, source: { map: 'allow', keyField: 'ip', inner: true }, element: 'ipv4', valueCondition: null, contents: [] },
    ],
    families: [{
      name: 'coppice', keyedBy: { map: 'meta', keyField: 'ifindex' }, interface: 'sandbox_taps',
      instances: [
        { key: '03', ifindex: 3, name: 'tap3', interface: 'tap3', values: { ip: '10.200.0.3' }, sets: { allow: ['1.1.1.1/32'], ports: ['80', '443'] } },
        { key: '04', ifindex: 4, name: 'tap4', interface: 'tap4', values: { ip: '10.200.0.4' }, sets: { allow: [], ports: [] } },
      ],
    }],
    pipes: [
      { id: 1, scope: { kind: 'global' }, name: 'g', rate: { kind: 'const', bytesPerSecond: 1000 }, fidelity: { level: 'exact' } },
      { id: 2, scope: fam, name: 'f', rate: { kind: 'map', map: 'rate', field: 'bps' }, fidelity: { level: 'exact' } },
    ],
  }));

describe('generated IR round-trips through pf text', () => {
  it('FreeBSD 15.0', () => {
    fc.assert(fc.property(irArb, (ir) => checkEmission(ir)), { numRuns: 150 });
  });

  it('FreeBSD 14.3: exact legacy translation, or a refusal that names the rule', () => {
    let emitted = 0;
    fc.assert(fc.property(irArb, (generated) => {
      const ir: PolicyIR = { ...generated, target: { os: 'freebsd', release: '14.3' } };
      try {
        checkEmission(ir);
      } catch (e) {
        if (!isBpf2pfError(e) || e.code !== 'EMIT_UNSUPPORTED') throw e;
        expect(e.message).toMatch(/^rule gen\.\d+: /);
        return;
      }
      emitted++;
    }), { numRuns: 300 });
    // Not everything may be refused: the generator must reach both outcomes.
    expect(emitted).toBeGreaterThan(30);
  });

  it('FreeBSD 14.3: every translation legacy rules can express is emitted exactly', () => {
    const legacyRule = ruleArb(0).map((r): IrRule => {
      const t: IrTranslation = r.translations[0] ?? { kind: 'rdr', to: { kind: 'cidr', cidr: '10.0.0.5' }, port: 80 };
      const { tcpFlags: _f, icmpType: _i, tagged: _t, ...match } = r.match;
      const rdrPortOk = (p: IrPortMatch | undefined): boolean => !p || p.op === 'eq' || p.op === 'range' || p.op === 'familySet';
      return {
        ...r, action: 'pass', quick: true, keepState: true, translations: [t],
        direction: t.kind === 'rdr' ? 'in' : 'out',
        match: { ...match, ...(match.proto?.includes(1) ? { proto: [6] } : {}), ...(t.kind === 'rdr' && !rdrPortOk(match.dstPort) ? { dstPort: undefined } : {}) },
      };
    });
    fc.assert(fc.property(irArb, legacyRule, (generated, rule) => {
      checkEmission({ ...generated, target: { os: 'freebsd', release: '14.3' }, rules: [rule] });
    }), { numRuns: 300 });
  });

  it('FreeBSD 14.3: an inbound rule that routes and translates its source gets its nat on the route-to interface, whatever it matches', () => {
    const routedNat = ruleArb(0).chain((r) => fc.record({
      nat: fc.constantFrom<IrTranslation[]>(
        [{ kind: 'nat', to: { kind: 'set', set: 'deny' } }],
        [{ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.7' }, ports: { from: 30000, to: 65535 } }],
        [{ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.7' }, staticPort: true }],
      ),
      route: fc.constantFrom<NonNullable<IrRule['routeTo']>[]>(
        { interface: { kind: 'interface', name: 'host_nic' }, nexthop: '192.0.2.1' },
        { interface: { kind: 'interface', name: 'cube_dev' } },
      ),
    }).map(({ nat, route }): IrRule => {
      const { tag: _tag, ...rest } = r;
      // Flags, icmp types and tests of tags stay: the tag joining the pair keeps it exact.
      return { ...rest, action: 'pass', quick: true, keepState: true, direction: 'in', translations: nat, routeTo: route };
    }));
    fc.assert(fc.property(irArb, routedNat, (generated, rule) => {
      checkEmission({ ...generated, target: { os: 'freebsd', release: '14.3' }, rules: [rule] });
    }), { numRuns: 300 });
  });
});
