import { SKB, ctxU32, setCtxU32, setCtxU64, setSkbProtocol, skbProtocol, type SkbState } from '../context/skb-state.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { markTaint } from '../memory/memory.js';
import { csum16Add } from './checksum.js';
import { argHi, argLo, argU32, retInt, type HelperEntry } from './helper-def.js';
import { be16Arg } from './skb-resize.js';
import { clearHash, insertZeros, removeBytes, setSkbPacket, skbData, skbOf } from './skb-env.js';

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;

/**
 * skb metadata helpers: the VLAN tag (hardware-accelerated tag in skb fields, pushed into
 * the packet only when a second tag arrives), the flow hash, ECN CE marking, tstamp.
 */
export const SKB_META_HELPERS: readonly HelperEntry[] = [
  [18, { name: 'skb_vlan_push', args: 3, call: vlanPush }],
  [19, { name: 'skb_vlan_pop', args: 1, call: vlanPop }],
  [34, { name: 'get_hash_recalc', args: 1, call: hashRecalc, hostDependent: true }],
  [41, { name: 'set_hash_invalid', args: 1, call: (m) => (clearHash(m, skbOf(m, 'set_hash_invalid')), retInt(m, 0)) }],
  [48, { name: 'set_hash', args: 2, call: setHash }],
  [97, { name: 'skb_ecn_set_ce', args: 1, call: ecnSetCe }],
  [192, { name: 'skb_set_tstamp', args: 3, call: setTstamp }],
];

function isVlan(proto: number): boolean {
  return proto === ETH_P_8021Q || proto === ETH_P_8021AD;
}

function vlanTag(m: Machine, skb: SkbState): { present: boolean; tci: number; proto: number } {
  const le = m.mem.littleEndian;
  const raw = ctxU32(skb, SKB.vlan_proto, le);
  return {
    present: ctxU32(skb, SKB.vlan_present, le) !== 0,
    tci: ctxU32(skb, SKB.vlan_tci, le),
    proto: le ? ((raw & 0xff) << 8) | ((raw >>> 8) & 0xff) : raw & 0xffff,
  };
}

function setVlanTag(m: Machine, skb: SkbState, tag: { present: boolean; tci: number; proto: number }): void {
  const le = m.mem.littleEndian;
  setCtxU32(skb, SKB.vlan_present, tag.present ? 1 : 0, le);
  setCtxU32(skb, SKB.vlan_tci, tag.present ? tag.tci & 0xffff : 0, le);
  const p = tag.present ? tag.proto : 0;
  setCtxU32(skb, SKB.vlan_proto, le ? ((p & 0xff) << 8) | (p >>> 8) : p, le);
}

function vlanPush(m: Machine): void {
  const skb = skbOf(m, 'skb_vlan_push');
  let proto = be16Arg(m, 2);
  if (!isVlan(proto)) proto = ETH_P_8021Q;
  const tci = argU32(m, 3) & 0xffff;
  const old = vlanTag(m, skb);
  if (old.present) {
    // The tag already in skb fields moves into the packet, after the two MAC addresses.
    if (skb.macOffset !== 0) return retInt(m, -E.INVAL);
    const next = insertZeros(skbData(skb), 12, 4);
    next[12] = old.proto >>> 8;
    next[13] = old.proto & 0xff;
    next[14] = old.tci >>> 8;
    next[15] = old.tci & 0xff;
    setSkbPacket(m, skb, next);
    setSkbProtocol(skb, old.proto, m.mem.littleEndian);
  }
  setVlanTag(m, skb, { present: true, tci, proto });
  retInt(m, 0);
}

/** __skb_vlan_pop: the in-packet tag's TCI, or an errno. */
function popInPacket(m: Machine, skb: SkbState): number {
  if (skb.macOffset !== 0) return -E.INVAL;
  const data = skbData(skb);
  if (data.length < 18) return -E.NOMEM;
  const tci = (data[14] << 8) | data[15];
  const inner = (data[16] << 8) | data[17];
  let proto = inner;
  if (inner < 0x600) proto = data.length >= 20 && data[18] === 0xff && data[19] === 0xff ? 0x0001 : 0x0004;
  setSkbPacket(m, skb, removeBytes(data, 12, 4));
  setSkbProtocol(skb, proto, m.mem.littleEndian);
  skb.netOffset = Math.max(skb.netOffset - 4, 14);
  return tci;
}

function vlanPop(m: Machine): void {
  const skb = skbOf(m, 'skb_vlan_pop');
  const le = m.mem.littleEndian;
  if (vlanTag(m, skb).present) setVlanTag(m, skb, { present: false, tci: 0, proto: 0 });
  else {
    if (!isVlan(skbProtocol(skb, le))) return retInt(m, 0);
    const r = popInPacket(m, skb);
    if (r < 0) return retInt(m, r);
  }
  // A further in-packet tag becomes the accelerated one.
  const next = skbProtocol(skb, le);
  if (!isVlan(next)) return retInt(m, 0);
  const tci = popInPacket(m, skb);
  if (tci < 0) return retInt(m, tci);
  setVlanTag(m, skb, { present: true, tci, proto: next });
  retInt(m, 0);
}

function rol(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** jhash_3words (Bob Jenkins' lookup3 final mix). */
export function jhash3(a0: number, b0: number, c0: number, initval: number): number {
  const init = (0xdeadbeef + (3 << 2) + initval) >>> 0;
  let a = (a0 + init) >>> 0;
  let b = (b0 + init) >>> 0;
  let c = (c0 + init) >>> 0;
  c = ((c ^ b) - rol(b, 14)) >>> 0;
  a = ((a ^ c) - rol(c, 11)) >>> 0;
  b = ((b ^ a) - rol(a, 25)) >>> 0;
  c = ((c ^ b) - rol(b, 16)) >>> 0;
  a = ((a ^ c) - rol(c, 4)) >>> 0;
  b = ((b ^ a) - rol(a, 14)) >>> 0;
  c = ((c ^ b) - rol(b, 24)) >>> 0;
  return c;
}

/**
 * skb_get_hash: a stored hash, or a new one over the flow. The kernel hashes its flow
 * dissector's keys with a random per-boot seed, so its value cannot be predicted; ours
 * is a jhash of the addresses, ports and protocol seeded by VmOptions.hashSeed.
 */
function hashRecalc(m: Machine): void {
  const skb = skbOf(m, 'get_hash_recalc');
  const le = m.mem.littleEndian;
  if (!skb.swHash && !skb.l4Hash) {
    const d = skbData(skb);
    const n = skb.netOffset;
    const word = (i: number): number => (i + 4 <= d.length ? ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0 : 0);
    const proto = skbProtocol(skb, le);
    let h: number;
    if (proto === ETH_P_IP && d.length >= n + 20) {
      const ihl = (d[n] & 0xf) * 4;
      h = jhash3(word(n + 12), word(n + 16), word(n + ihl), (m.opts.hashSeed ^ d[n + 9]) >>> 0);
    } else h = jhash3(proto, 0, 0, m.opts.hashSeed);
    setCtxU32(skb, SKB.hash, h === 0 ? 1 : h, le);
    skb.swHash = true;
  }
  retInt(m, ctxU32(skb, SKB.hash, le));
}

function setHash(m: Machine): void {
  const skb = skbOf(m, 'set_hash');
  setCtxU32(skb, SKB.hash, argU32(m, 2), m.mem.littleEndian);
  skb.swHash = true;
  skb.l4Hash = true;
  retInt(m, 0);
}

/** INET_ECN_set_ce on the IPv4/IPv6 header at the network offset: 1 when the packet is (now) CE. */
function ecnSetCe(m: Machine): void {
  const skb = skbOf(m, 'skb_ecn_set_ce');
  const le = m.mem.littleEndian;
  const proto = skbProtocol(skb, le);
  const d = skbData(skb);
  const n = skb.netOffset;
  if (proto === ETH_P_IP) {
    if (d.length < n + 20) return retInt(m, 0);
    const ecn = (d[n + 1] + 1) & 3;
    if (!(ecn & 2)) return retInt(m, ecn === 0 ? 1 : 0);
    // check += htons(0xFFFB) + htons(ecn), in host order as the kernel adds it.
    const host = (x: number): number => (le ? ((x & 0xff) << 8) | (x >>> 8) : x);
    const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const add = (host(0xfffb) + host(ecn)) & 0xffff;
    view.setUint16(n + 10, csum16Add(view.getUint16(n + 10, le), add), le);
    d[n + 1] |= 3;
    return retInt(m, 1);
  }
  if (proto === ETH_P_IPV6) {
    if (d.length < n + 40) return retInt(m, 0);
    const ds = ((((d[n] << 8) | d[n + 1]) >>> 4) & 0xff) & 3;
    if (ds === 0) return retInt(m, 0);
    d[n + 1] |= 0x30;
    return retInt(m, 1);
  }
  retInt(m, 0);
}

const SKB_CLOCK_REALTIME = 0;
const SKB_CLOCK_MONOTONIC = 1;
const SKB_CLOCK_TAI = 2;

function setTstamp(m: Machine): void {
  const skb = skbOf(m, 'skb_set_tstamp');
  const le = m.mem.littleEndian;
  const type = argHi(m, 3) !== 0 ? -1 : argU32(m, 3);
  const zero = argLo(m, 2) === 0 && argHi(m, 2) === 0;
  if (type !== SKB_CLOCK_REALTIME && type !== SKB_CLOCK_MONOTONIC && type !== SKB_CLOCK_TAI) return retInt(m, -E.INVAL);
  if (type !== SKB_CLOCK_REALTIME && zero) return retInt(m, -E.INVAL);
  setCtxU64(skb, SKB.tstamp, (BigInt(argHi(m, 2)) << 32n) | BigInt(argLo(m, 2)), le);
  markTaint(skb.ctx, SKB.tstamp, 8, m.regs.taint[2]);
  skb.ctx.bytes[SKB.tstamp_type] = type;
  retInt(m, 0);
}
