import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { repoRoot } from '../support/corpus.js';
import { assemble, I } from './support/asm.js';
import { tcpAck, tcpSyn } from './support/frames.js';
import { coppiceState } from './support/state.js';

/** Clock taint: values from ktime helpers, followed through registers and memory into the ctx and map values. */
describe('time-derived bytes', () => {
  it('follow arithmetic, moves and stack spills into ctx fields', () => {
    const obj = assemble('tc', [
      {
        name: 'main',
        insns: [
          I.mov64r(6, 1),
          I.call(5),
          I.alu64i('add', 0, 1000),
          I.stx(8, 10, 0, -8),
          I.ldx(8, 2, 10, -8),
          I.stx(8, 6, 2, 152),
          I.mov64r(3, 2),
          I.alu64i('rsh', 3, 3),
          I.stx(4, 6, 3, 52),
          I.mov64i(4, 7),
          I.stx(4, 6, 4, 8),
          I.mov64i(0, 0),
          I.exit(),
        ],
      },
    ]);
    const r = runProgram(obj, createMapStore(obj), { program: 'main', packet: tcpSyn('10.0.0.1', '10.0.0.2', 1, 2) }, { now: 5_000n });
    expect(r.ctx?.tstamp).toBe(6_000n);
    expect(r.ctx?.mark).toBe(7);
    expect(r.timeDerived.ctx.sort()).toEqual(['cb[1]', 'tstamp']);
  });

  it('are reported in map values while the entry holds them', () => {
    const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o'))));
    const store = createMapStore(obj, coppiceState(obj));
    const syn = runProgram(obj, store, { program: 'from_cube', packet: tcpSyn('169.254.68.6', '93.184.216.34', 40000, 443) });
    const session = syn.timeDerived.maps.find((t) => t.map === 'egress_sessions');
    expect(session?.bytes).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const ack = runProgram(obj, store, { program: 'from_cube', packet: tcpAck('169.254.68.6', '93.184.216.34', 40000, 443) });
    expect(ack.timeDerived.maps.find((t) => t.map === 'egress_sessions')?.key).toBe(session?.key);
    expect(ack.timeDerived.ctx).toContain('tstamp');
  });

  it('must be read before the next run on the same store', () => {
    const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o'))));
    const store = createMapStore(obj, coppiceState(obj));
    const first = runProgram(obj, store, { program: 'from_cube', packet: tcpSyn('169.254.68.6', '93.184.216.34', 40000, 443) });
    runProgram(obj, store, { program: 'from_cube', packet: tcpSyn('169.254.68.6', '93.184.216.34', 40001, 443) });
    let code: string | undefined;
    try {
      void first.timeDerived;
    } catch (e) {
      code = isBpf2pfError(e) ? e.code : 'other';
    }
    expect(code).toBe('VM_BAD_STATE');
  });
});
