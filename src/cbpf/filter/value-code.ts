/**
 * Straight-line code that puts a value in A (and a second one in X, for a comparison
 * of two values), given what A and X already hold. The result says what they hold
 * afterwards, so the caller can skip a reload on the next test.
 *
 * Where there is a choice (set X before or after computing A; keep an operand in X or
 * in scratch memory) every way is tried and the shortest kept. Scratch words are only
 * used within one test, always written before read, numbered from 0 by nesting depth.
 */
import { fail } from '../../errors.js';
import { makeInsn } from '../opcodes.js';
import { MEM_WORDS, type AluOp, type CbpfInsn } from '../types.js';
import type { Test, Value } from './pred.js';

/** What A and X hold, as value keys; undefined when unknown. */
export interface Regs {
  readonly a?: string;
  readonly x?: string;
}

export interface CodeOptions {
  /** FreeBSD before 12 has no MOD or XOR: compute them from div, mul, and, or, sub. */
  readonly legacyOpcodes?: boolean;
}

interface Emitted {
  readonly code: readonly CbpfInsn[];
  readonly regs: Regs;
}

/** The code of one test: everything up to, not including, its conditional jump. */
export interface TestCode extends Emitted {
  /** The jump compares A with k, or with X. */
  readonly src: 'k' | 'x';
}

export function emitTest(t: Test, regs: Regs, opts: CodeOptions): TestCode {
  if (t.rhs.kind === 'const') return { ...emitValue(t.value, regs, 0, opts), src: 'k' };
  return { ...withOperandInX(t.value, t.rhs, regs, 0, opts), src: 'x' };
}

function seq(first: Emitted, then: (regs: Regs) => Emitted): Emitted {
  const second = then(first.regs);
  return { code: [...first.code, ...second.code], regs: second.regs };
}

function one(insn: CbpfInsn, regs: Regs): Emitted {
  return { code: [insn], regs };
}

function shortest(...options: (Emitted | undefined)[]): Emitted {
  const ok = options.filter((o): o is Emitted => o !== undefined);
  return ok.reduce((best, o) => (o.code.length < best.code.length ? o : best));
}

/** Code leaving `v` in A. */
export function emitValue(v: Value, regs: Regs, depth: number, opts: CodeOptions): Emitted {
  if (regs.a === v.key) return { code: [], regs };
  switch (v.kind) {
    case 'const': return one(makeInsn({ kind: 'ld-imm' }, v.k), { ...regs, a: v.key });
    case 'len': return one(makeInsn({ kind: 'ld-len' }), { ...regs, a: v.key });
    case 'iphlen': return seq(emitX(v, regs), (r) => one(makeInsn({ kind: 'txa' }), { ...r, a: v.key }));
    case 'load': {
      if (!v.index) return one(makeInsn({ kind: 'ld-abs', size: v.size }, v.offset), { ...regs, a: v.key });
      const index = v.index;
      return seq(putInX(index, regs, depth, opts), (r) => one(makeInsn({ kind: 'ld-ind', size: v.size }, v.offset), { ...r, a: v.key }));
    }
    case 'neg': return seq(emitValue(v.arg, regs, depth, opts), (r) => one(makeInsn({ kind: 'neg' }), { ...r, a: v.key }));
    case 'alu': {
      if (v.right.kind === 'const') {
        const k = v.right.k;
        return seq(emitValue(v.left, regs, depth, opts), (r) => aluK(v.op, k, r, v.key, depth, opts));
      }
      const done = withOperandInX(v.left, v.right, regs, depth, opts);
      return seq(done, (r) => aluX(v.op, r, v.key, depth, opts));
    }
    default: return unreachable(v);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled value ${JSON.stringify(x)}`);
}

/** X = 4*(P[k]&0xf), unless it is there already. */
function emitX(v: Extract<Value, { kind: 'iphlen' }>, regs: Regs): Emitted {
  if (regs.x === v.key) return { code: [], regs };
  return one(makeInsn({ kind: 'ldx-msh' }, v.at), { ...regs, x: v.key });
}

/** Code leaving `v` in X (A may be lost). */
function putInX(v: Value, regs: Regs, depth: number, opts: CodeOptions): Emitted {
  if (regs.x === v.key) return { code: [], regs };
  if (v.kind === 'iphlen') return emitX(v, regs);
  if (v.kind === 'const') return one(makeInsn({ kind: 'ldx-imm' }, v.k), { ...regs, x: v.key });
  if (v.kind === 'len') return one(makeInsn({ kind: 'ldx-len' }), { ...regs, x: v.key });
  return seq(emitValue(v, regs, depth, opts), (r) => one(makeInsn({ kind: 'tax' }), { ...r, x: v.key }));
}

/** Code leaving `left` in A and `right` in X. */
function withOperandInX(left: Value, right: Value, regs: Regs, depth: number, opts: CodeOptions): Emitted {
  // X first, then A, if computing A leaves X alone.
  const xFirst = seq(putInX(right, regs, depth, opts), (r) => emitValue(left, r, depth, opts));
  const viaX = xFirst.regs.x === right.key ? xFirst : undefined;
  // A first, then X without losing A: only when X can be loaded directly.
  const direct = right.kind === 'iphlen' || right.kind === 'const' || right.kind === 'len';
  const aFirst = seq(emitValue(left, regs, depth, opts), (r) => putInX(right, r, depth, opts));
  const viaA = direct && aFirst.regs.a === left.key ? aFirst : undefined;
  // Otherwise through scratch memory: right, st M[d], left, ldx M[d].
  if (depth >= MEM_WORDS) fail('CBPF_UNSUPPORTED', 'the arithmetic nests deeper than the 16 scratch memory words');
  const viaMem = seq(seq(emitValue(right, regs, depth, opts), (r) => one(makeInsn({ kind: 'st' }, depth), r)),
    (r) => seq(emitValue(left, r, depth + 1, opts), (r2) => one(makeInsn({ kind: 'ldx-mem' }, depth), { ...r2, x: right.key })));
  return shortest(viaX, viaA, viaMem);
}

function aluK(op: AluOp, k: number, regs: Regs, key: string, depth: number, opts: CodeOptions): Emitted {
  if (opts.legacyOpcodes && (op === 'mod' || op === 'xor')) {
    // A % k = A - (A / k) * k;  A ^ k = (A | k) - (A & k). Both exact in u32.
    if (depth >= MEM_WORDS) fail('CBPF_UNSUPPORTED', 'the arithmetic nests deeper than the 16 scratch memory words');
    const m = depth;
    const code = op === 'mod'
      ? [makeInsn({ kind: 'st' }, m), makeInsn({ kind: 'alu', op: 'div', src: 'k' }, k), makeInsn({ kind: 'alu', op: 'mul', src: 'k' }, k),
        makeInsn({ kind: 'tax' }), makeInsn({ kind: 'ld-mem' }, m), makeInsn({ kind: 'alu', op: 'sub', src: 'x' })]
      : [makeInsn({ kind: 'st' }, m), makeInsn({ kind: 'alu', op: 'and', src: 'k' }, k), makeInsn({ kind: 'tax' }),
        makeInsn({ kind: 'ld-mem' }, m), makeInsn({ kind: 'alu', op: 'or', src: 'k' }, k), makeInsn({ kind: 'alu', op: 'sub', src: 'x' })];
    return { code, regs: { a: key } };
  }
  return one(makeInsn({ kind: 'alu', op, src: 'k' }, k), { ...regs, a: key });
}

function aluX(op: AluOp, regs: Regs, key: string, depth: number, opts: CodeOptions): Emitted {
  if (opts.legacyOpcodes && (op === 'mod' || op === 'xor')) {
    if (depth + 1 >= MEM_WORDS) fail('CBPF_UNSUPPORTED', 'the arithmetic nests deeper than the 16 scratch memory words');
    const a = depth;
    const x = depth + 1;
    // A % X = A - (A / X) * X (div by X = 0 ends the run, as mod would);  A ^ X = (A | X) - (A & X).
    const code = op === 'mod'
      ? [makeInsn({ kind: 'st' }, a), makeInsn({ kind: 'alu', op: 'div', src: 'x' }), makeInsn({ kind: 'alu', op: 'mul', src: 'x' }),
        makeInsn({ kind: 'tax' }), makeInsn({ kind: 'ld-mem' }, a), makeInsn({ kind: 'alu', op: 'sub', src: 'x' })]
      : [makeInsn({ kind: 'st' }, a), makeInsn({ kind: 'alu', op: 'and', src: 'x' }), makeInsn({ kind: 'st' }, x), makeInsn({ kind: 'ld-mem' }, a),
        makeInsn({ kind: 'alu', op: 'or', src: 'x' }), makeInsn({ kind: 'ldx-mem' }, x), makeInsn({ kind: 'alu', op: 'sub', src: 'x' })];
    return { code, regs: { a: key } };
  }
  return one(makeInsn({ kind: 'alu', op, src: 'x' }), { ...regs, a: key });
}
