/**
 * Every netgraph, ngctl and ng_bpf limit the netgraph emitter respects, in one place
 * (/work/shared/reference/ngbpf-cbpf.md §1.4, §2.1, §2.4, §6):
 *
 * - node and hook names: NG_NODESIZ and NG_HOOKSIZ are 32 with the NUL;
 * - `ngctl -f` splits each line with strtok into at most 511 words (MAX_ARGS 512) and
 *   silently drops the rest, so one command line may hold at most 511 words; there is
 *   no line continuation, so a setprogram message is always one line;
 * - older ngctl read script lines with fgets into LINE_MAX (2048) bytes and run the rest
 *   of a longer line as a separate command (current ngctl uses getline; which release
 *   changed is unverified): longer lines are reported, not refused;
 * - the control datagram is at most net.graph.maxdgram (20480) bytes, two 56-byte
 *   ng_mesg headers included;
 * - some older ng_base.c convert ASCII to binary in 2000 bytes: (2000 - 100) / 8 = 237
 *   instructions per setprogram (which releases: unverified): reported, not refused;
 * - a program returns a snap length: ng_bpf cuts a matching frame to a smaller nonzero
 *   return value, so "accept" must be at least as large as any frame.
 */
import { fail } from '../../errors.js';
import type { Finding } from '../../ir/types.js';

export const NETGRAPH_LIMITS = {
  /** NG_NODESIZ is 32 with the NUL. */
  nodeName: 31,
  /** NG_HOOKSIZ is 32 with the NUL. */
  hookName: 31,
  /** ngctl -f: MAX_ARGS 512, so 511 words per line; more are dropped without a word. */
  ngctlWords: 511,
  /** Older ngctl: fgets into LINE_MAX (2048): 2046 characters, the newline and the NUL. */
  oldNgctlLineBytes: 2046,
  /** net.graph.maxdgram (20480) less two 56-byte struct ng_mesg headers. */
  asciiMessageBytes: 20480 - 2 * 56,
  /** Older ng_base.c: a 2000-byte ASCII-to-binary buffer, 100 + 8 n bytes per hookprog. */
  oldKernelInsns: 237,
  /**
   * The smallest "accept" return value: tcpdump's default snap length, larger than any
   * frame ng_ether hands over (64 KiB TSO frames included). 0xffffffff is the usual one.
   */
  minAcceptReturn: 262144,
} as const;

/** The words `ngctl -f` sees on a line: strtok on " \t\r\n\v\f". */
export function ngctlWords(line: string): number {
  return line.split(/[ \t\r\n\v\f]+/).filter((w) => w !== '').length;
}

/** EMIT_LIMIT unless every ngctl line and message fits the limits all releases share. */
export function checkNgctlLine(line: string, what: string): string {
  const words = ngctlWords(line);
  if (words > NETGRAPH_LIMITS.ngctlWords) {
    fail('EMIT_LIMIT', `${what}: the ngctl line has ${words} words; ngctl -f reads at most ${NETGRAPH_LIMITS.ngctlWords} and silently drops the rest (the program is too long for one setprogram line)`);
  }
  if (line.length > NETGRAPH_LIMITS.asciiMessageBytes) {
    fail('EMIT_LIMIT', `${what}: the ngctl line is ${line.length} bytes, more than a netgraph control message holds (net.graph.maxdgram 20480)`);
  }
  return line;
}

/** Warnings for a setprogram line that only older FreeBSD releases would refuse or split. */
export function oldReleaseFindings(line: string, insns: number, construct: string): Finding[] {
  const out: Finding[] = [];
  const base = { object: null, program: null, section: null, slot: null, source: null, construct } as const;
  if (line.length > NETGRAPH_LIMITS.oldNgctlLineBytes) {
    out.push({
      ...base,
      code: 'B2P-NGCTL-LIMIT',
      severity: 'warning',
      message: `${construct}: its setprogram line is ${line.length} bytes; ngctl releases that read script lines with fgets(LINE_MAX) split lines over ${NETGRAPH_LIMITS.oldNgctlLineBytes} bytes and the script fails`,
      suggestion: 'load netgraph.ngctl with an ngctl that reads lines with getline (current FreeBSD), or run that setprogram as a command-line ngctl msg with the struct as one quoted argument',
    });
  }
  if (insns > NETGRAPH_LIMITS.oldKernelInsns) {
    out.push({
      ...base,
      code: 'B2P-NGCTL-LIMIT',
      severity: 'warning',
      message: `${construct}: its program has ${insns} instructions; kernels whose ng_base.c converts ASCII messages in 2000 bytes refuse setprogram above ${NETGRAPH_LIMITS.oldKernelInsns}`,
      suggestion: 'check the target kernel accepts it (ngctl msg <node>: getprogram after loading), or simplify the predicate',
    });
  }
  return out;
}
