/**
 * The pf.conf parser on hand-written text: pf.md's portable skeleton (§9b) and its 15.0
 * translation lines, pfctl's lexical rules (macros, comments, continuation lines,
 * newlines inside lists), the statement order pfctl enforces, and errors that point at
 * the line and column.
 */
import { describe, expect, it } from 'vitest';
import { parsePf, parsePfTableFile, type PfFilterRule, type PfStatement, type PfTranslationRule } from '../../src/pf/index.js';

const SKELETON = `ext_if = "vtnet0"
int_if = "vtnet1"
table <blocked> persist { 192.0.2.0/24, !192.0.2.7 }
set skip on lo0
set block-policy drop
set ruleset-optimization none
set reassemble yes
set limit { states 200000, table-entries 400000 }
nat on $ext_if inet from 10.0.0.0/24 to any -> ($ext_if:0)
rdr on $ext_if inet proto tcp from any to ($ext_if) port 8080 -> 10.0.0.5 port 80
block drop all
pass quick inet6 proto icmp6 icmp6-type { neighbrsol, neighbradv, routersol, routeradv }
block drop in quick on $ext_if from <blocked> to any
pass in quick on $ext_if inet proto tcp from any to 10.0.0.5 port 80
pass in quick on $int_if route-to ($ext_if 198.51.100.1) inet from 10.0.0.0/24 to any dnpipe (1, 2)
pass out quick on $ext_if inet
`;

function only<K extends PfStatement['kind']>(text: string, kind: K): Extract<PfStatement, { kind: K }>[] {
  return parsePf(text).statements.filter((s): s is Extract<PfStatement, { kind: K }> => s.kind === kind);
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

describe('pf.md §9b skeleton', () => {
  const st = parsePf(SKELETON).statements;

  it('reads every statement, with macros expanded', () => {
    expect(st.map((s) => s.kind)).toEqual([
      'macro', 'macro', 'table', 'set', 'set', 'set', 'set', 'set', 'translation', 'translation',
      'filter', 'filter', 'filter', 'filter', 'filter', 'filter',
    ]);
    const table = st[2];
    expect(table).toMatchObject({ kind: 'table', name: 'blocked', persist: true, entries: [{ negate: false, text: '192.0.2.0/24' }, { negate: true, text: '192.0.2.7' }] });
    expect(st[7]).toMatchObject({ set: { option: 'limit', values: [{ name: 'states', value: 200000 }, { name: 'table-entries', value: 400000 }] } });
  });

  it('reads legacy nat and rdr with their pools', () => {
    const [nat, rdr] = st.filter((s): s is PfTranslationRule => s.kind === 'translation');
    expect(nat).toMatchObject({ type: 'nat', on: { names: ['vtnet0'] }, af: 'inet', pool: { hosts: [{ kind: 'dynamic', interface: 'vtnet0', modifier: '0' }] } });
    expect(nat.from.hosts).toEqual([{ negate: false, address: { kind: 'prefix', text: '10.0.0.0/24' } }]);
    expect(rdr).toMatchObject({ type: 'rdr', proto: [6], pool: { hosts: [{ kind: 'prefix', text: '10.0.0.5' }], port: { from: 80, to: null } } });
    expect(rdr.to).toEqual({ hosts: [{ negate: false, address: { kind: 'dynamic', interface: 'vtnet0', modifier: null } }], ports: [{ op: '=', port: 8080 }] });
  });

  it('reads filter rules: icmp6 types by name, route-to before the family, dnpipe pairs', () => {
    const rules = st.filter((s): s is PfFilterRule => s.kind === 'filter');
    expect(rules[0]).toMatchObject({ action: 'block', blockMode: 'drop', direction: null, quick: false });
    expect(rules[1]).toMatchObject({ action: 'pass', quick: true, af: 'inet6', proto: [58], options: { icmpType: { v6: true, types: [135, 136, 133, 134].map((type) => ({ type, code: null })) } } });
    expect(rules[4]).toMatchObject({ route: { kind: 'route-to', hosts: [{ interface: 'vtnet0', nexthop: '198.51.100.1' }] }, af: 'inet', options: { dnpipe: [1, 2] } });
    expect(rules[5]).toMatchObject({ direction: 'out', on: { names: ['vtnet0'] }, af: 'inet', from: { hosts: [], ports: [] } });
  });
});

describe('15.0 filter-rule translation', () => {
  it('reads nat-to and rdr-to with ports and pool types, in any option order', () => {
    const [a, b] = only(`match out on ! vlan12 from 192.168.168.0/24 to any nat-to 204.92.77.111
pass in on lo0 proto tcp from any to 1.2.3.4/32 port 2222 rdr-to 10.0.0.10 nat-to <pool> port 30000:65535 round-robin keep state label "x"
`, 'filter');
    expect(a).toMatchObject({ action: 'match', on: { negate: true, names: ['vlan12'] }, options: { natTo: { hosts: [{ kind: 'prefix', text: '204.92.77.111' }] } } });
    expect(b.options).toMatchObject({
      rdrTo: { hosts: [{ kind: 'prefix', text: '10.0.0.10' }], port: null },
      natTo: { hosts: [{ kind: 'table', name: 'pool' }], port: { from: 30000, to: 65535 }, type: 'round-robin' },
      state: 'keep',
      labels: ['x'],
    });
  });
});

describe('rule options', () => {
  it('reads flags, ports, tags and states', () => {
    const [r] = only('block return out log quick on { em0, em1 } inet proto { tcp, 17 } from ! 10.0.0.0/8 port >= 1024 to any port { 80, 1000:2000, 5 >< 9 } flags S/SA ! tagged "t1" tag t2 no state\n', 'filter');
    expect(r).toMatchObject({ blockMode: 'return', direction: 'out', log: true, quick: true, on: { names: ['em0', 'em1'] }, proto: [6, 17] });
    expect(r.from).toEqual({ hosts: [{ negate: true, address: { kind: 'prefix', text: '10.0.0.0/8' } }], ports: [{ op: '>=', port: 1024 }] });
    expect(r.to.ports).toEqual([{ op: '=', port: 80 }, { op: ':', from: 1000, to: 2000 }, { op: '><', from: 5, to: 9 }]);
    expect(r.options).toMatchObject({ flags: { set: 0x02, mask: 0x12 }, tagged: { tag: 't1', negate: true }, tag: 't2', state: 'no' });
  });

  it('reads icmp types with codes, fragments and flags any', () => {
    const [r, s] = only('pass in inet proto icmp all icmp-type echoreq code 0 keep state\npass in all flags any fragment\n', 'filter');
    expect(r.options.icmpType).toEqual({ v6: false, types: [{ type: 8, code: 0 }] });
    expect(s.options).toMatchObject({ flags: 'any', fragment: true });
  });

  it('reads anchors with their restrictions', () => {
    const [a, n] = only('nat-anchor "coppice/*" on tap\nanchor "coppice/*" in on tap\n', 'anchor');
    expect(a).toMatchObject({ type: 'nat-anchor', name: 'coppice/*', on: { names: ['tap'] } });
    expect(n).toMatchObject({ type: 'anchor', direction: 'in', on: { names: ['tap'] } });
  });
});

describe('lexical rules', () => {
  it('joins continued lines, skips comments, allows newlines inside lists', () => {
    const st = parsePf(`# header
table <t> persist { 10.0.0.0/8,
  172.16.0.0/12 # a comment inside the list
}
pass in \\
  quick all # trailing
`).statements;
    expect(st).toHaveLength(2);
    expect(st[0]).toMatchObject({ entries: [{ text: '10.0.0.0/8' }, { text: '172.16.0.0/12' }] });
    expect(st[1]).toMatchObject({ kind: 'filter', quick: true });
  });

  it('does not expand macros inside quotes', () => {
    const [, r] = parsePf('x = "em0"\npass in all label "$x"\n').statements;
    expect(r).toMatchObject({ options: { labels: ['$x'] } });
  });

  it('reads table files', () => {
    expect(parsePfTableFile('# c\n10.0.0.0/8\n\n!10.1.0.0/16 # x\n')).toEqual([{ negate: false, text: '10.0.0.0/8' }, { negate: true, text: '10.1.0.0/16' }]);
  });
});

describe('errors', () => {
  it('an undefined macro', () => {
    expect(errorOf(() => parsePf('pass in on $nope all\n'))).toEqual({ code: 'PF_SYNTAX', message: "line 1:12: macro 'nope' not defined" });
  });

  it('statements out of pfctl order', () => {
    const e = errorOf(() => parsePf('pass all\nnat on em0 from any to any -> 1.2.3.4\n'));
    expect(e.code).toBe('PF_SYNTAX');
    expect(e.message).toMatch(/^line 2:1: Rules must be in order/);
    expect(errorOf(() => parsePf('pass all\nset skip on lo0\n')).message).toMatch(/options after filtering/);
    expect(parsePf('set require-order no\npass all\nset skip on lo0\n').statements).toHaveLength(3);
  });

  it('a word where a keyword belongs, with its position', () => {
    const e = errorOf(() => parsePf('\npass in quick on em0 frm any\n'));
    expect(e).toEqual({ code: 'PF_SYNTAX', message: "line 2:22: unexpected 'frm'" });
  });

  it('values out of range', () => {
    expect(errorOf(() => parsePf('pass in proto tcp to any port 70000\n')).message).toMatch(/port '70000'/);
    expect(errorOf(() => parsePf('pass in proto tcp to any port www\n')).message).toMatch(/service names are not resolved/);
    expect(errorOf(() => parsePf('pass in all flags X/SA\n')).message).toMatch(/not a TCP flag/);
    expect(errorOf(() => parsePf('pass in proto 0 all\n')).code).toBe('PF_SYNTAX');
  });
});
