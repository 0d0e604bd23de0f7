import { fail } from '../../errors.js';
import { addRegion, type Memory } from '../memory/memory.js';
import { LOOPBACK, type VmDevice } from '../options.js';
import type { PacketRun, SkbContextOut } from '../run-types.js';
import type { RunScratch } from '../run/scratch.js';
import { ctxU32, ctxU64, SKB, setCtxU32, setCtxU64, setSkbProtocol, type SkbState } from './skb-state.js';

/** test_run's packet size limits for skb programs on x86-64 (reference §9.2). */
export const SKB_MIN_LEN = 14;
export const SKB_MAX_LEN = 3712;
const GSO_MAX_WIRE_LEN = 65536;

const PACKET_HOST = 0;
const PACKET_MULTICAST = 2;
const PACKET_OTHERHOST = 3;

/**
 * The skb BPF_PROG_TEST_RUN builds for a SCHED_CLS/SCHED_ACT program (reference §9.2,
 * §9.3): the frame copied in, eth_type_trans on the device (lo unless the ctx names
 * another), skb->data back at the Ethernet header, the allowed ctx fields copied in and
 * everything else zero. Inputs the kernel refuses with EINVAL/ENODEV are VM_BAD_STATE.
 */
export function setupSkb(mem: Memory, run: PacketRun, devices: readonly VmDevice[], scratch: RunScratch, omitCtx: boolean): SkbState {
  const le = mem.littleEndian;
  const p = run.packet;
  const refuse = (why: string): never => fail('VM_BAD_STATE', `test_run would refuse this run: ${why}`);
  if (p.length < SKB_MIN_LEN) refuse(`a ${p.length}-byte packet is shorter than ETH_HLEN (EINVAL)`);
  if (p.length > SKB_MAX_LEN) refuse(`a ${p.length}-byte packet exceeds the ${SKB_MAX_LEN}-byte linear limit (EINVAL)`);
  const ethertype = (p[12] << 8) | p[13];
  if (ethertype === 0x0800 && p.length < 34) refuse('an IPv4 frame needs at least 34 bytes (EINVAL)');
  if (ethertype === 0x86dd && p.length < 54) refuse('an IPv6 frame needs at least 54 bytes (EINVAL)');

  const c = run.ctx ?? {};
  const ifindex = c.ifindex ?? 0;
  const found = ifindex <= 1 ? (devices.find((d) => d.ifindex === 1) ?? LOOPBACK) : devices.find((d) => d.ifindex === ifindex);
  const device = found ?? refuse(`ctx ifindex ${ifindex} names no device (ENODEV); list it in VmOptions.devices`);
  const wireLen = c.wireLen ?? 0;
  if (wireLen !== 0 && (wireLen < p.length || wireLen > GSO_MAX_WIRE_LEN)) refuse(`wire_len ${wireLen} is below len or above 64 KiB (EINVAL)`);
  if ((c.gsoSegs ?? 0) > 0xffff) refuse(`gso_segs ${c.gsoSegs} exceeds 65535 (EINVAL)`);

  const ctx = addRegion(mem, 'ctx', '__sk_buff', scratch.skbCtx.bytes, true, { view: scratch.skbCtx.view });
  scratch.packet.bytes.set(p);
  const packet = addRegion(mem, 'plain', 'packet', scratch.packet.bytes.subarray(0, p.length), true, { view: scratch.packet.view });
  const skb: SkbState = {
    kind: 'skb',
    packet,
    ctx,
    device,
    macOffset: 0,
    netOffset: SKB_MIN_LEN,
    transportOffset: undefined,
    ipSummed: 'none',
    csumLevel: 0,
    encapsulation: false,
    swHash: false,
    l4Hash: false,
    initial: p,
    sock: undefined,
  };
  setCtxU32(skb, SKB.len, p.length, le);
  setCtxU32(skb, SKB.pkt_type, packetType(p, device), le);
  setSkbProtocol(skb, ethProtocol(p), le);
  setCtxU32(skb, SKB.mark, c.mark ?? 0, le);
  setCtxU32(skb, SKB.priority, c.priority ?? 0, le);
  setCtxU32(skb, SKB.ingress_ifindex, c.ingressIfindex ?? 0, le);
  setCtxU32(skb, SKB.ifindex, device.ifindex, le);
  (c.cb ?? [0, 0, 0, 0, 0]).forEach((v, i) => setCtxU32(skb, SKB.cb + 4 * i, v, le));
  setCtxU64(skb, SKB.tstamp, c.tstamp ?? 0n, le);
  // Without a ctx, test_run skips the conversion that sets the qdisc cb's pkt_len.
  setCtxU32(skb, SKB.wire_len, omitCtx ? 0 : wireLen === 0 ? p.length : wireLen, le);
  setCtxU32(skb, SKB.gso_segs, c.gsoSegs ?? 0, le);
  setCtxU32(skb, SKB.gso_size, c.gsoSize ?? 0, le);
  setCtxU64(skb, SKB.hwtstamp, c.hwtstamp ?? 0n, le);
  return skb;
}

/** eth_type_trans: the EtherType, or 802.3 (raw IPX, payload starting ffff) / 802.2 below 0x600. */
function ethProtocol(p: Uint8Array): number {
  const t = (p[12] << 8) | p[13];
  if (t >= 0x600) return t;
  return p.length >= 16 && p[14] === 0xff && p[15] === 0xff ? 0x0001 : 0x0004;
}

/** eth_type_trans's pkt_type against the device address (lo's is 00:00:00:00:00:00, and so is its broadcast). */
function packetType(p: Uint8Array, device: VmDevice): number {
  let own = true;
  for (let i = 0; i < 6; i++) if (p[i] !== device.mac[i]) own = false;
  if (own) return PACKET_HOST;
  if (p[0] & 1) {
    const broadcast = device.ifindex !== 1 && p.subarray(0, 6).every((b) => b === 0xff);
    return broadcast ? 1 : PACKET_MULTICAST;
  }
  return PACKET_OTHERHOST;
}

const AF_INET = 2;
const AF_INET6 = 10;
const TCP_CLOSE = 7;

/**
 * `struct bpf_sock` of the socket test_run attaches to every skb (sk_alloc with
 * AF_UNSPEC, then AF_INET/AF_INET6 and the frame's addresses for IP frames): no ports,
 * state TCP_CLOSE, no rx queue, type and protocol 0. Measured on 6.18.
 */
export function testRunSocket(skb: SkbState, le: boolean): Uint8Array {
  const p = skb.initial;
  const b = new Uint8Array(80);
  const v = new DataView(b.buffer);
  const type = (p[12] << 8) | p[13];
  if (type === 0x0800) {
    v.setUint32(4, AF_INET, le);
    b.set(p.subarray(26, 30), 24);
    b.set(p.subarray(30, 34), 52);
  } else if (type === 0x86dd) {
    v.setUint32(4, AF_INET6, le);
    b.set(p.subarray(22, 38), 28);
    b.set(p.subarray(38, 54), 56);
  }
  v.setUint32(72, TCP_CLOSE, le);
  v.setInt32(76, -1, le);
  return b;
}

/** The ctx fields test_run copies back after the run (reference §9.3). */
export function skbContextOut(skb: SkbState, le: boolean): SkbContextOut {
  const cb = [0, 1, 2, 3, 4].map((i) => ctxU32(skb, SKB.cb + 4 * i, le)) as unknown as SkbContextOut['cb'];
  return {
    mark: ctxU32(skb, SKB.mark, le),
    priority: ctxU32(skb, SKB.priority, le),
    ingressIfindex: ctxU32(skb, SKB.ingress_ifindex, le),
    ifindex: ctxU32(skb, SKB.ifindex, le),
    cb,
    tstamp: ctxU64(skb, SKB.tstamp, le),
    wireLen: ctxU32(skb, SKB.wire_len, le),
    gsoSegs: ctxU32(skb, SKB.gso_segs, le),
    hwtstamp: ctxU64(skb, SKB.hwtstamp, le),
  };
}
