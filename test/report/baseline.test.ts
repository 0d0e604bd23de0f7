import { describe, expect, it } from 'vitest';
import { baselineJson, baselineOf, findingIdentity, newFindings, parseBaseline } from '../../src/report/baseline.js';
import { finding } from './fixture.js';

describe('baseline identity', () => {
  it('is code, object file name, program and source file:line', () => {
    expect(findingIdentity(finding())).toEqual({ code: 'B2P-UNTRANSLATABLE-HELPER', object: 'nodenic.bpfel.v3.O2.o', program: 'from_world', source: 'corpus/coppice/src/nodenic.bpf.c:88' });
  });

  it('does not change with slots, messages or the directory of the object', () => {
    const rebuilt = finding({ slot: 999, message: 'reworded', section: 'classifier', object: '/tmp/build/nodenic.bpfel.v3.O2.o', construct: 'other' });
    expect(findingIdentity(rebuilt)).toEqual(findingIdentity(finding()));
    expect(newFindings([rebuilt], baselineOf([finding()]))).toEqual([]);
  });

  it('changes with the code, program or source line', () => {
    const base = baselineOf([finding()]);
    expect(newFindings([finding({ code: 'B2P-OTHER' })], base)).toHaveLength(1);
    expect(newFindings([finding({ program: 'from_cube' })], base)).toHaveLength(1);
    expect(newFindings([finding({ source: { file: './corpus/coppice/src/nodenic.bpf.c', line: 89 } })], base)).toHaveLength(1);
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
    expect(baselineJson(baselineOf([]))).toBe('{\n  "bpf2pfBaseline": 1,\n  "findings": []\n}\n');
  });

  it('refuses what is not a baseline', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(expect.objectContaining({ code: 'BASELINE_INVALID', message: expect.stringMatching(/^b\.json: not JSON/) }));
    expect(() => parseBaseline('{"findings": []}', 'b.json')).toThrow(/b\.json: not a bpf2pf baseline/);
    expect(() => parseBaseline('{"bpf2pfBaseline": 1, "findings": [{"code": 1}]}', 'b.json')).toThrow(/findings\[0\] must be/);
  });
});
