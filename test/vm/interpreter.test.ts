import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { MapType } from '../../src/object/map-types.js';
import type { BpfObject } from '../../src/object/types.js';
import { createMapStore, runProgram, type VmOptions, type VmResult } from '../../src/vm/index.js';
import { assemble, I, withMap, type AsmFunction } from './support/asm.js';
import { ethernet, tcpSyn } from './support/frames.js';

/** Hand-assembled programs: frames, tail calls, limits, the memory and context rules. */
const frame = tcpSyn('10.0.0.1', '10.0.0.2', 1234, 80);

function run(obj: BpfObject, program = 'main', packet = frame, options: VmOptions = {}): VmResult {
  return runProgram(obj, createMapStore(obj), { program, packet }, options);
}

function errorOf(f: () => unknown): { code: string; message: string } | undefined {
  try {
    f();
  } catch (e) {
    if (isBpf2pfError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return undefined;
}

describe('bpf-to-bpf calls', () => {
  it('preserve r6-r9 and the caller stack; the callee has its own frame', () => {
    const main: AsmFunction = {
      name: 'main',
      insns: [
        I.mov64i(6, 11), I.mov64i(7, 22), I.mov64i(8, 33), I.mov64i(9, 44),
        I.stx(8, 10, 6, -8),
        I.callLocal(6), // -> sub at slot 12
        I.ldx(8, 1, 10, -8),
        I.alu64r('add', 0, 1), I.alu64r('add', 0, 7), I.alu64r('add', 0, 8), I.alu64r('add', 0, 9),
        I.exit(),
      ],
    };
    const sub: AsmFunction = {
      name: 'sub',
      insns: [I.mov64i(6, 0), I.mov64i(7, 0), I.mov64i(8, 0), I.mov64i(9, 0), I.stx(8, 10, 6, -8), I.mov64i(0, 5), I.exit()],
    };
    expect(run(assemble('tc', [main, sub])).retval).toBe(5 + 11 + 22 + 33 + 44);
  });

  it('nest up to 8 frames; a ninth is VM_BAD_CALL', () => {
    const chain = (n: number): AsmFunction[] => [
      ...Array.from({ length: n }, (_, i) => ({ name: i === 0 ? 'main' : `f${i}`, insns: [I.callLocal(2), I.alu64i('add', 0, 1), I.exit()] })),
      { name: `f${n}`, insns: [I.mov64i(0, 0), I.exit()] },
    ];
    expect(run(assemble('tc', chain(7))).retval).toBe(7);
    expect(errorOf(() => run(assemble('tc', chain(8))))?.code).toBe('VM_BAD_CALL');
  });
});

/** A program that adds 1 to packet byte 14 and tail-calls slot 0 of a PROG_ARRAY. */
function tailCaller(name: string, slot = 0): AsmFunction {
  return {
    name,
    insns: [
      I.mov64r(6, 1),
      I.ldx(4, 2, 6, 76),
      I.ldx(4, 3, 6, 80),
      I.mov64r(4, 2),
      I.alu64i('add', 4, 15),
      I.jmpr('jgt', 4, 3, 10),
      I.ldx(1, 5, 2, 14),
      I.alu64i('add', 5, 1),
      I.stx(1, 2, 5, 14),
      I.mov64r(1, 6),
      I.lddw(2, 0n), // slot 10: the PROG_ARRAY
      I.mov64i(3, slot),
      I.call(12),
      I.mov64i(0, 9),
      I.exit(),
      I.mov64i(0, 0),
      I.exit(),
    ],
  };
}

function withProgArray(obj: BpfObject, programs: string[], slots: { index: number; target: string }[]): BpfObject {
  return withMap(
    obj,
    { name: 'jt', type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, initialSlots: slots.map((s) => ({ ...s, targetKind: 'program' as const })) },
    programs.map((program) => ({ program, slot: 10 })),
  );
}

describe('tail calls', () => {
  const obj = withProgArray(assemble('tc', [tailCaller('main')]), ['main'], [{ index: 0, target: 'main' }]);

  it('allow 33 per run, then fail and continue after the call', () => {
    const r = run(obj);
    expect(r.packet[14]).toBe(frame[14] + 34);
    expect(r.retval).toBe(9);
    expect(r.helperCalls.filter((c) => c.helper === 'tail_call').map((c) => c.ret)).toEqual([...new Array(33).fill(0n), 0xffffffffffffffffn]);
  });

  it('take their limit from the options', () => {
    expect(run(obj, 'main', frame, { tailCallLimit: 3 }).packet[14]).toBe(frame[14] + 4);
  });

  it('fail for an empty slot or an index past max_entries', () => {
    const empty = withProgArray(assemble('tc', [tailCaller('main', 1)]), ['main'], [{ index: 0, target: 'main' }]);
    expect(run(empty).packet[14]).toBe(frame[14] + 1);
    const past = withProgArray(assemble('tc', [tailCaller('main', 7)]), ['main'], [{ index: 0, target: 'main' }]);
    expect(run(past).retval).toBe(9);
  });
});

describe('limits and refusals', () => {
  it('stops endless loops with VM_STEP_LIMIT', () => {
    const obj = assemble('tc', [{ name: 'main', insns: [I.ja(-1)] }]);
    expect(errorOf(() => run(obj, 'main', frame, { maxInstructions: 1000 }))?.code).toBe('VM_STEP_LIMIT');
  });

  it('may_goto falls through while the budget lasts', () => {
    const obj = assemble('tc', [{ name: 'main', insns: [I.mayGoto(2), I.mov64i(0, 1), I.exit(), I.mov64i(0, 2), I.exit()] }]);
    expect(run(obj).retval).toBe(1);
  });

  it('LD_ABS past the end returns 0 from the program at once', () => {
    const obj = assemble('tc', [
      { name: 'main', insns: [I.mov64r(6, 1), I.ldAbs(2, 12), I.mov64r(7, 0), I.ldAbs(4, 200), I.mov64i(0, 5), I.exit()] },
      { name: 'ok', insns: [I.mov64r(6, 1), I.ldAbs(2, 12), I.exit()] },
    ]);
    expect(run(obj).retval).toBe(0);
    expect(run(obj, 'ok').retval).toBe(0x0800);
  });

  it('VM_BAD_ACCESS for memory outside every region, naming the slot', () => {
    const obj = assemble('tc', [{ name: 'main', insns: [I.ldx(8, 0, 10, 8), I.exit()] }]);
    const e = errorOf(() => run(obj));
    expect(e?.code).toBe('VM_BAD_ACCESS');
    expect(e?.message).toMatch(/tc\+0/);
  });

  it('VM_BAD_CONTEXT for __sk_buff accesses the verifier refuses', () => {
    const write = assemble('tc', [{ name: 'main', insns: [I.mov64i(2, 1), I.stx(4, 1, 2, 0), I.exit()] }]);
    expect(errorOf(() => run(write))?.code).toBe('VM_BAD_CONTEXT');
    const family = assemble('tc', [{ name: 'main', insns: [I.ldx(4, 0, 1, 88), I.exit()] }]);
    expect(errorOf(() => run(family))?.code).toBe('VM_BAD_CONTEXT');
    const wide = assemble('tc', [{ name: 'main', insns: [I.ldx(8, 0, 1, 8), I.exit()] }]);
    expect(errorOf(() => run(wide))?.code).toBe('VM_BAD_CONTEXT');
  });

  it('names helpers it does not implement, and helpers the program type lacks', () => {
    const pid = assemble('tc', [{ name: 'main', insns: [I.call(14), I.exit()] }]);
    const e = errorOf(() => run(pid));
    expect(e?.code).toBe('VM_UNKNOWN_HELPER');
    expect(e?.message).toMatch(/get_current_pid_tgid/);
    const xdpHelper = assemble('tc', [{ name: 'main', insns: [I.call(44), I.exit()] }]);
    expect(errorOf(() => run(xdpHelper))?.code).toBe('VM_BAD_CALL');
  });

  it('refuses packets test_run refuses (VM_BAD_STATE)', () => {
    const obj = assemble('tc', [{ name: 'main', insns: [I.mov64i(0, 0), I.exit()] }]);
    expect(errorOf(() => run(obj, 'main', new Uint8Array(13)))?.code).toBe('VM_BAD_STATE');
    expect(errorOf(() => run(obj, 'main', ethernet(0x0800, [0x45, 0, 0, 20])))?.code).toBe('VM_BAD_STATE');
  });
});

describe('context and memory', () => {
  it('data, data_end and data_meta are 64-bit packet pointers; len and protocol as test_run sets them', () => {
    const obj = assemble('tc', [
      {
        name: 'main',
        insns: [
          I.ldx(4, 2, 1, 76), I.ldx(4, 3, 1, 80), I.ldx(4, 4, 1, 140),
          I.mov64r(0, 3), I.alu64r('sub', 0, 2),
          I.jmpr('jne', 2, 4, 4),
          I.ldx(4, 5, 1, 16), I.alu64i('lsh', 5, 32), I.alu64r('or', 0, 5),
          I.exit(),
          I.mov64i(0, -1), I.exit(),
        ],
      },
    ]);
    const r = run(obj);
    expect(r.retval).toBe(frame.length);
    expect(r.helperCalls).toEqual([]);
  });

  it('runs big-endian objects in their own byte order', () => {
    const obj = assemble(
      'tc',
      [{ name: 'main', insns: [I.ldx(4, 2, 1, 76), I.ldx(2, 0, 2, 12), I.mov64r(3, 0), I.swap('be', 3, 16), I.jmpr('jne', 0, 3, 2), I.swap('le', 0, 16), I.exit(), I.mov64i(0, -1), I.exit()] }],
      false,
    );
    expect(run(obj).retval).toBe(0x0008);
  });

  it('atomics on the stack: add, fetch, xchg, cmpxchg', () => {
    const obj = assemble('tc', [
      {
        name: 'main',
        insns: [
          I.mov64i(1, 10), I.stx(8, 10, 1, -8),
          I.mov64i(2, 5), I.atomic(8, 10, 2, -8, 0x00),
          I.mov64i(2, 1), I.atomic(8, 10, 2, -8, 0x01),
          I.mov64i(3, 100), I.atomic(8, 10, 3, -8, 0xe1),
          I.mov64i(0, 100), I.mov64i(4, 7), I.atomic(8, 10, 4, -8, 0xf1),
          I.ldx(8, 5, 10, -8),
          I.alu64i('mul', 2, 1000), I.alu64r('add', 0, 2),
          I.alu64i('mul', 3, 100000), I.alu64r('add', 0, 3),
          I.alu64i('mul', 5, 10000000), I.alu64r('add', 0, 5),
          I.exit(),
        ],
      },
    ]);
    // fetch returned 15, xchg returned 16, cmpxchg matched 100 and stored 7.
    expect(run(obj).retval).toBe(100 + 15 * 1000 + 16 * 100000 + 7 * 10000000);
  });

  it('XDP programs see xdp_md and return XDP codes', () => {
    const obj = assemble('xdp', [{ name: 'main', insns: [I.ldx(4, 2, 1, 0), I.ldx(4, 3, 1, 4), I.mov64r(0, 3), I.alu64r('sub', 0, 2), I.exit()] }]);
    const r = run(obj);
    expect(r.retval).toBe(frame.length);
    expect(r.xdp).toBe(true);
    expect(r.ctx).toBeUndefined();
  });

  it('records executed slots and a trace', () => {
    const obj = assemble('tc', [{ name: 'main', insns: [I.mov64i(0, 1), I.jmpi('jeq', 0, 1, 1), I.mov64i(0, 2), I.exit()] }]);
    const r = run(obj, 'main', frame, { trace: true });
    expect([...(r.executed.get('tc') ?? [])]).toEqual([0, 1, 3]);
    expect(r.trace).toHaveLength(3);
    expect(r.instructions).toBe(3);
  });
});
