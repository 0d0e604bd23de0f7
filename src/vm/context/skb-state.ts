import type { Region } from '../memory/region.js';
import type { VmDevice } from '../options.js';

/** `struct __sk_buff` offsets (reference §5.1). */
export const SKB = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16,
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  cb: 48,
  hash: 68,
  tc_classid: 72,
  data: 76,
  data_end: 80,
  napi_id: 84,
  family: 88,
  local_port: 136,
  data_meta: 140,
  flow_keys: 144,
  tstamp: 152,
  wire_len: 160,
  gso_segs: 164,
  sk: 168,
  gso_size: 176,
  tstamp_type: 180,
  hwtstamp: 184,
  size: 192,
} as const;

/**
 * The skb of a tc test run. The scalar `__sk_buff` fields live in `ctx.bytes`, an image
 * of the struct in the object's byte order, so narrow loads read what the kernel's
 * rewritten loads read; helpers that change the skb (length, protocol, hash, VLAN tag)
 * update the image. The packet region holds data..tail exactly (the skb is linear in
 * test_run); packet-changing helpers replace its bytes.
 */
export interface SkbState {
  readonly kind: 'skb';
  readonly packet: Region;
  readonly ctx: Region;
  readonly device: VmDevice;
  /** Header offsets relative to skb->data. */
  macOffset: number;
  netOffset: number;
  transportOffset: number | undefined;
  ipSummed: 'none' | 'unnecessary';
  csumLevel: number;
  encapsulation: boolean;
  swHash: boolean;
  l4Hash: boolean;
  /** The frame as the run gave it: test_run fills its dummy socket from it. */
  readonly initial: Uint8Array;
  /** skb->sk, made when first read. */
  sock: Region | undefined;
}

export function ctxU32(s: { ctx: Region }, off: number, le: boolean): number {
  return s.ctx.view.getUint32(off, le);
}

export function setCtxU32(s: { ctx: Region }, off: number, v: number, le: boolean): void {
  s.ctx.view.setUint32(off, v >>> 0, le);
}

export function ctxU64(s: { ctx: Region }, off: number, le: boolean): bigint {
  return s.ctx.view.getBigUint64(off, le);
}

export function setCtxU64(s: { ctx: Region }, off: number, v: bigint, le: boolean): void {
  s.ctx.view.setBigUint64(off, BigInt.asUintN(64, v), le);
}

/** skb->protocol as the 16-bit network-order value (0x0800 for IPv4). */
export function skbProtocol(s: SkbState, le: boolean): number {
  const v = ctxU32(s, SKB.protocol, le);
  // The field holds the __be16 as a host u16: bytes swapped on a little-endian host.
  return le ? ((v & 0xff) << 8) | ((v >>> 8) & 0xff) : v & 0xffff;
}

export function setSkbProtocol(s: SkbState, proto: number, le: boolean): void {
  setCtxU32(s, SKB.protocol, le ? ((proto & 0xff) << 8) | ((proto >>> 8) & 0xff) : proto & 0xffff, le);
}

export function skbLen(s: SkbState): number {
  return s.packet.end;
}
