/**
 * The Linux kernel's checks on a classic BPF socket filter (net/core/filter.c:
 * bpf_check_classic and check_load_and_stores), for telling portable programs from
 * FreeBSD-only ones and for predicting what the kernel oracle in the tests says.
 * Stricter than FreeBSD in four ways: an empty program, a shift by a constant of 32 or
 * more, an absolute load at an unknown ancillary offset, and a read of M[k] that some
 * path reaches before any store to it are all refused. The limit is 4096 instructions.
 */
import { ANCILLARY_NAMES, SKF_AD_OFF } from './linux-ancillary.js';
import { LINUX_MAX_INSNS, MEM_WORDS, type CbpfProgram } from './types.js';
import { at, checkInsn, whole, type ValidationFailure } from './validate.js';

/** The first rule Linux's SO_ATTACH_FILTER would refuse the program for; undefined if accepted. */
export function findLinuxViolation(prog: CbpfProgram): ValidationFailure | undefined {
  const len = prog.length;
  if (len === 0) return whole('empty', 'the program has no instructions');
  if (len > LINUX_MAX_INSNS) return whole('too-long', `${len} instructions, more than Linux's ${LINUX_MAX_INSNS}`);
  for (let i = 0; i < len; i++) {
    const insn = prog[i];
    // The opcode, jump, memory-index and division rules are FreeBSD's own.
    const shared = checkInsn(insn, i, len, false);
    if (shared) return shared;
    if (insn.kind === 'alu' && (insn.op === 'lsh' || insn.op === 'rsh') && insn.src === 'k' && insn.k >= 32) {
      return at(insn, i, 'shift-range', `${insn.op} by the constant ${insn.k}, 32 or more`);
    }
    if (insn.kind === 'ld-abs' && insn.k >= SKF_AD_OFF && !ANCILLARY_NAMES.has(insn.k - SKF_AD_OFF)) {
      return at(insn, i, 'ancillary', `load at 0x${insn.k.toString(16)}, an ancillary offset Linux does not know`);
    }
  }
  const last = prog[len - 1];
  if (last.kind !== 'ret') return at(last, len - 1, 'no-final-ret', 'the last instruction is not a ret');
  return findUninitialisedRead(prog);
}

/**
 * Linux's forward data-flow pass over M[]: a bit per word, set by st/stx; each jump
 * target keeps only the bits set on every jump into it, and the instruction after a
 * jump starts from those alone. It is conservative in the kernel's way (the fall-through
 * state after a ret still flows on), which this follows so verdicts match.
 */
function findUninitialisedRead(prog: CbpfProgram): ValidationFailure | undefined {
  const all = (1 << MEM_WORDS) - 1;
  const masks = new Array<number>(prog.length).fill(all);
  let valid = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const insn = prog[pc];
    valid &= masks[pc];
    switch (insn.kind) {
      case 'st': case 'stx':
        valid |= 1 << insn.k;
        break;
      case 'ld-mem': case 'ldx-mem':
        if (!(valid & (1 << insn.k))) return at(insn, pc, 'mem-uninit', `M[${insn.k}] may be read before anything is stored there`);
        break;
      case 'ja':
        masks[pc + 1 + insn.k] &= valid;
        valid = all;
        break;
      case 'jcond':
        masks[pc + 1 + insn.jt] &= valid;
        masks[pc + 1 + insn.jf] &= valid;
        valid = all;
        break;
      default:
        break;
    }
  }
  return undefined;
}
