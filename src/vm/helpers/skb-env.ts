import { fail } from '../../errors.js';
import { SKB, setCtxU32, type SkbState } from '../context/skb-state.js';
import type { Machine } from '../machine.js';
import { replaceBytes } from '../memory/region.js';

/** The skb of a tc run; an skb helper called from XDP stops the run (the verifier refuses it). */
export function skbOf(m: Machine, helper: string): SkbState {
  if (m.env.kind !== 'skb') fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper} needs an skb, this is an XDP program`);
  return m.env;
}

/** Bytes data..tail (the live packet). */
export function skbData(skb: SkbState): Uint8Array {
  return skb.packet.bytes.subarray(skb.packet.start, skb.packet.end);
}

/** Installs new packet bytes (after a resize) and keeps __sk_buff.len in step. */
export function setSkbPacket(m: Machine, skb: SkbState, bytes: Uint8Array): void {
  replaceBytes(skb.packet, bytes);
  setCtxU32(skb, SKB.len, bytes.length, m.mem.littleEndian);
}

/** skb_clear_hash. */
export function clearHash(m: Machine, skb: SkbState): void {
  setCtxU32(skb, SKB.hash, 0, m.mem.littleEndian);
  skb.swHash = false;
  skb.l4Hash = false;
}

/** __skb_reset_checksum_unnecessary. */
export function resetChecksumUnnecessary(skb: SkbState): void {
  if (skb.ipSummed === 'unnecessary') {
    skb.ipSummed = 'none';
    skb.csumLevel = 0;
  }
}

/** bpf_skb_generic_push: `len` zero bytes inserted at `off` (the bytes before it move to the front). */
export function insertZeros(data: Uint8Array, off: number, len: number): Uint8Array {
  const out = new Uint8Array(data.length + len);
  out.set(data.subarray(0, off), 0);
  out.set(data.subarray(off), off + len);
  return out;
}

/** bpf_skb_generic_pop: bytes [off, off + len) removed. */
export function removeBytes(data: Uint8Array, off: number, len: number): Uint8Array {
  const out = new Uint8Array(data.length - len);
  out.set(data.subarray(0, off), 0);
  out.set(data.subarray(off + len), off);
  return out;
}
