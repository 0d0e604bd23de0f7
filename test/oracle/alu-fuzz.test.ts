import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeInstructions } from '../../src/insn/decode.js';
import { formatInsn } from '../../src/insn/disasm.js';
import { loadObject } from '../../src/object/load-object.js';
import { fromHex } from '../../src/state/map-state.js';
import { createMapStore, dumpMaps, runProgram } from '../../src/vm/index.js';
import { concatBytes, encodeRawInsn, type RawInsn } from '../support/bpf-elf-writer.js';
import {
  ALU,
  ALU_FUZZ_MAP,
  ALU_FUZZ_PROGRAM,
  ATOMIC,
  buildAluProgram,
  CLS,
  decodeResult,
  generateBody,
  inputPacket,
  JMP,
  MODE,
  prng,
  randomInput,
  SRC_X,
  SZ,
  type AluInput,
} from './alu-fuzz.js';
import { runAluModel } from './alu-model.js';
import { openOracle, oracleUnavailable } from './oracle.js';

// Pure arithmetic: random straight-line programs (alu-fuzz.ts) run by BPF_PROG_TEST_RUN
// and by the interpreter (src/vm), their registers and scratch compared with each other
// and with the BigInt model (alu-model.ts) on many inputs each. The kernel is the judge;
// the model guards the generator (a program the model gets wrong is a generator bug).

const unavailable = oracleUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-alu-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function listing(body: readonly RawInsn[]): string {
  const insns = decodeInstructions(concatBytes(body.map((i) => encodeRawInsn(i, true))), true);
  return insns.map((i, k) => `  ${String(k).padStart(3)}: ${formatInsn(i)}`).join('\n');
}

const hex64 = (x: bigint): string => `0x${x.toString(16).padStart(16, '0')}`;

function describeDiff(kernel: AluInput, model: AluInput): string {
  const rows: string[] = [];
  kernel.regs.forEach((k, i) => {
    if (k !== model.regs[i]) rows.push(`  r${i}: kernel ${hex64(k)} model ${hex64(model.regs[i])}`);
  });
  kernel.scratch.forEach((k, i) => {
    if (k !== model.scratch[i]) rows.push(`  [r10${i ? -8 : -16}]: kernel ${hex64(k)} model ${hex64(model.scratch[i])}`);
  });
  return rows.join('\n');
}

/** Loads the body into the kernel, runs every input; returns the mismatches, described. */
function compare(name: string, body: readonly RawInsn[], inputs: readonly AluInput[]): string[] {
  const prog = buildAluProgram(body);
  const path = join(dir, `${name}.o`);
  writeFileSync(path, prog.elf);
  // The project's reader takes the object too: the interpreter will run the same file.
  const obj = loadObject(prog.elf);
  expect(obj.programs.map((p) => p.name)).toEqual([ALU_FUZZ_PROGRAM]);
  expect(obj.maps.map((m) => m.name)).toEqual([ALU_FUZZ_MAP]);
  const o = openOracle(path);
  const store = createMapStore(obj);
  try {
    const runs = o.runBatch(inputs.map((input) => ({ program: ALU_FUZZ_PROGRAM, packet: inputPacket(input) })), { dumpAfterEach: true });
    const problems: string[] = [];
    runs.forEach((r, k) => {
      if (r.error) throw new Error(`${name}: the kernel refused run ${k}: ${r.error}`);
      const entry = r.outcome.maps!.maps[ALU_FUZZ_MAP].entries[0] as { value: string } | undefined;
      // An all-zero result is not listed (canonical arrays): it is all zeros.
      const kernel = decodeResult(entry ? fromHex(entry.value) : new Uint8Array(96));
      const model = runAluModel(body, inputs[k]);
      const vmRun = runProgram(obj, store, { program: ALU_FUZZ_PROGRAM, packet: inputPacket(inputs[k]) }, { dumpMaps: false });
      const vmEntry = dumpMaps(obj, store).maps[ALU_FUZZ_MAP].entries[0] as { value: string } | undefined;
      const vm = decodeResult(vmEntry ? fromHex(vmEntry.value) : new Uint8Array(96));
      const vmDiff = describeDiff(kernel, vm).replace(/model/g, 'interpreter');
      if (vmDiff || vmRun.retval !== r.outcome.retval) {
        problems.push(`${name}, input ${k}: kernel and interpreter differ (retval ${r.outcome.retval} / ${vmRun.retval})\n${vmDiff}\n${listing(body)}`);
      }
      const diff = describeDiff(kernel, model);
      if (diff) {
        const input = inputs[k].regs.map((x, i) => `r${i}=${hex64(x)}`).join(' ');
        problems.push(`${name}, input ${k}: ${input} scratch=${inputs[k].scratch.map(hex64).join(',')}\n${diff}\n${listing(body)}`);
      }
    });
    return problems;
  } finally {
    o.close();
  }
}

const i = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });

/** Inputs that hit the edges of division, shifts and sign extension. */
function edgeInputs(): AluInput[] {
  const vals = [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 64n, 65n, 33n, 0xffffffff80000000n];
  const out: AluInput[] = [];
  for (const a of vals) for (const b of vals) out.push({ regs: [a, b, b, a, 0n, 0n, 0n, 0n, 0n, 0n], scratch: [a, b] });
  return out;
}

describe('ALU fuzz: kernel, interpreter and the BigInt model', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: ALU fuzz against the kernel: ${unavailable}`));
    return;
  }

  it('edge cases of single instructions (division by zero, INT_MIN / -1, shifts by register, sign extension)', () => {
    const A64 = CLS.ALU64;
    const A32 = CLS.ALU;
    const cases: Record<string, RawInsn[]> = {
      div64: [i(A64 | ALU.DIV | SRC_X, 0, 1, 0, 0)],
      div32: [i(A32 | ALU.DIV | SRC_X, 0, 1, 0, 0)],
      mod64: [i(A64 | ALU.MOD | SRC_X, 0, 1, 0, 0)],
      mod32: [i(A32 | ALU.MOD | SRC_X, 0, 1, 0, 0)],
      sdiv64: [i(A64 | ALU.DIV | SRC_X, 0, 1, 1, 0)],
      sdiv32: [i(A32 | ALU.DIV | SRC_X, 0, 1, 1, 0)],
      smod64: [i(A64 | ALU.MOD | SRC_X, 0, 1, 1, 0)],
      smod32: [i(A32 | ALU.MOD | SRC_X, 0, 1, 1, 0)],
      sdiv64k: [i(A64 | ALU.DIV, 0, 0, 1, -1), i(A64 | ALU.MOD, 3, 0, 1, -1)],
      mod64k: [i(A64 | ALU.MOD, 0, 0, 0, -1), i(A32 | ALU.MOD, 3, 0, 0, -1)],
      shifts: [i(A64 | ALU.LSH | SRC_X, 0, 1, 0, 0), i(A32 | ALU.RSH | SRC_X, 3, 2, 0, 0), i(A64 | ALU.ARSH | SRC_X, 2, 1, 0, 0), i(A32 | ALU.ARSH | SRC_X, 1, 3, 0, 0)],
      movsx: [i(A64 | ALU.MOV | SRC_X, 4, 0, 8, 0), i(A64 | ALU.MOV | SRC_X, 5, 0, 16, 0), i(A64 | ALU.MOV | SRC_X, 6, 0, 32, 0), i(A32 | ALU.MOV | SRC_X, 7, 0, 8, 0), i(A32 | ALU.MOV | SRC_X, 8, 0, 16, 0), i(A32 | ALU.MOV | SRC_X, 9, 1, 0, 0)],
      swaps: [i(A32 | ALU.END, 0, 0, 0, 16), i(A32 | ALU.END | SRC_X, 1, 0, 0, 32), i(A64 | ALU.END, 2, 0, 0, 64), i(A32 | ALU.END | SRC_X, 3, 0, 0, 16), i(A64 | ALU.END, 4, 0, 0, 16)],
      ldsx: [i(CLS.LDX | MODE.MEMSX | SZ.B, 4, 10, -9, 0), i(CLS.LDX | MODE.MEMSX | SZ.H, 5, 10, -10, 0), i(CLS.LDX | MODE.MEMSX | SZ.W, 6, 10, -12, 0), i(CLS.LDX | MODE.MEM | SZ.W, 7, 10, -16, 0)],
      atomics: [
        i(CLS.STX | MODE.ATOMIC | SZ.DW, 10, 1, -16, ATOMIC.ADD | ATOMIC.FETCH),
        i(CLS.STX | MODE.ATOMIC | SZ.W, 10, 2, -8, ATOMIC.XOR | ATOMIC.FETCH),
        i(CLS.STX | MODE.ATOMIC | SZ.W, 10, 3, -4, ATOMIC.CMPXCHG),
        i(CLS.STX | MODE.ATOMIC | SZ.DW, 10, 4, -16, ATOMIC.XCHG),
      ],
      jumps: [i(CLS.JMP32 | JMP.JSGT | SRC_X, 0, 1, 1, 0), i(A64 | ALU.ADD, 5, 0, 0, 1), i(CLS.JMP | JMP.JSET, 1, 0, 1, -0x80000000), i(A64 | ALU.ADD, 6, 0, 0, 1)],
    };
    const problems = Object.entries(cases).flatMap(([name, body]) => compare(`edge-${name}`, body, edgeInputs()));
    expect(problems.join('\n\n')).toBe('');
  });

  it('random programs: 60 programs × 40 inputs', () => {
    const problems: string[] = [];
    const t = process.hrtime.bigint();
    for (let seed = 1; seed <= 60 && problems.length < 3; seed++) {
      const rng = prng(seed);
      const body = generateBody(rng, { length: 20 + (seed % 5) * 10 });
      const inputs = Array.from({ length: 40 }, () => randomInput(rng));
      problems.push(...compare(`seed-${seed}`, body, inputs));
    }
    console.log(`ALU fuzz: 60 programs × 40 inputs in ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(0)} ms`);
    expect(problems.slice(0, 3).join('\n\n')).toBe('');
  });
});
