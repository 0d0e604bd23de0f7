import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLine } from '../support/tools.js';
import { probePair, type ProbePair } from './support/compare.js';
import { ethernet } from './support/frames.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/**
 * Map semantics from programs against the kernel: update flags and their errors,
 * capacity (E2BIG, ENOSPC), delete, LPM longest-prefix matching and exact delete,
 * per-CPU maps, LRU basics, queue/stack, bpf_loop and for_each_map_elem. After every
 * run all maps are compared in canonical form.
 */
const why = kernelProbeUnavailable();
const frame = ethernet(0x88b5, [1, 2, 3, 4]);

describe.skipIf(why !== undefined)('map helpers match the kernel', () => {
  let pair: ProbePair;
  beforeAll(() => {
    pair = probePair('maps', readFileSync(join(import.meta.dirname, 'probes/maps.bpf.c'), 'utf8'));
  });
  afterAll(() => pair?.close());

  for (const program of ['hash', 'array', 'trie', 'lru', 'queue', 'loops']) {
    it(program, () => {
      expect(pair.compare({ program, packet: frame })).toEqual([]);
      // Again, on the maps the first run left behind.
      expect(pair.compare({ program, packet: frame, label: `${program} again` })).toEqual([]);
    });
  }
});

if (why !== undefined) skipLine('kernel map cross-check', why);
