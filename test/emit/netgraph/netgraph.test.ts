/**
 * The netgraph emitter's behaviour, checked by running its scripts through a model of
 * netgraph (ng-model.ts) and reading each setprogram back with an ng_parse reader
 * (ng-parse.ts), both written from the reference. Programs are tcpdump's own
 * (fixtures.ts): a real code generator, not a mock.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../../src/cbpf/assemble.js';
import type { CbpfProgram } from '../../../src/cbpf/types.js';
import {
  defaultNetgraphTemplatesDir, emitNetgraph, hookProgramAscii, loadNetgraphTemplates, NETGRAPH_LIMITS, PASS_ALL, type CompileClassifier,
} from '../../../src/emit/netgraph/index.js';
import { Bpf2pfError } from '../../../src/errors.js';
import type { IrClassifier, PolicyIR } from '../../../src/ir/types.js';
import { EXPRESSIONS } from '../../cbpf/expressions.js';
import { hasTcpdump } from '../../cbpf/peer.js';
import { skipLine } from '../../support/tools.js';
import { policy } from '../fixtures/build.js';
import { classifier, NETGRAPH_FIXTURES, NIC_IN, NIC_OUT, TAP_ARP, tcpdumpCompile, withClassifiers } from './fixtures.js';
import { Netgraph } from './ng-model.js';
import { parseHookProg } from './ng-parse.js';
import { errorOf } from '../../support/errors.js';

const ready = hasTcpdump();
const templates = loadNetgraphTemplates();
const IFACES = ['vtnet0', 'cube-dev', 'tap3', 'tap7'];

function emit(ir: PolicyIR, compile: CompileClassifier = tcpdumpCompile) {
  const r = emitNetgraph(ir, { compile, templates });
  expect(r.files.map((f) => f.path)).toEqual(['netgraph.ngctl', 'netgraph-teardown.ngctl']);
  return { setup: r.files[0].content, teardown: r.files[1].content, findings: r.findings };
}

const raw = (p: CbpfProgram) => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));
const commands = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));

describe('setup and teardown scripts', () => {
  it('splice one ng_bpf node per interface, each hook programmed as its classifier says', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const { setup } = emit(NETGRAPH_FIXTURES.classifiers);
    const ng = new Netgraph(IFACES);
    expect(ng.runScript(setup)).toEqual({ failedAt: -1 });
    // vtnet0 both ways: inbound passes on match, outbound drops on match.
    expect(ng.nodeAt('vtnet0', 'lower')).toBe('b2p_vtnet0');
    expect(ng.nodeAt('vtnet0', 'upper')).toBe('b2p_vtnet0');
    expect(ng.programOf('vtnet0', 'lower')).toEqual({ thisHook: 'lower', ifMatch: 'upper', ifNotMatch: '', bpf_prog_len: expect.any(Number), bpf_prog: raw(tcpdumpCompile(NIC_IN.predicate)) });
    expect(ng.programOf('vtnet0', 'upper')).toEqual({ thisHook: 'upper', ifMatch: '', ifNotMatch: 'lower', bpf_prog_len: expect.any(Number), bpf_prog: raw(tcpdumpCompile(NIC_OUT.predicate)) });
    // Each sandbox TAP: its own address in the program; the direction nothing classifies passes everything.
    for (const [tap, ip] of [['tap3', '10.200.0.3'], ['tap7', '10.200.0.7']]) {
      expect(ng.programOf(tap, 'lower')?.bpf_prog, tap).toEqual(raw(tcpdumpCompile(`ip or (arp and arp src host ${ip})`)));
      expect(ng.programOf(tap, 'lower')).toMatchObject({ ifMatch: 'upper', ifNotMatch: '' });
      expect(ng.programOf(tap, 'upper')).toEqual({ thisHook: 'upper', ifMatch: 'lower', ifNotMatch: 'lower', bpf_prog_len: 1, bpf_prog: raw(PASS_ALL) });
    }
    for (const i of ['vtnet0', 'tap3', 'tap7']) for (const d of ['in', 'out'] as const) expect(ng.flow(i, d), `${i} ${d}`).toBe('filtered');
    expect(ng.flow('cube-dev', 'in')).toBe('normal');
    expect(ng.nodeAt('cube-dev', 'lower')).toBeNull();
  });

  it('cut traffic only while a new hook waits for its program: inbound for 3 commands, outbound for 1', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const { setup } = emit(NETGRAPH_FIXTURES.classifiers);
    const ng = new Netgraph(IFACES);
    const cut = new Map<string, number>();
    ng.runScript(setup, () => {
      for (const i of ['vtnet0', 'tap3', 'tap7']) for (const d of ['in', 'out'] as const) if (ng.flow(i, d) === 'cut') cut.set(`${i} ${d}`, (cut.get(`${i} ${d}`) ?? 0) + 1);
    });
    expect(Object.fromEntries(cut)).toEqual({ 'vtnet0 in': 3, 'vtnet0 out': 1, 'tap3 in': 3, 'tap3 out': 1, 'tap7 in': 3, 'tap7 out': 1 });
  });

  it('teardown undoes what setup did', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const { setup, teardown } = emit(NETGRAPH_FIXTURES.classifiers);
    const ng = new Netgraph(IFACES);
    const before = ng.snapshot();
    ng.runScript(setup);
    expect(ng.snapshot()).not.toEqual(before);
    expect(ng.runScript(teardown)).toEqual({ failedAt: -1 });
    expect(ng.snapshot()).toEqual(before);
    for (const i of IFACES) for (const d of ['in', 'out'] as const) expect(ng.flow(i, d)).toBe('normal');
  });

  it('run twice, stops at its first command without changing anything', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const { setup } = emit(NETGRAPH_FIXTURES.classifiers);
    const ng = new Netgraph(IFACES);
    ng.runScript(setup);
    const once = ng.snapshot();
    const again = ng.runScript(setup);
    expect(again.failedAt).toBe(setup.split('\n').findIndex((l) => l.startsWith('mkpeer')));
    expect(again.error).toMatch(/EISCONN/);
    expect(ng.snapshot()).toEqual(once);
  });

  it('are comments only when there is nothing to install, and still load', () => {
    const { setup, teardown } = emit(policy({ rules: [] }), () => {
      throw new Error('nothing to compile');
    });
    expect(commands(setup)).toEqual([]);
    expect(commands(teardown)).toEqual([]);
    expect(setup).toMatch(/no ng_bpf classifiers to install/);
  });

  it('are deterministic: two runs, fresh templates, the same bytes', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const ir = NETGRAPH_FIXTURES.classifiers;
    expect(emitNetgraph(ir, { compile: tcpdumpCompile }).files).toEqual(emitNetgraph(ir, { compile: tcpdumpCompile, templates }).files);
  });
});

describe('ngctl -f lines', () => {
  it('stay within the words and bytes limits, one known command or a column-1 comment each', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const { setup, teardown } = emit(NETGRAPH_FIXTURES.classifiers);
    const shapes = [
      /^mkpeer [A-Za-z0-9_-]+: bpf lower lower$/,
      /^name [A-Za-z0-9_-]+:lower b2p_[A-Za-z0-9_-]+$/,
      /^connect [A-Za-z0-9_-]+: b2p_[A-Za-z0-9_-]+: upper upper$/,
      /^msg b2p_[A-Za-z0-9_-]+: setprogram \{.*\}$/,
      /^shutdown b2p_[A-Za-z0-9_-]+:$/,
    ];
    for (const line of [...setup.split('\n'), ...teardown.split('\n')]) {
      expect(line.split(/\s+/).filter((w) => w).length, line).toBeLessThanOrEqual(NETGRAPH_LIMITS.ngctlWords);
      expect(line.length, line).toBeLessThanOrEqual(NETGRAPH_LIMITS.oldNgctlLineBytes);
      if (line === '' || line.startsWith('#')) continue;
      expect(shapes.some((s) => s.test(line)), line).toBe(true);
    }
  });

  it('encode every tcpdump program so that ng_parse reads back the same code, jt, jf and k', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    let n = 0;
    for (const expr of EXPRESSIONS) {
      const prog = tcpdumpCompile(expr);
      for (const [ifMatch, ifNotMatch] of [['upper', ''], ['', 'upper'], ['upper', 'upper']]) {
        const back = parseHookProg(hookProgramAscii({ thisHook: 'lower', ifMatch, ifNotMatch, program: prog }));
        expect(back, expr).toEqual({ thisHook: 'lower', ifMatch, ifNotMatch, bpf_prog_len: prog.length, bpf_prog: raw(prog) });
      }
      n++;
    }
    expect(n).toBe(EXPRESSIONS.length);
  });

  it('refuse a program too long for one line, and report one only older ngctl would split', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const ports = (n: number) => Array.from({ length: n }, (_, i) => `port ${1000 + i}`).join(' or ');
    // 80 ports: 261 instructions, 519 words.
    const long = errorOf(() => emit(withClassifiers([classifier({ name: 'many', interface: 'host_nic', hook: 'lower', predicate: ports(80) })])));
    expect(long.code).toBe('EMIT_LIMIT');
    expect(long.message).toMatch(/511/);
    // 60 ports: 201 instructions, 399 words, 4.5 kB: loads with getline, not with fgets(LINE_MAX).
    const r = emit(withClassifiers([classifier({ name: 'some', interface: 'host_nic', hook: 'lower', predicate: ports(60) })]));
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['B2P-NGCTL-LIMIT', 'warning']]);
    expect(r.findings[0].message).toMatch(/fgets/);
    // 75 ports: 246 instructions, more than older kernels' 2000-byte ASCII buffer holds.
    const r75 = emit(withClassifiers([classifier({ name: 'more', interface: 'host_nic', hook: 'lower', predicate: ports(75) })]));
    expect(r75.findings.map((f) => f.message.match(/fgets|237/)?.[0])).toEqual(['fgets', '237']);
  });
});

describe('programs', () => {
  const on = (predicate: string, compile: CompileClassifier) => () => emit(withClassifiers([classifier({ name: 'c1', interface: 'host_nic', hook: 'lower', predicate })]), compile);

  it('that FreeBSD would refuse fail emission with a typed error naming the classifier', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    const backward = errorOf(on('ip6 protochain 6', tcpdumpCompile)); // libpcap emits a backward ja
    expect(backward.code).toBe('CBPF_INVALID');
    expect(backward.message).toMatch(/classifier c1 on vtnet0 lower/);
    const ports = Array.from({ length: 160 }, (_, i) => `port ${i + 1}`).join(' or ');
    expect(errorOf(on(ports, tcpdumpCompile)).code).toBe('CBPF_TOO_LONG');
    expect(errorOf(on('x', () => [])).code).toBe('CBPF_INVALID');
    expect(errorOf(on('x', () => assembleCbpf('ldh [12]\nret #0\nldh [14]'))).message).toMatch(/no-final-ret/);
  });

  it('that would not mean the same on ng_bpf are refused: truncating accepts, ret a, Linux ancillary loads', () => {
    if (!ready) return skipLine('netgraph scripts', 'tcpdump not installed');
    expect(errorOf(on('x', () => assembleCbpf('ret #8192'))).message).toMatch(/cut a matching frame to 8192 bytes/);
    expect(errorOf(on('x', () => assembleCbpf('ld #pktlen\nret a'))).code).toBe('CBPF_INVALID');
    // Linux-built tcpdump compiles `inbound` to a load at SKF_AD_OFF + 4: out of range on FreeBSD.
    expect(errorOf(on('inbound', tcpdumpCompile)).message).toMatch(/Linux ancillary/);
    expect(errorOf(on('x', () => assembleCbpf('ret #262143'))).code).toBe('CBPF_INVALID');
    expect(() => on('x', () => assembleCbpf('ret #262144'))()).not.toThrow();
  });

  it('keep the code of a compiler error and name the classifier', () => {
    const e = errorOf(on('tcp port x', () => {
      throw new Bpf2pfError('CBPF_SYNTAX', 'line 1:10: not a port');
    }));
    expect(e.code).toBe('CBPF_SYNTAX');
    expect(e.message).toMatch(/classifier c1 .*tcp port x.*not a port/);
  });
});

describe('names and placement', () => {
  const nic = (freebsd: string) => policy({ rules: [], interfaces: [{ name: 'host_nic', freebsd, group: false, ifindex: 2 }], classifiers: [classifier({ name: 'c1', interface: 'host_nic', hook: 'lower', predicate: 'arp' })] });
  const compileArp: CompileClassifier = () => assembleCbpf('ldh [12]\njeq #0x806 jt 2 jf 3\nret #262144\nret #0');

  it('refuse hostile or unaddressable interface, instance and classifier names', () => {
    for (const name of ['em0.10', 'em0 lower', 'em0:', 'em0\nshutdown', 'x'.repeat(16), '[1f]', 'any']) {
      expect(errorOf(() => emit(nic(name), compileArp)).code, name).toBe('EMIT_BAD_NAME');
    }
    for (const name of ['c1\nshutdown vtnet0:', 'c 1', 'c.1', 'x'.repeat(32)]) {
      const ir = withClassifiers([classifier({ name, interface: 'host_nic', hook: 'lower', predicate: 'arp' })]);
      expect(errorOf(() => emit(ir, compileArp)).code, name).toBe('EMIT_BAD_NAME');
    }
    const base = withClassifiers([TAP_ARP]);
    const fam = base.families[0];
    const hostile = { ...base, families: [{ ...fam, instances: [{ ...fam.instances[0], interface: 'tap3 upper' }] }] };
    expect(errorOf(() => emit(hostile, compileArp)).code).toBe('EMIT_BAD_NAME');
    // An interface named like bpf2pf's node for another one.
    const clash = { ...nic('vtnet0'), interfaces: [{ name: 'host_nic', freebsd: 'vtnet0', group: false, ifindex: 2 }, { name: 'other', freebsd: 'b2p_vtnet0', group: false, ifindex: 9 }] };
    expect(errorOf(() => emit(clash, compileArp)).code).toBe('EMIT_BAD_NAME');
  });

  it('put only addresses or numbers into a predicate through value()', () => {
    const base = withClassifiers([TAP_ARP]);
    const fam = base.families[0];
    const inject = { ...base, families: [{ ...fam, instances: [{ ...fam.instances[0], values: { ip: '10.0.0.1 or 1 = 1' } }] }] };
    expect(errorOf(() => emit(inject, compileArp)).code).toBe('EMIT_BAD_IR');
    const missing = { ...base, families: [{ ...fam, instances: [{ ...fam.instances[0], values: {} }] }] };
    expect(errorOf(() => emit(missing, compileArp)).code).toBe('EMIT_BAD_IR');
    const notFamily = withClassifiers([{ ...TAP_ARP, scope: { kind: 'global' }, interface: 'host_nic' }]);
    expect(errorOf(() => emit(notFamily, compileArp)).code).toBe('EMIT_BAD_IR');
    const unknownFamily = withClassifiers([{ ...TAP_ARP, scope: { kind: 'family', family: 'nope' } }]);
    expect(errorOf(() => emit(unknownFamily, compileArp)).code).toBe('EMIT_BAD_IR');
  });

  it('conjoin two filtering classifiers on one hook (a frame goes on only if both programs pass it), and refuse any other pair', () => {
    const other: IrClassifier = { ...NIC_IN, name: 'nic_other', predicate: 'not ip6' };
    const seen: string[] = [];
    const record: CompileClassifier = (p) => {
      seen.push(p);
      return compileArp(p);
    };
    emit(withClassifiers([NIC_IN, other]), record);
    expect(seen).toContain(`(${NIC_IN.predicate}) and (${other.predicate})`);
    const e = errorOf(() => emit(withClassifiers([NIC_IN, { ...other, onMatch: 'drop', onMiss: 'pass' }]), compileArp));
    expect(e.code).toBe('EMIT_UNSUPPORTED');
    expect(e.message).toMatch(/nic_other and classifier nic_l2_in|nic_l2_in.*nic_other/);
  });

  it('report a classifier on a group no family enumerates, instead of installing it nowhere silently', () => {
    const ir = policy({ rules: [], classifiers: [{ ...TAP_ARP, scope: { kind: 'global' } }] });
    const r = emit(ir, compileArp);
    expect(commands(r.setup)).toEqual([]);
    expect(r.setup).toMatch(/^# NOT INSTALLED: classifier tap_arp_guard/m);
    expect(r.findings.map((f) => [f.code, f.severity, f.construct])).toEqual([['B2P-NETGRAPH-UNPLACED', 'error', 'ng_bpf classifier tap_arp_guard']]);
    const empty = withClassifiers([TAP_ARP]);
    const none = emit({ ...empty, families: [{ ...empty.families[0], instances: [] }] }, compileArp);
    expect(none.findings.map((f) => [f.code, f.severity])).toEqual([['B2P-NETGRAPH-UNPLACED', 'warning']]);
  });

  it('refuse a template that prints without a validating helper', () => {
    for (const source of ['{{header}}\n', '{{{comment header}}}\n', '{{#each blocks}}{{commands}}{{/each}}\n', '{{ngctl a b}}\n', '{{#with blocks}}{{/with}}\n']) {
      const dir = mkdtempSync(join(tmpdir(), 'b2p-ng-tpl-'));
      cpSync(defaultNetgraphTemplatesDir(), dir, { recursive: true });
      writeFileSync(join(dir, 'netgraph.ngctl.hbs'), source);
      expect(errorOf(() => loadNetgraphTemplates(dir)).code, source).toBe('EMIT_TEMPLATE');
    }
  });
});
