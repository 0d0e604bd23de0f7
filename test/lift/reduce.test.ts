import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/ir/cidr.js';
import { prepareIr } from '../../src/ir/eval-context.js';
import { ruleMatches, type PacketPlace } from '../../src/ir/eval-match.js';
import type { IpPacketView } from '../../src/ir/eval-packet.js';
import type { IrAddressMatch, IrMatch, IrRule, PolicyIR } from '../../src/ir/types.js';
import { disjoint, reduceRules, within, type Candidate } from '../../src/lift/synth/reduce.js';

/**
 * The rule-list reduction (src/lift/synth/reduce.ts) must leave every packet's verdict
 * as it was. The judge is the IR evaluator's own matcher (src/ir/eval-match.ts), over
 * rule lists and packets drawn from a small space so that matches overlap often.
 */

const PLACE: PacketPlace = { ifindex: 1, direction: 'in', interface: 'nic' };
const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.1.1', '192.0.2.1'];
const IR = { sets: [{ name: 'allow', scope: { kind: 'global' }, contents: ['10.0.0.0/24'] }], families: [], interfaces: [], rules: [] } as unknown as PolicyIR;
const CTX = prepareIr(IR);

const addressMatch: fc.Arbitrary<IrAddressMatch> = fc.oneof(
  fc.record({ address: fc.constantFrom(...['10.0.0.1/32', '10.0.0.0/24', '10.0.0.0/8'].map((cidr) => ({ kind: 'cidr' as const, cidr }))), negate: fc.boolean() }),
  fc.record({ address: fc.constant({ kind: 'set' as const, set: 'allow' }), negate: fc.boolean() }),
);

const KEYS = ['proto', 'src', 'dst', 'dstPort', 'tcpFlags', 'icmpType', 'fragment'] as const;

/** A match of at most three criteria: more rarely matches anything, and the lists are to overlap. */
const match: fc.Arbitrary<IrMatch> = fc
  .tuple(
    fc.record({
      proto: fc.uniqueArray(fc.constantFrom(1, 6, 17), { minLength: 1, maxLength: 2 }),
      src: addressMatch,
      dst: addressMatch,
      dstPort: fc.oneof(fc.record({ op: fc.constant('eq' as const), port: fc.constantFrom(53, 80) }), fc.record({ op: fc.constant('ne' as const), port: fc.constantFrom(53, 80) })),
      tcpFlags: fc.record({ set: fc.constantFrom(0, 2), mask: fc.constantFrom(2, 18) }),
      icmpType: fc.record({ type: fc.constantFrom(0, 8) }),
      fragment: fc.boolean(),
    }),
    fc.subarray([...KEYS], { maxLength: 3 }),
  )
  .map(([all, keys]) => Object.fromEntries([['af', 'inet'], ...keys.map((k) => [k, all[k]])]) as IrMatch);

type Info = { readonly closed: boolean };

const candidate: fc.Arbitrary<Candidate<number, Info>> = fc.record({
  match,
  action: fc.constantFrom('pass' as const, 'block' as const),
  drops: fc.boolean(),
  closed: fc.boolean(),
  nat: fc.boolean(),
  path: fc.nat(1000),
}).map(({ match: m, action, drops, closed, nat, path }) => ({
  rule: {
    program: 'p',
    scope: { kind: 'global' },
    interface: 'nic',
    direction: 'in',
    action,
    quick: true,
    match: m,
    translations: action === 'pass' && nat ? [{ kind: 'nat', to: { kind: 'cidr', cidr: '192.0.2.9/32' } }] : [],
    keepState: false,
    fidelity: { level: 'exact' },
    provenance: [],
    note: action === 'block' ? 'dropped' : 'passed',
  },
  // Only a block can stand for paths the program drops.
  drops: action === 'block' && drops,
  paths: [path],
  absorbed: [],
  info: { closed: action === 'block' && closed },
}));

const packet: fc.Arbitrary<IpPacketView> = fc
  .record({
    src: fc.constantFrom(...ADDRESSES),
    dst: fc.constantFrom(...ADDRESSES),
    proto: fc.constantFrom(1, 6, 17, 47),
    fragment: fc.boolean(),
    dport: fc.constantFrom(53, 80, 443),
    flags: fc.constantFrom(0, 2, 16, 18),
    icmp: fc.constantFrom(0, 8, 3),
  })
  .map((p) => ({
    family: 'ipv4',
    src: parseAddress(p.src)!,
    dst: parseAddress(p.dst)!,
    proto: p.proto,
    fragment: p.fragment,
    ipOptions: false,
    l3Offset: 14,
    l4Offset: 34,
    ...(!p.fragment && (p.proto === 6 || p.proto === 17) ? { ports: { src: 40000, dst: p.dport } } : {}),
    ...(!p.fragment && p.proto === 6 ? { tcpFlags: p.flags } : {}),
    ...(!p.fragment && p.proto === 1 ? { icmp: { type: p.icmp, code: 0 } } : {}),
  }));

function asRule(c: Candidate<number, Info>, i: number): IrRule {
  return { id: `p.${i + 1}`, ...c.rule } as IrRule;
}

/** The verdict of a first-match list: the first rule's action and translations, or none. */
function verdict(list: readonly Candidate<number, Info>[], p: IpPacketView): string {
  const i = list.findIndex((c, k) => ruleMatches(CTX, asRule(c, k), PLACE, p, undefined));
  return i < 0 ? 'no match' : JSON.stringify([list[i].rule.action, list[i].rule.translations]);
}

const merge = { merge: (a: Info, b: Info): Info => ({ closed: a.closed || b.closed }), closed: (x: Info) => x.closed };

describe('rule-list reduction', () => {
  it('gives every packet the verdict the full list gives it', () => {
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 8 }), fc.array(packet, { minLength: 40, maxLength: 40 }), (list, packets) => {
        const reduced = reduceRules(list, merge);
        for (const p of packets) expect(verdict(reduced, p)).toBe(verdict(list, p));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps every path: each input path is in exactly one rule of the result', () => {
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 8 }), (list) => {
        const ids = list.map((_, i) => i);
        const numbered = list.map((c, i) => ({ ...c, paths: [i] }));
        const out = reduceRules(numbered, merge).flatMap((c) => [...c.paths, ...c.absorbed]);
        expect([...out].sort((a, b) => a - b)).toEqual(ids);
      }),
    );
  });

  it('never lets a closed rule disappear into one that is not closed', () => {
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 8 }), (list) => {
        const numbered = list.map((c, i) => ({ ...c, paths: [i] }));
        const out = reduceRules(numbered, merge);
        for (const [i, c] of numbered.entries()) {
          if (!c.info.closed || c.drops) continue;
          // A closed rule for paths the program does not drop still has a closed rule standing for it.
          const holder = out.find((r) => r.paths.includes(i) || r.absorbed.includes(i));
          expect(holder?.info.closed).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('marks a rule as dropping what the program drops only while every path it stands for is dropped', () => {
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 8 }), (list) => {
        const numbered = list.map((c, i) => ({ ...c, paths: [i] }));
        for (const r of reduceRules(numbered, merge)) if (r.drops) for (const i of r.paths) expect(numbered[i].drops).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a block that took over a passing rule is not then absorbed as if the program dropped all it stands for', () => {
    // The shape fast-check found: the closed block (1) and the pass (2) join the dropping
    // block (0) they are shadowed by; that block must then not vanish into the open block (3).
    const at = (action: 'pass' | 'block', drops: boolean, closed: boolean, fragment?: boolean) => ({
      rule: { program: 'p', scope: { kind: 'global' }, interface: 'nic', direction: 'in', action, quick: true, match: { af: 'inet', ...(fragment !== undefined && { fragment }) }, translations: [], keepState: false, fidelity: { level: 'exact' }, provenance: [], note: '' },
      drops,
      paths: [] as number[],
      absorbed: [] as number[],
      info: { closed },
    }) as Candidate<number, Info>;
    const list = [at('block', true, true), at('block', false, true, false), at('pass', false, false), at('block', false, false), at('pass', false, false)].map((c, i) => ({ ...c, paths: [i] }));
    const out = reduceRules(list, merge);
    const holder = out.find((r) => r.paths.includes(1) || r.absorbed.includes(1));
    expect(holder?.info.closed).toBe(true);
    expect(out.find((r) => r.absorbed.includes(2))).toBeUndefined();
  });

  it('within and disjoint agree with the matcher', () => {
    fc.assert(
      fc.property(match, match, fc.array(packet, { minLength: 60, maxLength: 60 }), (a, b, packets) => {
        const ra = asRule({ rule: { ...blank, match: a } } as Candidate<number, Info>, 0);
        const rb = asRule({ rule: { ...blank, match: b } } as Candidate<number, Info>, 1);
        for (const p of packets) {
          const ma = ruleMatches(CTX, ra, PLACE, p, undefined);
          const mb = ruleMatches(CTX, rb, PLACE, p, undefined);
          if (within(a, b) && ma) expect(mb).toBe(true);
          if (disjoint(a, b)) expect(ma && mb).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('removes a drop the next block covers, and merges neighbours that differ in protocol only', () => {
    const c = (m: IrMatch, drops = true): Candidate<number, Info> => ({
      rule: { ...blank, match: m },
      drops,
      paths: [0],
      absorbed: [],
      info: { closed: false },
    });
    const out = reduceRules([c({ proto: [6], fragment: true }), c({ fragment: true }), c({ proto: [17] }), c({ proto: [1] })], merge);
    expect(out.map((x) => x.rule.match)).toEqual([{ fragment: true }, { proto: [1, 17] }]);
    // A pass in between that may take the packets keeps the first block.
    const pass = { ...c({ proto: [6] }, false), rule: { ...blank, action: 'pass' as const, match: { proto: [6] } } };
    expect(reduceRules([c({ proto: [6], fragment: true }), pass, c({ fragment: true })], merge)).toHaveLength(3);
  });
});

const blank: Candidate<number, Info>['rule'] = {
  program: 'p',
  scope: { kind: 'global' },
  interface: 'nic',
  direction: 'in',
  action: 'block',
  quick: true,
  match: {},
  translations: [],
  keepState: false,
  fidelity: { level: 'exact' },
  provenance: [],
  note: 'dropped',
};
