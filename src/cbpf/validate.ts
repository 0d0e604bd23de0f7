/**
 * FreeBSD's checks on a classic BPF program, as ng_bpf(4) applies them when a program is
 * set: first the length against net.bpf.maxinsns (512 by default), then bpf_validate
 * (sys/net/bpf_filter.c), rule for rule and in its order:
 *
 * 1. every code is one of the valid 49 (45 before FreeBSD 12: no MOD or XOR);
 * 2. a jump's offset (k for ja, the larger of jt and jf otherwise) must be less than
 *    len - i - 1: forward only, in range, and never the last instruction;
 * 3. st, stx, ld M[] and ldx M[] need k < 16;
 * 4. div #0 and mod #0 are refused;
 * 5. the last instruction is a ret.
 *
 * An empty program passes bpf_validate ("accept all"), but ng_bpf then runs the
 * interpreter on nothing; `rejectEmpty` refuses it, as a code generator should.
 * Not checked, as in FreeBSD: shifts by 32 or more, M[] read before written, unreachable
 * code, load offsets. validate-linux.ts has the stricter Linux rules.
 */
import { fail } from '../errors.js';
import { insnText } from './disassemble.js';
import { MOD_XOR_CODES } from './opcodes.js';
import { FREEBSD_MAX_INSNS, MEM_WORDS, type CbpfInsn, type CbpfProgram } from './types.js';

/** The rule a program breaks; shared with the Linux checker. */
export type ValidationRule =
  | 'empty' // no instructions
  | 'too-long' // more instructions than the target allows
  | 'bad-opcode' // a code outside the whitelist
  | 'jump-range' // a jump backwards, past the end, or as the last instruction
  | 'mem-index' // a scratch memory index of 16 or more
  | 'div-by-zero' // div or mod by the constant 0
  | 'no-final-ret' // the last instruction is not a ret
  | 'shift-range' // Linux only: lsh/rsh by a constant of 32 or more
  | 'ancillary' // Linux only: an absolute load at an unknown SKF_AD_OFF offset
  | 'mem-uninit'; // Linux only: M[k] may be read before anything is stored there

export interface ValidationFailure {
  readonly rule: ValidationRule;
  /** The instruction breaking the rule; -1 for rules about the whole program. */
  readonly index: number;
  readonly message: string;
}

export interface FreeBsdLimits {
  /** net.bpf.maxinsns; default 512. `Infinity` checks bpf_validate alone. */
  readonly maxInsns?: number;
  /** FreeBSD 10.4 and earlier: MOD and XOR are not in the whitelist. Default false. */
  readonly legacyOpcodes?: boolean;
  /** Refuse an empty program (bpf_validate accepts it; ng_bpf then misbehaves). Default false. */
  readonly rejectEmpty?: boolean;
}

/** The first rule the program breaks, as FreeBSD finds it; undefined if it is accepted. */
export function findFreeBsdViolation(prog: CbpfProgram, limits: FreeBsdLimits = {}): ValidationFailure | undefined {
  const maxInsns = limits.maxInsns ?? FREEBSD_MAX_INSNS;
  const len = prog.length;
  if (len > maxInsns) return whole('too-long', `${len} instructions, more than the ${maxInsns} net.bpf.maxinsns allows`);
  if (len === 0) return limits.rejectEmpty ? whole('empty', 'the program has no instructions') : undefined;
  for (let i = 0; i < len; i++) {
    const insn = prog[i];
    const failure = checkInsn(insn, i, len, limits.legacyOpcodes ?? false);
    if (failure) return failure;
  }
  const last = prog[len - 1];
  if (last.kind !== 'ret') return at(last, len - 1, 'no-final-ret', 'the last instruction is not a ret');
  return undefined;
}

/** One instruction against rules 1 to 4. */
export function checkInsn(insn: CbpfInsn, i: number, len: number, legacyOpcodes: boolean): ValidationFailure | undefined {
  if (insn.kind === 'unknown' || (legacyOpcodes && MOD_XOR_CODES.includes(insn.code))) {
    const why = insn.kind === 'unknown' ? 'is not a valid classic BPF opcode' : 'is MOD or XOR, which FreeBSD before 12 refuses';
    return at(insn, i, 'bad-opcode', `code 0x${insn.code.toString(16)} ${why}`);
  }
  switch (insn.kind) {
    case 'ja':
    case 'jcond': {
      // Unsigned, as in the kernel: a k meant as a negative offset is a huge forward one.
      const off = insn.kind === 'ja' ? insn.k : Math.max(insn.jt, insn.jf);
      if (off >= len - i - 1) {
        return at(insn, i, 'jump-range', `jump offset ${off} reaches instruction ${i + 1 + off}, but the last one is ${len - 1} and must be a ret`);
      }
      return undefined;
    }
    case 'st': case 'stx': case 'ld-mem': case 'ldx-mem':
      if (insn.k >= MEM_WORDS) return at(insn, i, 'mem-index', `scratch memory index ${insn.k} is not below ${MEM_WORDS}`);
      return undefined;
    case 'alu':
      if ((insn.op === 'div' || insn.op === 'mod') && insn.src === 'k' && insn.k === 0) {
        return at(insn, i, 'div-by-zero', `${insn.op} by the constant 0`);
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Fails with CBPF_TOO_LONG or CBPF_INVALID unless FreeBSD would accept the program. */
export function validateCbpf(prog: CbpfProgram, limits: FreeBsdLimits = {}): void {
  throwIfFailed(findFreeBsdViolation(prog, limits));
}

/** Turns a failure into the typed error. */
export function throwIfFailed(failure: ValidationFailure | undefined): void {
  if (!failure) return;
  fail(failure.rule === 'too-long' ? 'CBPF_TOO_LONG' : 'CBPF_INVALID', failure.message);
}

export function at(insn: CbpfInsn, index: number, rule: ValidationRule, why: string): ValidationFailure {
  return { rule, index, message: `instruction ${index} (${insnText(insn, index)}): ${why} [${rule}]` };
}

export function whole(rule: ValidationRule, why: string): ValidationFailure {
  return { rule, index: -1, message: `${why} [${rule}]` };
}
