import type { BpfFunction, BpfObject } from '../object/types.js';

/**
 * The numbers a program compares against: the immediates of its conditional jumps (and
 * 32-bit `lddw` constants, how clang loads large masks and marks). Packets and contexts
 * drawn around these numbers reach the branches a compiled policy has, without knowing
 * what the program is: `tcp->dest == bpf_htons(25)` shows up as 25 or 0x1900, a mark
 * test as 0x666, a VLAN check as 10 and 20.
 */
export interface ProgramConstants {
  /** Every immediate as an unsigned 32-bit value, sorted, without duplicates. */
  readonly values: readonly number[];
  /** Candidate ports (host order): 16-bit immediates as they are and byte-swapped. */
  readonly ports: readonly number[];
  /** Candidate IPv4 addresses as numbers (first octet most significant), read both ways round. */
  readonly addresses: readonly number[];
  /** Small values (< 256): protocol numbers, ICMP types, TCP flag masks, DSCP, VIDs below 256. */
  readonly small: readonly number[];
  /** 12-bit values: VLAN IDs. */
  readonly vids: readonly number[];
}

export function programConstants(obj: BpfObject, functions: readonly BpfFunction[] = [...obj.programs, ...obj.subprograms]): ProgramConstants {
  const values = new Set<number>();
  for (const f of functions) {
    for (const insn of f.insns) {
      if (insn.kind === 'jump' && insn.source === 'imm' && insn.op !== 'ja' && insn.op !== 'may_goto') values.add(insn.imm >>> 0);
      else if (insn.kind === 'lddw' && insn.pseudo === 'imm64' && insn.value < 0x100000000n) values.add(Number(insn.value));
    }
  }
  const sorted = [...values].sort((a, b) => a - b);
  const ports = new Set<number>();
  const addresses = new Set<number>();
  for (const v of sorted) {
    // A field compared in network order shows up byte-swapped on a little-endian target
    // (bpf_htons(25) is 0x1900), one compared after ntohs/ntohl as it is; on a big-endian
    // target both are the plain value.
    if (v > 0 && v <= 0xffff) {
      ports.add(v);
      if (obj.littleEndian) ports.add(swap16(v));
    }
    // Addresses keep a non-zero first octet (10.99.0.0 is 0x0000630a on bpfel). Swapped
    // single bytes are left out: those are protocol numbers and flags far more often
    // than /8 networks.
    for (const a of obj.littleEndian && v > 0xff ? [v, swap32(v)] : [v]) if (a >>> 24 !== 0) addresses.add(a);
  }
  ports.delete(0);
  return {
    values: sorted,
    ports: [...ports].sort((a, b) => a - b),
    addresses: [...addresses].sort((a, b) => a - b),
    small: sorted.filter((v) => v < 256),
    vids: sorted.filter((v) => v > 0 && v < 4095),
  };
}

export function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
}

export function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
