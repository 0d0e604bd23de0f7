/**
 * Classic BPF programs to bytes and to tcpdump's numeric text forms. Bytes are the
 * 8-byte `struct bpf_insn` records a kernel takes (code u16, jt u8, jf u8, k u32) in the
 * target host's byte order: little-endian for amd64 and arm64 FreeBSD, the default.
 */
import { fail } from '../errors.js';
import type { RawInsn } from './types.js';

export interface ByteOrder {
  /** Default true. Big-endian hosts (powerpc64) store code and k the other way round. */
  readonly littleEndian?: boolean;
}

/** `struct bpf_insn[]` as the kernel reads it: 8 bytes per instruction. */
export function encodeCbpf(prog: readonly RawInsn[], order: ByteOrder = {}): Uint8Array {
  const out = new Uint8Array(prog.length * 8);
  const view = new DataView(out.buffer);
  const le = order.littleEndian ?? true;
  prog.forEach((insn, i) => {
    checkRawFields(insn, i);
    view.setUint16(i * 8, insn.code, le);
    view.setUint8(i * 8 + 2, insn.jt);
    view.setUint8(i * 8 + 3, insn.jf);
    view.setUint32(i * 8 + 4, insn.k, le);
  });
  return out;
}

/** `tcpdump -ddd`: the instruction count, then `code jt jf k` in decimal, one per line. */
export function formatDdd(prog: readonly RawInsn[]): string {
  prog.forEach(checkRawFields);
  return `${prog.length}\n${prog.map((p) => `${p.code} ${p.jt} ${p.jf} ${p.k}\n`).join('')}`;
}

/** `tcpdump -dd`: a C array body, `{ 0x28, 0, 0, 0x0000000c },` per instruction. */
export function formatDd(prog: readonly RawInsn[]): string {
  prog.forEach(checkRawFields);
  return prog.map((p) => `{ 0x${p.code.toString(16)}, ${p.jt}, ${p.jf}, 0x${p.k.toString(16).padStart(8, '0')} },\n`).join('');
}

/** Fails unless every field fits its width in `struct bpf_insn` (u16, u8, u8, u32). */
export function checkRawFields(insn: RawInsn, i: number): void {
  const ok = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;
  if (!ok(insn.code, 0xffff) || !ok(insn.jt, 0xff) || !ok(insn.jf, 0xff) || !ok(insn.k, 0xffffffff)) {
    fail('CBPF_BAD_ENCODING', `instruction ${i}: fields { code=${insn.code} jt=${insn.jt} jf=${insn.jf} k=${insn.k} } do not fit struct bpf_insn (u16, u8, u8, u32)`);
  }
}
