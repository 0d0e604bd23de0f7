import { describe, expect, it } from 'vitest';
import { baselineJson, baselineOf, findingIdentity, newFindings, parseBaseline } from '../../src/report/baseline.js';
import { finding } from './fixture.js';

describe('baseline identity', () => {
  it("is code, object file name, program and the source file with the line's text", () => {
    expect(findingIdentity(finding())).toEqual({ code: 'B2P-UNTRANSLATABLE-HELPER', object: 'nodenic.bpfel.v3.O2.o', program: 'from_world', source: 'corpus/coppice/src/nodenic.bpf.c: rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);' });
  });

  it('falls back to file:line when the object records no text for the line', () => {
    expect(findingIdentity(finding({ source: { file: './corpus/coppice/src/nodenic.bpf.c', line: 88, text: '' } })).source).toBe('corpus/coppice/src/nodenic.bpf.c:88');
  });

  it('does not change with slots, messages or the directory of the object', () => {
    const rebuilt = finding({ slot: 999, message: 'reworded', section: 'classifier', object: '/tmp/build/nodenic.bpfel.v3.O2.o', construct: 'other' });
    expect(findingIdentity(rebuilt)).toEqual(findingIdentity(finding()));
    expect(newFindings([rebuilt], baselineOf([finding()]))).toEqual([]);
  });

  it('does not change when the line moves: lines added above a finding do not make it new', () => {
    const moved = finding({ source: { file: './corpus/coppice/src/nodenic.bpf.c', line: 131, text: 'rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);' } });
    expect(newFindings([moved], baselineOf([finding()]))).toEqual([]);
  });

  it('changes with the code, program, source file or the text of the line', () => {
    const base = baselineOf([finding()]);
    const src = finding().source!;
    expect(newFindings([finding({ code: 'B2P-OTHER' })], base)).toHaveLength(1);
    expect(newFindings([finding({ program: 'from_cube' })], base)).toHaveLength(1);
    expect(newFindings([finding({ source: { ...src, file: './corpus/coppice/src/mvmtap.bpf.c' } })], base)).toHaveLength(1);
    expect(newFindings([finding({ source: { ...src, text: 'rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_DIRECT);' } })], base)).toHaveLength(1);
    expect(newFindings([finding({ source: null })], base)).toHaveLength(1);
  });

  it('counts: a second finding with an accepted identity is new', () => {
    const base = baselineOf([finding()]);
    const fresh = newFindings([finding(), finding({ slot: 7 })], base);
    expect(fresh).toHaveLength(1);
    expect(fresh[0].slot).toBe(7);
  });
});

describe('baseline file', () => {
  it('round-trips, sorted, one entry per line', () => {
    const findings = [finding({ code: 'B2P-Z' }), finding({ code: 'B2P-A', object: null, program: null, source: null }), finding()];
    const text = baselineJson(baselineOf(findings));
    expect(text.split('\n').filter((l) => l.includes('"code"')).map((l) => JSON.parse(l.replace(/,$/, '')).code)).toEqual(['B2P-A', 'B2P-UNTRANSLATABLE-HELPER', 'B2P-Z']);
    expect(parseBaseline(text, 'b.json')).toEqual(baselineOf(findings));
    expect(newFindings(findings, parseBaseline(text, 'b.json'))).toEqual([]);
    expect(baselineJson(baselineOf([]))).toBe('{\n  "bpf2pfBaseline": 2,\n  "findings": []\n}\n');
  });

  it('refuses what is not a baseline', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(expect.objectContaining({ code: 'BASELINE_INVALID', message: expect.stringMatching(/^b\.json: not JSON/) }));
    expect(() => parseBaseline('{"findings": []}', 'b.json')).toThrow(/b\.json: not a bpf2pf baseline/);
    expect(() => parseBaseline('{"bpf2pfBaseline": 2, "findings": [{"code": 1}]}', 'b.json')).toThrow(/findings\[0\] must be/);
  });

  it('refuses a version 1 baseline (identities by line number) with a word on what to do', () => {
    expect(() => parseBaseline('{"bpf2pfBaseline": 1, "findings": []}', 'b.json')).toThrow(
      expect.objectContaining({ code: 'BASELINE_INVALID', message: "b.json: a version 1 baseline, which identifies findings by source line number; version 2 uses the line's text; write one with bpf2pf check --write-baseline" }),
    );
  });
});
