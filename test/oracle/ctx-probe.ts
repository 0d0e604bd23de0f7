import type { RawInsn } from '../support/bpf-elf-writer.js';
import { ALU, CLS, JMP, MODE, SRC_X, SZ } from './alu-fuzz.js';
import { writeProbeObject } from './probe-object.js';

/**
 * A tc program that reads `struct __sk_buff` fields and stores them, each as a u64, in
 * the single value of the map `seen`: what a program observes under BPF_PROG_TEST_RUN,
 * for the interpreter to reproduce.
 */

export const CTX_PROBE_PROGRAM = 'ctx_probe';
export const CTX_PROBE_MAP = 'seen';

/** Fields a tc program may read (reference §5.1): name, offset, size. */
export const SKB_FIELDS = [
  ['len', 0, 4],
  ['pkt_type', 4, 4],
  ['mark', 8, 4],
  ['queue_mapping', 12, 4],
  ['protocol', 16, 4],
  ['vlan_present', 20, 4],
  ['vlan_tci', 24, 4],
  ['priority', 32, 4],
  ['ingress_ifindex', 36, 4],
  ['ifindex', 40, 4],
  ['tc_index', 44, 4],
  ['cb0', 48, 4],
  ['hash', 68, 4],
  ['tc_classid', 72, 4],
  ['napi_id', 84, 4],
  ['tstamp', 152, 8],
  ['wire_len', 160, 4],
  ['gso_segs', 164, 4],
  ['gso_size', 176, 4],
  ['hwtstamp', 184, 8],
] as const;

export type SkbFieldName = (typeof SKB_FIELDS)[number][0];

const insn = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });
const save = (k: number): number => -8 - 8 * k;

export function buildCtxProbe(): Uint8Array {
  const n = SKB_FIELDS.length;
  const key = save(n) - 8;
  const p: RawInsn[] = [];
  SKB_FIELDS.forEach(([, off, size], k) => {
    p.push(insn(CLS.LDX | MODE.MEM | (size === 8 ? SZ.DW : SZ.W), 0, 1, off, 0));
    p.push(insn(CLS.STX | MODE.MEM | SZ.DW, 10, 0, save(k), 0));
  });
  p.push(insn(CLS.ST | MODE.MEM | SZ.W, 10, 0, key, 0));
  const mapSlot = p.length;
  p.push(insn(CLS.LD | MODE.IMM | SZ.DW, 1, 0, 0, 0), insn(0, 0, 0, 0, 0));
  p.push(insn(CLS.ALU64 | ALU.MOV | SRC_X, 2, 10, 0, 0), insn(CLS.ALU64 | ALU.ADD, 2, 0, 0, key));
  p.push(insn(CLS.JMP | JMP.CALL, 0, 0, 0, 1)); // bpf_map_lookup_elem
  p.push(insn(CLS.JMP | JMP.JEQ, 0, 0, 2 * n, 0)); // to `r0 = 0`
  for (let k = 0; k < n; k++) {
    p.push(insn(CLS.LDX | MODE.MEM | SZ.DW, 1, 10, save(k), 0));
    p.push(insn(CLS.STX | MODE.MEM | SZ.DW, 0, 1, 8 * k, 0));
  }
  p.push(insn(CLS.ALU64 | ALU.MOV, 0, 0, 0, 0), insn(CLS.JMP | JMP.EXIT, 0, 0, 0, 0));
  return writeProbeObject({ program: CTX_PROBE_PROGRAM, map: CTX_PROBE_MAP, insns: p, mapSlot, valueSize: 8 * n });
}

/** The stored value, decoded by field name. */
export function decodeCtxProbe(value: Uint8Array): Record<SkbFieldName, bigint> {
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out = {} as Record<SkbFieldName, bigint>;
  SKB_FIELDS.forEach(([name], k) => {
    out[name] = value.length >= 8 * (k + 1) ? v.getBigUint64(8 * k, true) : 0n;
  });
  return out;
}
