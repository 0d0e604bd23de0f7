import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject } from '../../src/object/types.js';
import { isValueEntry, type MapEntry } from '../../src/state/map-state.js';
import { createMapStore, runProgram } from '../../src/vm/index.js';
import { skipLine } from '../support/tools.js';
import { ALU_CASES, aluFrame, aluProbeSource, EDGE_VALUES } from './support/alu-probe.js';
import { compileProbe, kernelProbeUnavailable, loadProbe, type LoadedProbe } from './support/kernel-probe.js';

/**
 * Pure instruction semantics against the kernel: the ALU probe (every ALU/ALU64 op,
 * swaps, sign extension, JMP/JMP32 conditions, MEMSX loads, atomics, cpu v4) runs in
 * BPF_PROG_TEST_RUN and in the interpreter on the same operands, and every result must
 * be identical.
 */
const why = kernelProbeUnavailable();

function valueOf(e: MapEntry | undefined): string {
  return e !== undefined && isValueEntry(e) ? e.value : '';
}

function pairs(): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const a of EDGE_VALUES) for (const b of [0n, 1n, 0xffffffffffffffffn, 0xffffffffn, 33n]) out.push([a, b]);
  let x = 0x9e3779b97f4a7c15n;
  const next = (): bigint => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return x;
  };
  for (let i = 0; i < 40; i++) {
    const a = EDGE_VALUES[Number(next() % BigInt(EDGE_VALUES.length))];
    out.push([a, EDGE_VALUES[Number(next() % BigInt(EDGE_VALUES.length))]]);
    out.push([next(), next() >> (next() % 64n)]);
  }
  return out;
}

describe.skipIf(why !== undefined)('ALU semantics match the kernel', () => {
  let obj: BpfObject;
  let probe: LoadedProbe;
  let path: string;
  beforeAll(() => {
    path = compileProbe('alu', aluProbeSource(), 'clang-19', 'v4');
    obj = loadObject(new Uint8Array(readFileSync(path)));
    probe = loadProbe(path);
  });
  afterAll(() => {
    probe?.close();
    if (path) rmSync(dirname(path), { recursive: true, force: true });
  });

  it('gives identical results for every case and operand pair', () => {
    const mismatches: string[] = [];
    const all = pairs();
    for (const [a, b] of all) {
      const packet = aluFrame(a, b);
      const k = probe.run('alu', packet);
      const kres = valueOf(probe.dumpMaps(obj)['.bss'].entries[0]);
      const store = createMapStore(obj);
      const v = runProgram(obj, store, { program: 'alu', packet });
      const vres = valueOf(v.maps?.maps['.bss'].entries[0]);
      expect(v.retval).toBe(k.retval);
      expect(k.retval).toBe(0);
      expect(kres.length).toBe(16 * ALU_CASES.length);
      expect(vres.length).toBe(16 * ALU_CASES.length);
      for (let i = 0; i < ALU_CASES.length; i++) {
        const kv = kres.slice(16 * i, 16 * i + 16);
        const vv = vres.slice(16 * i, 16 * i + 16);
        if (kv !== vv) mismatches.push(`a=0x${a.toString(16)} b=0x${b.toString(16)} "${ALU_CASES[i]}": kernel ${kv} interpreter ${vv}`);
      }
    }
    console.log(`ALU cross-check: ${all.length} operand pairs x ${ALU_CASES.length} cases`);
    expect(mismatches.slice(0, 20)).toEqual([]);
  });
});

if (why !== undefined) skipLine('kernel ALU cross-check', why);
