/**
 * The pf emitter's decisions and refusals: determinism, what 14.x cannot express, what
 * pf cannot express at all, names that must not reach the output, pf limits, pipe
 * numbering, and the template guard.
 */
import { mkdtempSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTemplatesDir, emitPf, emitPfDetailed, loadPfTemplates, pipeNumbers } from '../../src/emit/pf/index.js';
import type { IrFamilyInstance, IrRule, PolicyIR } from '../../src/ir/types.js';
import { parsePf, type PfFilterRule } from '../../src/pf/index.js';
import { policy, rule } from './fixtures/build.js';
import { FIXTURES } from './fixtures/index.js';

const templates = loadPfTemplates();

function emit(ir: PolicyIR): Map<string, string> {
  return new Map(emitPf(ir, { templates }).map((f) => [f.path, f.content]));
}

function errorOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { code: err.code ?? 'none', message: err.message };
  }
  return { code: 'no error', message: '' };
}

function filterRules(text: string): PfFilterRule[] {
  return parsePf(text).statements.filter((s): s is PfFilterRule => s.kind === 'filter');
}

const v14 = { os: 'freebsd', release: '14.3' } as const;
const hostIn = (r: Partial<IrRule> & Pick<IrRule, 'id'>): IrRule => rule({ interface: 'host_nic', direction: 'in', action: 'pass', ...r });
const toGw = { address: { kind: 'cidr', cidr: '9.135.10.2' }, negate: false } as const;
const rdr = { kind: 'rdr', to: { kind: 'cidr', cidr: '10.0.0.5' }, port: 80 } as const;
const nat = { kind: 'nat', to: { kind: 'interface', interface: 'host_nic' } } as const;

describe('determinism', () => {
  it('the same IR gives the same bytes, whatever the order of its records', () => {
    for (const ir of Object.values(FIXTURES)) expect(emitPf(ir, { templates })).toEqual(emitPf(ir, { templates }));
    const a = policy({ rules: [], state: { timeouts: { 'tcp.first': 60, 'udp.first': 30 }, limits: { states: 10, frags: 20 }, reassemble: false } });
    const b = policy({ rules: [], state: { timeouts: { 'udp.first': 30, 'tcp.first': 60 }, limits: { frags: 20, states: 10 }, reassemble: false } });
    expect(emitPf(a, { templates })).toEqual(emitPf(b, { templates }));
  });

  it('finds its templates from the package root', () => {
    expect(defaultTemplatesDir()).toMatch(/templates[/\\]pf$/);
  });
});

describe('FreeBSD 14.x translation', () => {
  const cases: [string, IrRule[], RegExp][] = [
    ['rdr on an outbound rule', [hostIn({ id: 'r.1', direction: 'out', translations: [rdr] })], /rdr applies to inbound packets only/],
    ['nat on an inbound rule', [hostIn({ id: 'r.1', translations: [nat] })], /nat applies to outbound packets only/],
    ['a rule with TCP flags', [hostIn({ id: 'r.1', match: { proto: [6], tcpFlags: { set: 2, mask: 18 } }, translations: [rdr] })], /cannot test TCP flags/],
    ['a rule that tests a tag', [hostIn({ id: 'r.1', match: { tagged: { tag: 'x', negate: false } }, translations: [rdr] })], /replace the tag/],
    ['a match rule', [hostIn({ id: 'r.1', action: 'match', quick: false, translations: [rdr] })], /only a deciding/],
    ['binat', [hostIn({ id: 'r.1', direction: 'out', match: { src: { address: { kind: 'cidr', cidr: '10.0.0.1' }, negate: false } }, translations: [{ kind: 'binat', to: { kind: 'cidr', cidr: '9.135.10.9' } }] })], /binat/],
    ['an earlier pass rule that may see the packets', [hostIn({ id: 'r.0', match: { proto: [6] } }), hostIn({ id: 'r.1', match: { dst: toGw }, translations: [rdr] })], /before rule r\.0, which may see the same packets and may pass them first/],
    // Legacy rdr would rewrite 9.135.10.2 to 10.0.0.5 before r.0, which then lets it pass.
    ['an earlier block on the rewritten destination', [hostIn({ id: 'r.0', action: 'block', keepState: false, match: { dst: { address: { kind: 'cidr', cidr: '9.0.0.0/8' }, negate: false } } }), hostIn({ id: 'r.1', match: { dst: toGw }, translations: [rdr] })], /tests the destination/],
    ['an rdr port operator legacy rdr lacks', [hostIn({ id: 'r.1', match: { proto: [6], dstPort: { op: 'gt', port: 1024 } }, translations: [rdr] })], /only = and :/],
  ];
  for (const [what, rules, message] of cases) {
    it(`refuses ${what}, naming the rule`, () => {
      const e = errorOf(() => emit(policy({ target: v14, rules })));
      expect(e.code).toBe('EMIT_UNSUPPORTED');
      expect(e.message).toMatch(/^rule r\.1: FreeBSD 14\.x cannot express it/);
      expect(e.message).toMatch(message);
    });
  }

  it('accepts earlier rules that cannot see the packets, or only drop them', () => {
    const rules = [
      hostIn({ id: 'r.0', direction: 'out', match: { proto: [6] } }), // other direction
      rule({ id: 'r.1', interface: 'cube_dev', direction: 'in', action: 'pass' }), // other interface
      hostIn({ id: 'r.2', action: 'block', keepState: false, match: { src: { address: { kind: 'cidr', cidr: '192.0.2.0/24' }, negate: false } } }), // drops, on the source
      hostIn({ id: 'r.3', match: { proto: [17] } }), // other protocol
      hostIn({ id: 'r.4', match: { proto: [6], dst: toGw, dstPort: { op: 'eq', port: 8080 } }, translations: [rdr] }),
    ];
    const out = emit(policy({ target: v14, rules }));
    const main = parsePf(out.get('pf.conf') ?? '');
    expect(main.statements.filter((s) => s.kind === 'translation')).toHaveLength(1);
  });

  it('keeps per-instance translations apart with a tag per instance', () => {
    const out = emit(FIXTURES['legacy-14']);
    const tags = ['tap3', 'tap4'].map((i) => filterRules(out.get(`anchors/coppice/${i}.conf`) ?? '')[0].options.tagged?.tag);
    expect(new Set(tags).size).toBe(2);
  });
});

describe('what pf cannot say', () => {
  const cases: [string, IrRule, RegExp][] = [
    ['a translating block', hostIn({ id: 'r.1', action: 'block', translations: [rdr] }), /block rule cannot translate/],
    ['a translating stateless pass', hostIn({ id: 'r.1', keepState: false, translations: [rdr] }), /must keep state/],
    ['route-to on a block', hostIn({ id: 'r.1', action: 'block', routeTo: { interface: { kind: 'interface', name: 'cube_dev' } } }), /route-to is only emitted on pass/],
    ['a tag on a stateless pass', hostIn({ id: 'r.1', keepState: false, tag: 'x' }), /tags on a pass rule without keep state/],
    ['ports without tcp or udp', hostIn({ id: 'r.1', match: { proto: [1], dstPort: { op: 'eq', port: 1 } } }), /ports need the protocol/],
    ['icmp-type on tcp', hostIn({ id: 'r.1', match: { proto: [6], icmpType: { type: 8 } } }), /icmp-type needs proto icmp/],
    ['never-fragments without L4 criteria', hostIn({ id: 'r.1', match: { fragment: false } }), /cannot exclude fragments/],
    ['fragments with ports', hostIn({ id: 'r.1', match: { proto: [6], fragment: true, dstPort: { op: 'eq', port: 1 } } }), /only on IP header fields/],
  ];
  for (const [what, r, message] of cases) {
    it(`refuses ${what}`, () => {
      const e = errorOf(() => emit(policy({ rules: [r] })));
      expect(e.code).toBe('EMIT_UNSUPPORTED');
      expect(e.message).toMatch(/^rule r\.1: /);
      expect(e.message).toMatch(message);
    });
  }

  it('refuses a family whose rules cannot be brought together', () => {
    const fam = { kind: 'family', family: 'f' } as const;
    const ir = policy({
      families: [{ name: 'f', keyedBy: { map: 'm', keyField: 'k' }, interface: 'sandbox_taps', instances: [] }],
      rules: [
        rule({ id: 'a.1', scope: fam, interface: 'sandbox_taps', direction: 'in', action: 'pass' }),
        rule({ id: 'g.1', interface: 'sandbox_taps', direction: 'in', action: 'block', keepState: false }),
        rule({ id: 'a.2', scope: fam, interface: 'sandbox_taps', direction: 'in', action: 'pass' }),
      ],
    });
    const e = errorOf(() => emit(ir));
    expect(e.code).toBe('EMIT_UNSUPPORTED');
    expect(e.message).toMatch(/rule a\.2 cannot be moved before rule g\.1/);
  });

  it('says flags any on stateful pass rules that may see TCP, and nothing elsewhere', () => {
    const rules = [
      hostIn({ id: 'r.1' }),
      hostIn({ id: 'r.2', match: { proto: [17] } }),
      hostIn({ id: 'r.3', keepState: false }),
      hostIn({ id: 'r.4', match: { proto: [6], tcpFlags: { set: 2, mask: 18 } } }),
    ];
    const got = filterRules(emit(policy({ rules })).get('pf.conf') ?? '').map((r) => r.options.flags);
    expect(got).toEqual(['any', null, null, { set: 2, mask: 18 }]);
  });
});

describe('names that must not reach the output', () => {
  it('refuses interface, set, family and instance names outside their classes', () => {
    const badIf = policy({ rules: [], interfaces: [{ name: 'ext', freebsd: 'em0 pass', group: false, ifindex: 1 }] });
    expect(errorOf(() => emit(badIf)).code).toBe('EMIT_BAD_NAME');
    const reserved = policy({ rules: [], interfaces: [{ name: 'ext', freebsd: 'any', group: false, ifindex: 1 }] });
    expect(errorOf(() => emit(reserved)).message).toMatch(/reserved/);
    const badSet = policy({ rules: [], sets: [{ name: 'deny-out', scope: { kind: 'global' }, source: { map: 'deny-out', keyField: 'ip', inner: false }, element: 'ipv4', valueCondition: null, contents: [] }] });
    expect(errorOf(() => emit(badSet)).code).toBe('EMIT_BAD_NAME');
    const inst: IrFamilyInstance = { key: '01', ifindex: 1, name: '_hidden', interface: 'tap1', values: {}, sets: {} };
    const badInst = policy({ rules: [], families: [{ name: 'f', keyedBy: { map: 'm', keyField: 'k' }, interface: 'sandbox_taps', instances: [inst] }] });
    expect(errorOf(() => emit(badInst)).code).toBe('EMIT_BAD_NAME');
    const badTag = policy({ rules: [hostIn({ id: 'r.1', tag: 'a"b' })] });
    expect(errorOf(() => emit(badTag)).code).toBe('EMIT_BAD_NAME');
  });

  it('keeps notes and paths with line breaks inside their comments', () => {
    const r = hostIn({ id: 'r.1', note: 'harmless\npass in quick all\\', provenance: [{ object: 'x\n#', program: 'p', section: 'tc', slots: [1], sources: [{ file: 'a\r\nblock all', line: 3 }] }] });
    const ir = policy({ inputs: [{ object: 'evil\npass all', sha256: '0', programs: ['p'] }], rules: [r] });
    expect(filterRules(emit(ir).get('pf.conf') ?? '')).toHaveLength(1);
  });

  it('refuses addresses that are not addresses', () => {
    const e = errorOf(() => emit(policy({ rules: [hostIn({ id: 'r.1', match: { dst: { address: { kind: 'cidr', cidr: '10.0.0.0/8 }' }, negate: false } } })] })));
    expect(e.code).toBe('EMIT_BAD_IR');
  });
});

describe('pf limits', () => {
  const bigSet = (name: string, n: number) => ({
    name, scope: { kind: 'global' } as const, source: { map: name, keyField: 'ip', inner: false }, element: 'ipv4' as const, valueCondition: null,
    contents: Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`),
  });

  it('raises table-entries past the default, and warns about a table larger than one pfctl request', () => {
    const ir = policy({ rules: [], sets: [bigSet('a', 70000), bigSet('b', 140000)] });
    const r = emitPfDetailed(ir, { templates });
    const main = r.files.find((f) => f.path === 'pf.conf')?.content ?? '';
    expect(main).toMatch(/^set limit \{ table-entries 210000 \}$/m);
    expect(r.findings.map((f) => f.code)).toEqual(['B2P-PF-REQUEST-MAXCOUNT', 'B2P-PF-REQUEST-MAXCOUNT']);
    expect(main).toMatch(/^# WARNING: table <a> .*net\.pf\.request_maxcount/m);
    expect(r.files.find((f) => f.path === 'tables/a.txt')?.content.split('\n').filter((l) => /^10\./.test(l))).toHaveLength(70000);
  });

  it('raises the anchors limit on 15.0 only', () => {
    const instances = Array.from({ length: 600 }, (_, i): IrFamilyInstance => ({ key: i.toString(16), ifindex: i + 10, name: `tap${i + 10}`, interface: `tap${i + 10}`, values: {}, sets: {} }));
    const fam = { name: 'f', keyedBy: { map: 'm', keyField: 'k' }, interface: 'sandbox_taps', instances };
    const rules = [rule({ id: 'a.1', scope: { kind: 'family', family: 'f' }, interface: 'sandbox_taps', direction: 'in', action: 'pass' })];
    expect(emit(policy({ rules, families: [fam] })).get('pf.conf')).toMatch(/^set limit \{ anchors 601 \}$/m);
    expect(emit(policy({ target: v14, rules, families: [fam] })).get('pf.conf')).not.toMatch(/^set limit.*anchors/m);
  });

  it('writes set reassemble yes when the IR says pf reassembles, on 14.x too, and nothing otherwise', () => {
    const state = (reassemble: boolean) => ({ timeouts: {}, limits: {}, reassemble });
    for (const target of [undefined, v14]) {
      const on = emit(policy({ ...(target && { target }), rules: [], state: state(true) })).get('pf.conf')!;
      expect(on).toMatch(/^set skip on lo0\nset reassemble yes$/m);
      expect(emit(policy({ ...(target && { target }), rules: [], state: state(false) })).get('pf.conf')).not.toMatch(/reassemble/);
    }
  });

  it('refuses limit and timeout names pfctl does not know', () => {
    expect(errorOf(() => emit(policy({ rules: [], state: { timeouts: {}, limits: { tables: 10 }, reassemble: false } }))).code).toBe('EMIT_UNSUPPORTED');
    expect(errorOf(() => emit(policy({ target: v14, rules: [], state: { timeouts: {}, limits: { anchors: 10 }, reassemble: false } }))).code).toBe('EMIT_UNSUPPORTED');
    expect(errorOf(() => emit(policy({ rules: [], state: { timeouts: { 'tcp.forever': 1 }, limits: {}, reassemble: false } }))).code).toBe('EMIT_UNSUPPORTED');
  });
});

describe('dummynet pipe numbers', () => {
  const fam = (n: number) => ({
    name: 'f', keyedBy: { map: 'm', keyField: 'k' }, interface: 'sandbox_taps',
    instances: Array.from({ length: n }, (_, i): IrFamilyInstance => ({ key: String(i), ifindex: i, name: `t${i}`, interface: `tap${i}`, values: {}, sets: {} })),
  });
  const pipe = (id: number, family: boolean) => ({
    id, scope: family ? { kind: 'family' as const, family: 'f' } : { kind: 'global' as const }, name: `p${id}`,
    rate: { kind: 'const' as const, bytesPerSecond: 1000 }, fidelity: { level: 'exact' as const },
  });

  it('numbers family pipes id * 1000 + instance index', () => {
    const numbers = pipeNumbers(policy({ rules: [], families: [fam(3)], pipes: [pipe(5, false), pipe(3, true)] }));
    expect(numbers.map((n) => n.number)).toEqual([5, 3000, 3001, 3002]);
  });

  it('refuses numbering that does not fit or collides', () => {
    expect(errorOf(() => pipeNumbers(policy({ rules: [], families: [fam(1001)], pipes: [pipe(1, true)] }))).code).toBe('EMIT_LIMIT');
    expect(errorOf(() => pipeNumbers(policy({ rules: [], families: [fam(1)], pipes: [pipe(66, true)] }))).code).toBe('EMIT_LIMIT');
    expect(errorOf(() => pipeNumbers(policy({ rules: [], families: [fam(1)], pipes: [pipe(2000, false), pipe(2, true)] }))).code).toBe('EMIT_LIMIT');
  });
});

describe('templates', () => {
  function templatesWith(name: string, source: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'b2p-tpl-'));
    cpSync(defaultTemplatesDir(), dir, { recursive: true });
    mkdirSync(join(dir, 'partials'), { recursive: true });
    writeFileSync(join(dir, name), source);
    return dir;
  }

  it('refuses a template that prints a value without a validating helper', () => {
    for (const source of ['{{header}}\n', '{{{header}}}\n', '{{#each macros}}{{name}}{{/each}}\n', '{{#with main}}{{/with}}\n', '{{comment a b}}\n']) {
      const e = errorOf(() => loadPfTemplates(templatesWith('pf.conf.hbs', source)));
      expect(e.code, source).toBe('EMIT_TEMPLATE');
    }
    expect(errorOf(() => loadPfTemplates(templatesWith('partials/block.hbs', '{{statement}}\n'))).code).toBe('EMIT_TEMPLATE');
  });

  it('refuses a missing template directory', () => {
    expect(errorOf(() => loadPfTemplates(join(tmpdir(), 'no-such-dir-b2p'))).code).toBe('EMIT_TEMPLATE');
  });

  it('prefixes table files with the given root', () => {
    const big = policy({ rules: [], sets: [{ name: 'd', scope: { kind: 'global' }, source: { map: 'd', keyField: 'ip', inner: false }, element: 'ipv4', valueCondition: null, contents: Array.from({ length: 20 }, (_, i) => `10.0.0.${i}`) }] });
    expect(emitPf(big, { templates, tableFileRoot: '/etc/pf/b2p/' })[0].content).toMatch(/file "\/etc\/pf\/b2p\/tables\/d\.txt"/);
    expect(errorOf(() => emitPf(big, { templates, tableFileRoot: '/etc/"x/' })).code).toBe('EMIT_BAD_NAME');
  });
});
