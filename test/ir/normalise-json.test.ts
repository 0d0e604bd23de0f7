/**
 * normaliseIr (canonical order, CIDR-normalised tables, same meaning) and the JSON form
 * (stable text, round trip, errors by code).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { parseAddress, type IpAddress } from '../../src/ir/cidr.js';
import { createIrEvaluator } from '../../src/ir/evaluate.js';
import { irFromJson, irToJson } from '../../src/ir/json.js';
import { buildLpmTable, lpmMatch } from '../../src/ir/lpm.js';
import { normaliseIr } from '../../src/ir/normalise.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { irProblems } from '../../src/ir/validate.js';
import { generateIr } from './arbitrary-ir.js';
import { fullIr } from './fixtures.js';
import { tcp4, udp4 } from './frames.js';

/** The IR with every order-free list reversed and keys inserted in reverse. */
function shuffled(ir: PolicyIR): PolicyIR {
  const rev = <T>(xs: readonly T[]): T[] => [...xs].reverse();
  const keysReversed = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(keysReversed);
    if (typeof x !== 'object' || x === null) return x;
    return Object.fromEntries(Object.entries(x).reverse().map(([k, v]) => [k, keysReversed(v)]));
  };
  return keysReversed({
    ...ir,
    interfaces: rev(ir.interfaces),
    sets: rev(ir.sets).map((s) => ({ ...s, contents: rev(s.contents) })),
    families: rev(ir.families).map((f) => ({ ...f, instances: rev(f.instances).map((i) => ({ ...i, sets: Object.fromEntries(Object.entries(i.sets).map(([k, v]) => [k, rev(v)])) })) })),
    pipes: rev(ir.pipes),
    findings: rev(ir.findings),
    controlPlane: rev(ir.controlPlane),
    coverage: rev(ir.coverage),
  }) as PolicyIR;
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isBpf2pfError(e)) return e.code;
    throw e;
  }
  return 'none';
}

describe('normaliseIr', () => {
  it('orders what has no order, keeps rule order, and normalises tables', () => {
    const n = normaliseIr(fullIr());
    expect(n.sets.map((s) => s.name)).toEqual(['allowed', 'blocked', 'blocked6', 'svc_ports']);
    expect(n.interfaces.map((i) => i.name)).toEqual(['mgmt', 'taps', 'uplink']);
    expect(n.pipes.map((p) => p.id)).toEqual([1, 7]);
    expect(n.controlPlane.map((c) => c.map)).toEqual(['deny_lpm', 'sandboxes']);
    expect(n.findings.map((f) => f.code)).toEqual(['B2P-ASSUMED-PROFILE', 'B2P-UNTRANSLATABLE-HELPER']);
    expect(n.rules.map((r) => r.id)).toEqual(fullIr().rules.map((r) => r.id));
    expect(n.sets.find((s) => s.name === 'blocked')?.contents).toEqual(['198.51.100.0/24', '!198.51.100.7', '203.0.113.0/24']);
    const sb7 = n.families[0].instances[0];
    expect(sb7.sets.allowed).toEqual(['10.0.0.0/8', '!10.9.0.0/16', '93.184.216.0/24']);
    expect(sb7.sets.svc_ports).toEqual(['80', '443']);
    expect(n.rules[2].match.proto).toEqual([6, 17]);
    expect(irProblems(n)).toEqual([]);
  });

  it('orders instances by ifindex and drops duplicate findings', () => {
    const ir = fullIr();
    const n = normaliseIr({ ...ir, families: ir.families.map((f) => ({ ...f, instances: [...f.instances].reverse() })), findings: [...ir.findings, ...ir.findings] });
    expect(n.families[0].instances.map((i) => i.ifindex)).toEqual([7, 8]);
    expect(n.findings).toHaveLength(2);
  });

  it('is idempotent and blind to input order (fixture and generated IRs)', () => {
    const check = (ir: PolicyIR): void => {
      const once = normaliseIr(ir);
      expect(irToJson(normaliseIr(once))).toBe(irToJson(once));
      expect(irToJson(normaliseIr(shuffled(ir)))).toBe(irToJson(once));
      expect(irProblems(once)).toEqual([]);
    };
    check(fullIr());
    // endOnFailure: shrinking an fc.gen() value takes minutes and tells little more.
    fc.assert(fc.property(fc.gen(), (g) => check(generateIr(g))), { numRuns: 300, endOnFailure: true });
  });

  it('keeps every table\'s membership (generated IRs, random addresses)', () => {
    const addresses = fc.array(
      fc.oneof(
        fc.nat(0xffffffff).map((n): IpAddress => ({ family: 'ipv4', value: BigInt(n) })),
        fc.nat(0xffffff).map((n): IpAddress => ({ family: 'ipv6', value: (0x20010db8n << 96n) | BigInt(n) })),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(fc.gen(), addresses, (g, probes) => {
        const ir = generateIr(g);
        const n = normaliseIr(ir);
        const pairs: [readonly string[], readonly string[]][] = [];
        for (const s of ir.sets) if (s.scope.kind === 'global') pairs.push([s.contents, n.sets.find((x) => x.name === s.name)?.contents ?? []]);
        for (const f of ir.families) {
          for (const inst of f.instances) {
            const ni = n.families.find((x) => x.name === f.name)?.instances.find((x) => x.ifindex === inst.ifindex);
            for (const [name, c] of Object.entries(inst.sets)) if (!name.endsWith('_ports')) pairs.push([c, ni?.sets[name] ?? []]);
          }
        }
        for (const [before, after] of pairs) {
          const a = buildLpmTable(before);
          const b = buildLpmTable(after);
          // Probe the entries' own addresses too: random ones rarely hit a prefix.
          const own = before.map((e) => parseAddress(e.replace('!', '').replace(/\/\d+$/, ''))).filter((x): x is IpAddress => x !== null);
          for (const addr of [...probes, ...own]) expect(lpmMatch(b, addr)).toBe(lpmMatch(a, addr));
        }
      }),
      { numRuns: 200, endOnFailure: true },
    );
  });

  it('does not change a verdict', () => {
    const ir = fullIr();
    const before = createIrEvaluator(ir, { interfaceAddresses: { uplink: ['192.0.2.10'] } });
    const after = createIrEvaluator(normaliseIr(shuffled(ir)), { interfaceAddresses: { uplink: ['192.0.2.10'] } });
    const hosts = ['10.77.0.7', '10.77.0.8', '93.184.216.34', '10.9.1.1', '10.8.0.1', '198.51.100.7', '198.51.100.8', '203.0.113.200', '192.0.2.10'];
    for (const src of hosts) {
      for (const dst of hosts) {
        for (const [ifindex, iface] of [[2, 'uplink'], [7, 'taps'], [8, 'taps']] as const) {
          for (const frame of [tcp4(src, dst, 40000, 443), tcp4(src, dst, 40000, 8080), udp4(src, dst, 5000, 53)]) {
            const p = { bytes: frame, ifindex, direction: 'in' as const, interface: iface };
            expect(after(p)).toEqual(before(p));
          }
        }
      }
    }
  });
});

describe('irToJson / irFromJson', () => {
  it('writes sorted keys, two-space indent and a trailing newline', () => {
    const text = irToJson(fullIr());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "classifiers": [');
    const keysInOrder = (x: unknown): boolean =>
      Array.isArray(x) ? x.every(keysInOrder) : typeof x !== 'object' || x === null || (Object.keys(x).join() === Object.keys(x).sort().join() && Object.values(x).every(keysInOrder));
    expect(keysInOrder(JSON.parse(text))).toBe(true);
    expect(irToJson(shuffled(normaliseIr(fullIr())))).not.toBe(irToJson(normaliseIr(fullIr())));
  });

  it('gives the same text however the keys were inserted', () => {
    const ir = fullIr();
    const reordered = JSON.parse(JSON.stringify(ir, Object.keys(ir).reverse().concat(...collectKeys(ir))));
    expect(irToJson(reordered)).toBe(irToJson(ir));
  });

  it('round-trips fixture and generated IRs', () => {
    expect(irFromJson(irToJson(fullIr()))).toEqual(fullIr());
    fc.assert(fc.property(fc.gen(), (g) => {
      const ir = generateIr(g);
      expect(irFromJson(irToJson(ir))).toEqual(JSON.parse(JSON.stringify(ir)));
    }), { numRuns: 200, endOnFailure: true });
  });

  it('refuses text that is not JSON, an invalid IR, another version, each by its code', () => {
    expect(codeOf(() => irFromJson('{"version": 1,'))).toBe('IR_SYNTAX');
    expect(codeOf(() => irFromJson(irToJson(fullIr()).replace('"direction": "in"', '"direction": "up"')))).toBe('IR_INVALID');
    expect(codeOf(() => irFromJson(irToJson(fullIr()).replace('"version": 1', '"version": 2')))).toBe('IR_VERSION');
  });
});

/** Every key used anywhere, reversed: a replacer list that makes JSON.stringify reorder keys. */
function collectKeys(x: unknown, out = new Set<string>()): string[] {
  if (Array.isArray(x)) x.forEach((v) => collectKeys(v, out));
  else if (typeof x === 'object' && x !== null) for (const [k, v] of Object.entries(x)) {
    out.add(k);
    collectKeys(v, out);
  }
  return [...out].reverse();
}
