import { fail } from '../../errors.js';
import { SKB, setCtxU32, setSkbProtocol, skbProtocol, ctxU32 } from '../context/skb-state.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { argHi, argLo, argS32, argU32, flagsOutside, retInt, type HelperEntry } from './helper-def.js';
import { clearHash, insertZeros, removeBytes, resetChecksumUnnecessary, setSkbPacket, skbData, skbOf } from './skb-env.js';

/** BPF_SKB_MAX_LEN = SKB_MAX_ALLOC: four pages less skb_shared_info. */
const BPF_SKB_MAX_LEN = 16384 - 320;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const IPV6_MINUS_IPV4 = 20;

/**
 * Helpers that change the packet's length (net/core/filter.c). Offsets of the MAC and
 * network headers are kept relative to skb->data as the kernel keeps them; new bytes are
 * zero. GSO skbs (a ctx gso_size) are not modelled.
 */
export const SKB_RESIZE_HELPERS: readonly HelperEntry[] = [
  [38, { name: 'skb_change_tail', args: 3, call: changeTail }],
  [43, { name: 'skb_change_head', args: 3, call: changeHead }],
  [31, { name: 'skb_change_proto', args: 3, call: changeProto }],
  [32, { name: 'skb_change_type', args: 2, call: changeType }],
  [50, { name: 'skb_adjust_room', args: 4, call: (m) => adjustRoom(m) }],
];

function noGso(m: Machine, helper: string): void {
  const skb = skbOf(m, helper);
  if (ctxU32(skb, SKB.gso_size, m.mem.littleEndian) !== 0) fail('VM_UNSUPPORTED', `${m.section}+${m.slot}: ${helper} on a GSO skb (ctx gso_size) is not modelled`);
}

function changeTail(m: Machine): void {
  const skb = skbOf(m, 'skb_change_tail');
  noGso(m, 'skb_change_tail');
  const newLen = argU32(m, 2);
  const data = skbData(skb);
  // __bpf_skb_min_len: the network header offset (no transport header is set in test_run).
  const minLen = skb.transportOffset ?? skb.netOffset;
  if (flagsOutside(m, 3, 0) || argHi(m, 2) !== 0 || newLen > BPF_SKB_MAX_LEN || newLen < minLen) return retInt(m, -E.INVAL);
  if (skb.encapsulation) return retInt(m, -E.NOTSUPP);
  if (newLen !== data.length) {
    const next = new Uint8Array(newLen);
    next.set(data.subarray(0, Math.min(newLen, data.length)));
    setSkbPacket(m, skb, next);
  }
  retInt(m, 0);
}

function changeHead(m: Machine): void {
  const skb = skbOf(m, 'skb_change_head');
  noGso(m, 'skb_change_head');
  const room = argU32(m, 2);
  const data = skbData(skb);
  const newLen = data.length + room;
  if (flagsOutside(m, 3, 0) || newLen > BPF_SKB_MAX_LEN) return retInt(m, -E.INVAL);
  setSkbPacket(m, skb, insertZeros(data, 0, room));
  // The new bytes become the MAC header; the network header stays where it was.
  skb.macOffset = 0;
  skb.netOffset += room;
  if (skb.transportOffset !== undefined) skb.transportOffset += room;
  retInt(m, 0);
}

/** The __be16 argument as the network-order number it stands for. */
export function be16Arg(m: Machine, i: number): number {
  const v = argLo(m, i) & 0xffff;
  return m.mem.littleEndian ? ((v & 0xff) << 8) | (v >>> 8) : v;
}

function changeProto(m: Machine): void {
  const skb = skbOf(m, 'skb_change_proto');
  noGso(m, 'skb_change_proto');
  const le = m.mem.littleEndian;
  if (flagsOutside(m, 3, 0)) return retInt(m, -E.INVAL);
  const to = be16Arg(m, 2);
  const from = skbProtocol(skb, le);
  const off = skb.netOffset - skb.macOffset;
  const data = skbData(skb);
  if (from === ETH_P_IP && to === ETH_P_IPV6) {
    setSkbPacket(m, skb, insertZeros(data, off, IPV6_MINUS_IPV4));
  } else if (from === ETH_P_IPV6 && to === ETH_P_IP) {
    if (data.length < off + IPV6_MINUS_IPV4) return retInt(m, -E.NOMEM);
    setSkbPacket(m, skb, removeBytes(data, off, IPV6_MINUS_IPV4));
  } else return retInt(m, -E.NOTSUPP);
  setSkbProtocol(skb, to, le);
  clearHash(m, skb);
  retInt(m, 0);
}

const PACKET_OTHERHOST = 3;

function changeType(m: Machine): void {
  const skb = skbOf(m, 'skb_change_type');
  const le = m.mem.littleEndian;
  const type = argU32(m, 2);
  if (ctxU32(skb, SKB.pkt_type, le) > PACKET_OTHERHOST || type > PACKET_OTHERHOST) return retInt(m, -E.INVAL);
  setCtxU32(skb, SKB.pkt_type, type, le);
  retInt(m, 0);
}

const ADJ_ROOM_NET = 0;
const ADJ_ROOM_MAC = 1;
const F_FIXED_GSO = 0x1;
const F_ENCAP_L3_IPV4 = 0x2;
const F_ENCAP_L3_IPV6 = 0x4;
const F_ENCAP_L4_GRE = 0x8;
const F_ENCAP_L4_UDP = 0x10;
const F_NO_CSUM_RESET = 0x20;
const F_ENCAP_L2_ETH = 0x40;
const F_DECAP_L3_IPV4 = 0x80;
const F_DECAP_L3_IPV6 = 0x100;
const LOW_FLAGS = 0x1ff;

/** skb_adjust_room: room inserted or removed after the MAC header (MAC) or the base L3 header (NET). */
function adjustRoom(m: Machine): void {
  const skb = skbOf(m, 'skb_adjust_room');
  noGso(m, 'skb_adjust_room');
  const le = m.mem.littleEndian;
  const lenDiff = argS32(m, 2);
  const mode = argHi(m, 3) !== 0 ? -1 : argU32(m, 3);
  const flags = argLo(m, 4);
  const flagsHi = argHi(m, 4);
  if (flags & ~LOW_FLAGS || flagsHi & 0x00ffffff) return retInt(m, -E.INVAL);
  const diff = Math.abs(lenDiff);
  if (diff > 0xfff) return retInt(m, -E.FAULT);
  const proto = skbProtocol(skb, le);
  if (proto !== ETH_P_IP && proto !== ETH_P_IPV6) return retInt(m, -E.NOTSUPP);
  const baseLen = proto === ETH_P_IP ? 20 : 40;
  let off = skb.netOffset - skb.macOffset;
  if (mode === ADJ_ROOM_NET) off += baseLen;
  else if (mode !== ADJ_ROOM_MAC) return retInt(m, -E.NOTSUPP);
  const shrink = lenDiff < 0;
  let lenMin = baseLen;
  const decap = flags & (F_DECAP_L3_IPV4 | F_DECAP_L3_IPV6);
  if (decap) {
    if (!shrink) return retInt(m, -E.INVAL);
    if (decap === F_DECAP_L3_IPV4) lenMin = 20;
    else if (decap === F_DECAP_L3_IPV6) lenMin = 40;
    else return retInt(m, -E.INVAL);
  }
  const data = skbData(skb);
  const lenCur = data.length - skb.netOffset;
  if (shrink ? diff >= lenCur || lenCur - diff < lenMin : data.length + diff > BPF_SKB_MAX_LEN) return retInt(m, -E.NOTSUPP);

  if (shrink) {
    if (flags & ~(F_FIXED_GSO | F_DECAP_L3_IPV4 | F_DECAP_L3_IPV6 | F_NO_CSUM_RESET) || flagsHi !== 0) return retInt(m, -E.INVAL);
    if (data.length < off + diff) return retInt(m, -E.NOMEM);
    setSkbPacket(m, skb, removeBytes(data, off, diff));
    if (decap === F_DECAP_L3_IPV4) setSkbProtocol(skb, ETH_P_IP, le);
    else if (decap === F_DECAP_L3_IPV6) setSkbProtocol(skb, ETH_P_IPV6, le);
  } else {
    const innerMacLen = flagsHi >>> 24;
    const encap = flags & (F_ENCAP_L3_IPV4 | F_ENCAP_L3_IPV6);
    if (encap) {
      if (flags & F_ENCAP_L3_IPV4 && flags & F_ENCAP_L3_IPV6) return retInt(m, -E.INVAL);
      if (flags & F_ENCAP_L4_GRE && flags & F_ENCAP_L4_UDP) return retInt(m, -E.INVAL);
      if (flags & F_ENCAP_L2_ETH && innerMacLen < 14) return retInt(m, -E.INVAL);
      if (skb.encapsulation) return retInt(m, -E.ALREADY);
      if (innerMacLen > diff) return retInt(m, -E.INVAL);
    }
    setSkbPacket(m, skb, insertZeros(data, off, diff));
    if (encap) {
      skb.encapsulation = true;
      if (flags & (F_ENCAP_L4_GRE | F_ENCAP_L4_UDP)) skb.transportOffset = skb.netOffset + (flags & F_ENCAP_L3_IPV6 ? 40 : 20);
      if (proto === ETH_P_IP && flags & F_ENCAP_L3_IPV6) setSkbProtocol(skb, ETH_P_IPV6, le);
      else if (proto === ETH_P_IPV6 && flags & F_ENCAP_L3_IPV4) setSkbProtocol(skb, ETH_P_IP, le);
    }
  }
  if (!(flags & F_NO_CSUM_RESET)) resetChecksumUnnecessary(skb);
  retInt(m, 0);
}
