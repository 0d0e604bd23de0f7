import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLine } from '../support/tools.js';
import { probePair, type ProbePair } from './support/compare.js';
import { ethernet, tcpSyn } from './support/frames.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/**
 * Control transfer and stateful helpers against the kernel: the tail call limit (and
 * that failed calls into empty slots use it up), eight frames of bpf-to-bpf calls, a
 * bpf_loop callback from a subprogram, LD_ABS/LD_IND (out of bounds returns 0),
 * snprintf, spin locks, timers across runs, and a ring buffer filling up.
 */
const why = kernelProbeUnavailable();
const tcp = tcpSyn('10.0.0.1', '10.0.0.2', 40000, 443);
const frame = ethernet(0x88b5, [1, 2, 3, 4, 5, 6, 7, 8]);

describe.skipIf(why !== undefined)('calls and stateful helpers match the kernel', () => {
  let pair: ProbePair;
  beforeAll(() => {
    pair = probePair('calls', readFileSync(join(import.meta.dirname, 'probes/calls.bpf.c'), 'utf8'), 'clang-19');
  });
  afterAll(() => pair?.close());

  it('stops a tail call chain after 33 tail calls', () => {
    expect(pair.compare({ program: 'reset', packet: frame })).toEqual([]);
    expect(pair.compare({ program: 'chain', packet: frame })).toEqual([]);
  });

  it('counts failed tail calls into empty slots', () => {
    for (const mark of [0, 1, 31, 32, 33, 40]) {
      expect(pair.compare({ program: 'reset', packet: frame })).toEqual([]);
      expect(pair.compare({ program: 'empty_slots', packet: frame, ctx: { mark }, label: `empty_slots ${mark}` })).toEqual([]);
    }
  });

  it('returns a subprogram tail call target\'s result to the subprogram\'s caller', () => {
    expect(pair.compare({ program: 'sub_tail', packet: frame })).toEqual([]);
  });

  it('nests eight frames and calls back from a subprogram', () => {
    for (const mark of [0, 1, 0xffffffff]) expect(pair.compare({ program: 'nested', packet: tcp, ctx: { mark }, label: `nested ${mark}` })).toEqual([]);
    expect(pair.compare({ program: 'callback_depth', packet: tcp })).toEqual([]);
  });

  it('LD_ABS and LD_IND, returning 0 when out of bounds', () => {
    for (const mark of [0, 10, tcp.length - 4, tcp.length - 3, 0x7fffffff, 0xffffffff, 0xfff00000]) {
      expect(pair.compare({ program: 'ldabs', packet: tcp, ctx: { mark }, label: `ldabs ${mark}` })).toEqual([]);
    }
  });

  it('snprintf and trace_printk', () => {
    expect(pair.compare({ program: 'printk', packet: tcp })).toEqual([]);
  });

  it('spin locks and timers, whose state outlives a run', () => {
    for (let i = 0; i < 3; i++) expect(pair.compare({ program: 'locks', packet: tcp, label: `locks run ${i}` })).toEqual([]);
  });

  it('fills a ring buffer nobody reads', () => {
    for (let i = 0; i < 20; i++) expect(pair.compare({ program: 'ring', packet: tcp, label: `ring run ${i}` })).toEqual([]);
  });
});

if (why !== undefined) skipLine('kernel calls cross-check', why);
