import { fail } from '../../errors.js';
import { XDP_FRAME, XDP_FRAME_STRUCT, XDP_TAILROOM, type XdpState } from '../context/xdp.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes, writeBytes } from '../memory/helper-memory.js';
import { argHi, argLo, argS32, argU32, retInt, type HelperEntry } from './helper-def.js';

const ETH_HLEN = 14;
/** xdp_metalen_invalid: a multiple of 4 that fits skb_shared_info's u8 meta_len (measured: 48 is accepted). */
const XDP_METADATA_MAX = 255;

/**
 * XDP buffer helpers (net/core/filter.c) on test_run's one-page buffer: the packet may
 * grow into the headroom down to the end of the xdp_frame struct, and into the tailroom
 * up to skb_shared_info; grown bytes at the tail are zeroed.
 */
export const XDP_HELPERS: readonly HelperEntry[] = [
  [44, { name: 'xdp_adjust_head', args: 2, call: adjustHead }],
  [54, { name: 'xdp_adjust_meta', args: 2, call: adjustMeta }],
  [65, { name: 'xdp_adjust_tail', args: 2, call: adjustTail }],
  [188, { name: 'xdp_get_buff_len', args: 1, call: (m) => retInt(m, xdpOf(m, 'xdp_get_buff_len').packet.end - xdpOf(m, 'xdp_get_buff_len').data) }],
  [189, { name: 'xdp_load_bytes', args: 4, call: loadBytes }],
  [190, { name: 'xdp_store_bytes', args: 4, call: storeBytes }],
];

export function xdpOf(m: Machine, helper: string): XdpState {
  if (m.env.kind !== 'xdp') fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper} needs an XDP buffer, this is a tc program`);
  return m.env;
}

function adjustHead(m: Machine): void {
  const x = xdpOf(m, 'xdp_adjust_head');
  const offset = argS32(m, 2);
  const metalen = x.data - x.packet.start;
  const data = x.data + offset;
  if (data < XDP_FRAME_STRUCT + metalen || data > x.packet.end - ETH_HLEN) return retInt(m, -E.INVAL);
  if (metalen) x.packet.bytes.copyWithin(x.packet.start + offset, x.packet.start, x.data);
  x.packet.start += offset;
  x.data = data;
  retInt(m, 0);
}

function adjustMeta(m: Machine): void {
  const x = xdpOf(m, 'xdp_adjust_meta');
  const meta = x.packet.start + argS32(m, 2);
  const metalen = x.data - meta;
  if (meta < XDP_FRAME_STRUCT || meta > x.data) return retInt(m, -E.INVAL);
  if (metalen & 3 || metalen > XDP_METADATA_MAX) return retInt(m, -E.ACCES);
  x.packet.start = meta;
  retInt(m, 0);
}

function adjustTail(m: Machine): void {
  const x = xdpOf(m, 'xdp_adjust_tail');
  const offset = argS32(m, 2);
  const end = x.packet.end + offset;
  if (end > XDP_FRAME - XDP_TAILROOM || end < x.data + ETH_HLEN) return retInt(m, -E.INVAL);
  if (offset > 0) x.packet.bytes.fill(0, x.packet.end, end);
  x.packet.end = end;
  retInt(m, 0);
}

/** bpf_xdp_pointer: EFAULT for offsets or lengths above 0xffff, EINVAL past the end. */
function range(m: Machine, x: XdpState): number {
  const offset = argU32(m, 2);
  const len = argU32(m, 4);
  if (offset > 0xffff || len > 0xffff) return -E.FAULT;
  if (offset + len > x.packet.end - x.data) return -E.INVAL;
  return 0;
}

function loadBytes(m: Machine): void {
  const x = xdpOf(m, 'xdp_load_bytes');
  const err = range(m, x);
  if (err) return retInt(m, err);
  const at = x.data + argU32(m, 2);
  writeBytes(m.mem, argLo(m, 3), argHi(m, 3), x.packet.bytes.slice(at, at + argU32(m, 4)), 'xdp_load_bytes buf');
  retInt(m, 0);
}

function storeBytes(m: Machine): void {
  const x = xdpOf(m, 'xdp_store_bytes');
  const err = range(m, x);
  if (err) return retInt(m, err);
  x.packet.bytes.set(readBytes(m.mem, argLo(m, 3), argHi(m, 3), argU32(m, 4), 'xdp_store_bytes buf'), x.data + argU32(m, 2));
  retInt(m, 0);
}
