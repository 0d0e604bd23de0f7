import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLine } from '../support/tools.js';
import { probePair, type ProbePair } from './support/compare.js';
import { ethernet } from './support/frames.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/** XDP: xdp_md, adjust_head/tail/meta, load/store bytes, redirect codes, check_mtu, fib_lookup. */
const why = kernelProbeUnavailable();

describe.skipIf(why !== undefined)('XDP helpers match the kernel', () => {
  let pair: ProbePair;
  beforeAll(() => {
    pair = probePair('xdp', readFileSync(join(import.meta.dirname, 'probes/xdp.bpf.c'), 'utf8'));
  });
  afterAll(() => pair?.close());

  for (let variant = 0; variant <= 9; variant++) {
    it(`variant ${variant}`, () => {
      for (const len of [15, 64, 200]) {
        const payload = Array.from({ length: len - 14 }, (_, i) => (i === 0 ? variant : i & 0xff));
        expect(pair.compare({ program: 'xdp_buf', packet: ethernet(0x88b5, payload), label: `xdp ${variant} len ${len}` })).toEqual([]);
      }
    });
  }
});

if (why !== undefined) skipLine('kernel XDP cross-check', why);
