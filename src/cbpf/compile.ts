/**
 * tcpdump filter expressions (pcap-filter(7), the subset in grammars/pcap-filter.ts) to
 * classic BPF for FreeBSD's ng_bpf(4) and bpf(4), on Ethernet frames (DLT EN10MB), as
 * short as we can make them and with tcpdump's verdicts. The passes, one module each:
 *
 *   parse      grammars/pcap-filter.ts   text -> syntax tree
 *   resolve    filter/resolve.ts         qualifiers, addresses, numbers -> Filter
 *   lower      filter/lower*.ts          Filter -> predicate over tests, in libpcap's order
 *   decide     filter/dag.ts             predicate -> decision DAG (knowledge, sharing, pull-ups)
 *   generate   filter/codegen.ts         DAG -> blocks, reusing what is in A and X
 *   merge      filter/merge-blocks.ts    identical blocks -> one (cross-jumping)
 *   jumps      filter/jumps.ts           blocks -> instructions, stubs for far jumps
 *
 * A match returns 0xffffffff (`ret #-1`): ng_bpf cuts a packet to the returned length,
 * so anything smaller could truncate. No match returns 0. The result always passes
 * FreeBSD's bpf_validate and the 512-instruction limit (or the compile fails).
 */
import { parsePcapFilter } from '../../grammars/pcap-filter.js';
import { buildDags } from './filter/dag.js';
import { generateBlocks } from './filter/codegen.js';
import { resolveJumps } from './filter/jumps.js';
import { mergeBlocks } from './filter/merge-blocks.js';
import { lowerFilter } from './filter/lower.js';
import { resolveFilter } from './filter/resolve.js';
import type { CbpfProgram } from './types.js';
import { validateCbpf } from './validate.js';

export interface CompileOptions {
  /** FreeBSD 10 and earlier: no MOD or XOR opcodes (`%` and `^` are computed without them). */
  readonly legacyOpcodes?: boolean;
  /** net.bpf.maxinsns; default 512. */
  readonly maxInsns?: number;
}

/** The ret value of a match: the largest snap length. */
export const MATCH_SNAPLEN = 0xffffffff;

/**
 * Compiles a filter expression. Fails with CBPF_FILTER_SYNTAX (does not parse),
 * CBPF_FILTER_INVALID (libpcap refuses it too), CBPF_UNSUPPORTED (outside the subset)
 * or CBPF_TOO_LONG (over maxInsns).
 */
export function compileFilter(expr: string, opts: CompileOptions = {}): CbpfProgram {
  const pred = lowerFilter(resolveFilter(parsePcapFilter(expr)));
  // Several DAGs (more or less specialised per path): keep the shortest program.
  const progs = buildDags(pred).map((dag) => resolveJumps(mergeBlocks(generateBlocks(dag, { match: MATCH_SNAPLEN }, { legacyOpcodes: opts.legacyOpcodes }))));
  const prog = progs.reduce((best, p) => (p.length < best.length ? p : best));
  validateCbpf(prog, { maxInsns: opts.maxInsns, legacyOpcodes: opts.legacyOpcodes, rejectEmpty: true });
  return prog;
}
