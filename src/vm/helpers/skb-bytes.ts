import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes, writeBytes, zeroBytes } from '../memory/helper-memory.js';
import { argHi, argLo, argU32, flagsOutside, retInt, type HelperEntry } from './helper-def.js';
import { clearHash, skbData, skbOf } from './skb-env.js';

const INT_MAX = 0x7fffffff;
const BPF_F_RECOMPUTE_CSUM = 1;
const BPF_F_INVALIDATE_HASH = 2;
const BPF_HDR_START_MAC = 0;
const BPF_HDR_START_NET = 1;

/**
 * Packet bytes through helpers (net/core/filter.c). test_run's skb is linear and
 * CHECKSUM_NONE, so RECOMPUTE_CSUM (which adjusts skb->csum only for CHECKSUM_COMPLETE)
 * changes nothing observable; INVALIDATE_HASH clears skb->hash.
 */
export const SKB_BYTES_HELPERS: readonly HelperEntry[] = [
  [9, { name: 'skb_store_bytes', args: 5, call: storeBytes }],
  [26, { name: 'skb_load_bytes', args: 4, call: loadBytes }],
  [68, { name: 'skb_load_bytes_relative', args: 5, call: loadBytesRelative }],
  [39, { name: 'skb_pull_data', args: 2, call: pullData }],
];

function storeBytes(m: Machine): void {
  const skb = skbOf(m, 'skb_store_bytes');
  if (flagsOutside(m, 5, BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) return retInt(m, -E.INVAL);
  const offset = argU32(m, 2);
  const len = argU32(m, 4);
  if (offset > INT_MAX) return retInt(m, -E.FAULT);
  const data = skbData(skb);
  if (offset + len > data.length) return retInt(m, -E.FAULT);
  data.set(readBytes(m.mem, argLo(m, 3), argHi(m, 3), len, 'skb_store_bytes from'), offset);
  if (argLo(m, 5) & BPF_F_INVALIDATE_HASH) clearHash(m, skb);
  retInt(m, 0);
}

/** On failure the destination is zeroed and the result is -EFAULT. */
function loadBytes(m: Machine): void {
  const skb = skbOf(m, 'skb_load_bytes');
  const offset = argU32(m, 2);
  const len = argU32(m, 4);
  const data = skbData(skb);
  if (offset > INT_MAX || offset + len > data.length) {
    zeroBytes(m.mem, argLo(m, 3), argHi(m, 3), len, 'skb_load_bytes to');
    return retInt(m, -E.FAULT);
  }
  writeBytes(m.mem, argLo(m, 3), argHi(m, 3), data.slice(offset, offset + len), 'skb_load_bytes to');
  retInt(m, 0);
}

function loadBytesRelative(m: Machine): void {
  const skb = skbOf(m, 'skb_load_bytes_relative');
  const offset = argU32(m, 2);
  const len = argU32(m, 4);
  const data = skbData(skb);
  const start = argHi(m, 5) !== 0 ? -1 : argLo(m, 5);
  const base = start === BPF_HDR_START_MAC ? skb.macOffset : start === BPF_HDR_START_NET ? skb.netOffset : undefined;
  if (offset > 0xffff || base === undefined || base + offset + len > data.length) {
    zeroBytes(m.mem, argLo(m, 3), argHi(m, 3), len, 'skb_load_bytes_relative to');
    return retInt(m, -E.FAULT);
  }
  const at = base + offset;
  writeBytes(m.mem, argLo(m, 3), argHi(m, 3), data.slice(at, at + len), 'skb_load_bytes_relative to');
  retInt(m, 0);
}

/** The linear part is the whole packet: pulling up to its length succeeds, beyond it is ENOMEM. */
function pullData(m: Machine): void {
  const skb = skbOf(m, 'skb_pull_data');
  retInt(m, argU32(m, 2) > skbData(skb).length ? -E.NOMEM : 0);
}
