import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { repoRoot } from '../support/corpus.js';
import { tcpSyn } from './support/frames.js';
import { coppiceState } from './support/state.js';

/**
 * Instructions and packets per second on from_cube's NAT path (new flows, then the same
 * flows again), printed, never asserted beyond "it runs": the figures depend on the
 * machine and its load.
 */
it('measures from_cube', () => {
  const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o'))));
  const store = createMapStore(obj, coppiceState(obj));
  const frames = Array.from({ length: 500 }, (_, i) => tcpSyn('169.254.68.6', '93.184.216.34', 10000 + i, 443));
  for (const packet of frames) runProgram(obj, store, { program: 'from_cube', packet }, { dumpMaps: false });
  let instructions = 0;
  let packets = 0;
  const start = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - start) < 1e9) {
    for (const packet of frames) {
      instructions += runProgram(obj, store, { program: 'from_cube', packet }, { dumpMaps: false }).instructions;
      packets++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `from_cube: ${(instructions / seconds / 1e6).toFixed(2)} M instructions/s, ${Math.round(packets / seconds)} packets/s, ${Math.round(instructions / packets)} instructions/packet`,
  );
  expect(instructions).toBeGreaterThan(0);
});
