import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';

const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

/**
 * Legacy LD_ABS / LD_IND (reference §3.2): r0 = the big-endian value at offset k of the
 * skb in r6 (negative k in the SKF_NET_OFF / SKF_LL_OFF ranges count from the network or
 * MAC header). Returns false when the bytes are not there, and the program then returns
 * 0 at once, as the kernel's rewrite (bpf_gen_ld_abs) does.
 */
export function packetLoad(m: Machine, k: number, size: number): boolean {
  const env = m.env;
  if (env.kind !== 'skb') fail('VM_BAD_CALL', `${m.section}+${m.slot}: LD_ABS/LD_IND outside an skb program (the verifier rejects it)`);
  const data = env.packet.bytes;
  const len = env.packet.end;
  let at: number;
  if (k >= 0) at = k;
  else if (k >= SKF_NET_OFF) at = env.netOffset + (k - SKF_NET_OFF);
  else if (k >= SKF_LL_OFF) at = env.macOffset + (k - SKF_LL_OFF);
  else return false;
  if (at < 0 || at + size > len) return false;
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + data[at + i];
  const r = m.regs;
  r.lo[0] = v;
  r.hi[0] = 0;
  r.taint[0] = 0;
  return true;
}
