import type { BpfObject } from '../object/types.js';

/**
 * Which `__sk_buff` fields an object's programs read, so generated runs set the context
 * fields that matter (a TAP ifindex for from_cube, marks for a mark test) and leave the
 * others at the kernel's defaults. Found by following the context pointer from r1 at
 * each function's entry through register moves, in instruction order: an
 * approximation that ignores control flow, which is enough for the straight-line
 * prologues clang emits.
 */
export interface ContextReads {
  readonly mark: boolean;
  readonly priority: boolean;
  readonly ingressIfindex: boolean;
  readonly ifindex: boolean;
  readonly cb: boolean;
  readonly tstamp: boolean;
}

/** __sk_buff offsets (include/uapi/linux/bpf.h). */
const OFF_MARK = 8;
const OFF_PRIORITY = 32;
const OFF_INGRESS_IFINDEX = 36;
const OFF_IFINDEX = 40;
const OFF_CB_FIRST = 48;
const OFF_CB_LAST = 64;
const OFF_TSTAMP = 152;

export function contextReads(obj: BpfObject): ContextReads {
  const offs = new Set<number>();
  for (const f of [...obj.programs, ...obj.subprograms]) {
    const ctx = new Set<number>([1]);
    for (const insn of f.insns) {
      if (insn.kind === 'load' && ctx.has(insn.src)) offs.add(insn.off);
      if (insn.kind === 'alu' && insn.op === 'mov' && insn.width === 64 && insn.source === 'reg' && ctx.has(insn.src)) {
        ctx.add(insn.dst);
        continue;
      }
      if (insn.kind === 'alu' || insn.kind === 'load' || insn.kind === 'lddw' || insn.kind === 'swap') ctx.delete(insn.dst);
      if (insn.kind === 'call') for (const r of [0, 1, 2, 3, 4, 5]) ctx.delete(r);
    }
  }
  const has = (o: number): boolean => offs.has(o);
  return {
    mark: has(OFF_MARK),
    priority: has(OFF_PRIORITY),
    ingressIfindex: has(OFF_INGRESS_IFINDEX),
    ifindex: has(OFF_IFINDEX),
    cb: [...offs].some((o) => o >= OFF_CB_FIRST && o <= OFF_CB_LAST),
    tstamp: has(OFF_TSTAMP),
  };
}
