/**
 * The program of one ng_bpf hook: compiled by the injected code generator, then held to
 * what FreeBSD's ng_bpf accepts and what it does with the result, or emission fails
 * with a typed error naming the classifier:
 *
 * - validateCbpf: net.bpf.maxinsns (512), bpf_validate's rules, and never empty (ng_bpf
 *   runs an empty program on nothing);
 * - every `ret #k` is 0 (no match) or at least NETGRAPH_LIMITS.minAcceptReturn: ng_bpf
 *   cuts a matching frame to a smaller value; `ret a` returns a length nobody checked;
 * - no absolute load at 0x80000000 or above: Linux-built libpcap compiles `inbound`,
 *   `outbound` and `ifindex` to Linux ancillary offsets, which on FreeBSD are
 *   out-of-range loads that reject every frame.
 */
import { Bpf2pfError, fail, isBpf2pfError } from '../../errors.js';
import { classify } from '../../cbpf/opcodes.js';
import type { CbpfProgram } from '../../cbpf/types.js';
import { insnText } from '../../cbpf/disassemble.js';
import { validateCbpf } from '../../cbpf/validate.js';
import { NETGRAPH_LIMITS } from './limits.js';

/** The code generator: a predicate (tcpdump-expression subset) to a classic BPF program. */
export type CompileClassifier = (predicate: string) => CbpfProgram;

/** `ret #0xffffffff`: every frame matches, whole. The program of a hook nothing classifies. */
export const PASS_ALL: CbpfProgram = [classify({ code: 0x06, jt: 0, jf: 0, k: 0xffffffff })];

/** Fails unless ng_bpf would run `prog` with the meaning its verdicts have here. */
export function checkHookProgram(prog: CbpfProgram, what: string): CbpfProgram {
  try {
    validateCbpf(prog, { rejectEmpty: true });
  } catch (e) {
    if (isBpf2pfError(e)) throw new Bpf2pfError(e.code, `${what}: ${e.message}`);
    throw e;
  }
  prog.forEach((insn, i) => {
    if (insn.kind === 'ret' && insn.src === 'a') {
      fail('CBPF_INVALID', `${what}: instruction ${i} (${insnText(insn, i)}) returns A; ng_bpf would cut a matching frame to that many bytes`);
    }
    if (insn.kind === 'ret' && insn.k !== 0 && insn.k < NETGRAPH_LIMITS.minAcceptReturn) {
      fail('CBPF_INVALID', `${what}: instruction ${i} (${insnText(insn, i)}) accepts with ${insn.k}; ng_bpf would cut a matching frame to ${insn.k} bytes (accept with ${NETGRAPH_LIMITS.minAcceptReturn} or more)`);
    }
    if ((insn.kind === 'ld-abs' || insn.kind === 'ldx-msh') && insn.k >= 0x80000000) {
      fail('CBPF_INVALID', `${what}: instruction ${i} (${insnText(insn, i)}) loads at offset 0x${insn.k.toString(16)}, a Linux ancillary field FreeBSD does not have (every frame would fail the load)`);
    }
  });
  return prog;
}

/** Compiles and checks a classifier's predicate; a compiler's typed error keeps its code. */
export function hookProgram(compile: CompileClassifier, predicate: string, what: string): CbpfProgram {
  let prog: CbpfProgram;
  try {
    prog = compile(predicate);
  } catch (e) {
    if (isBpf2pfError(e)) throw new Bpf2pfError(e.code, `${what}: predicate ${JSON.stringify(predicate)}: ${e.message}`);
    throw e;
  }
  return checkHookProgram(prog, `${what} (predicate ${JSON.stringify(predicate)})`);
}
