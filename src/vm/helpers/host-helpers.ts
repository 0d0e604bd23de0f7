import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes, writeBytes } from '../memory/helper-memory.js';
import { addRegion } from '../memory/memory.js';
import { REGION_HI_BASE, type Region } from '../memory/region.js';
import type { VmDevice, VmSocket } from '../options.js';
import { argHi, argLo, argS32, argU32, retInt, retNull, retPtr, type HelperEntry } from './helper-def.js';

/**
 * Helpers whose answers come from the host: its sockets, routes and devices. The kernel
 * asks the machine it runs on (test_run's netns, lo as the skb's device); we ask
 * VmOptions (sockets, fibLookup, devices), by default an empty host: no sockets, no
 * routes, only lo with forwarding off.
 */
export const HOST_HELPERS: readonly HelperEntry[] = [
  [84, { name: 'sk_lookup_tcp', args: 5, call: (m) => skLookup(m, 'tcp'), hostDependent: true }],
  [85, { name: 'sk_lookup_udp', args: 5, call: (m) => skLookup(m, 'udp'), hostDependent: true }],
  [99, { name: 'skc_lookup_tcp', args: 5, call: (m) => skLookup(m, 'tcp'), hostDependent: true }],
  [86, { name: 'sk_release', args: 1, call: skRelease }],
  [95, { name: 'sk_fullsock', args: 1, call: skFullsock }],
  [96, { name: 'tcp_sock', args: 1, call: tcpSock }],
  [98, { name: 'get_listener_sock', args: 1, call: listenerSock }],
  [69, { name: 'fib_lookup', args: 4, call: fibLookup, hostDependent: true }],
  [163, { name: 'check_mtu', args: 5, call: checkMtu, hostDependent: true }],
];

const AF_INET = 2;
const AF_INET6 = 10;
const TCP_ESTABLISHED = 1;
const TCP_CLOSE = 7;
const TCP_LISTEN = 10;

function parseAddress(s: string, family: 4 | 6): Uint8Array {
  if (family === 4) return Uint8Array.from(s.split('.').map(Number));
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const groups = (x: string | undefined): number[] => (x ? x.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** `struct bpf_sock` (80 bytes) for a socket found by sk_lookup. */
function bpfSock(s: VmSocket, le: boolean): Uint8Array {
  const b = new Uint8Array(80);
  const v = new DataView(b.buffer);
  const v4 = s.family === 4;
  v.setUint32(4, v4 ? AF_INET : AF_INET6, le);
  v.setUint32(8, s.protocol === 'tcp' ? 1 : 2, le);
  v.setUint32(12, s.protocol === 'tcp' ? 6 : 17, le);
  if (s.localAddress) b.set(parseAddress(s.localAddress, s.family), v4 ? 24 : 28);
  v.setUint32(44, s.localPort, le);
  if (s.remotePort !== undefined) {
    b[48] = s.remotePort >> 8;
    b[49] = s.remotePort & 0xff;
  }
  if (s.remoteAddress) b.set(parseAddress(s.remoteAddress, s.family), v4 ? 52 : 56);
  const connected = s.remoteAddress !== undefined;
  v.setUint32(72, connected ? TCP_ESTABLISHED : s.protocol === 'tcp' ? TCP_LISTEN : TCP_CLOSE, le);
  v.setInt32(76, -1, le);
  return b;
}

/** __bpf_sk_lookup: the tuple's source is the remote end, its destination the local one. */
function skLookup(m: Machine, protocol: 'tcp' | 'udp'): void {
  const len = argU32(m, 3);
  const family = len === 12 ? 4 : len === 36 ? 6 : undefined;
  // Flags must be 0; a netns id >= 0 names another namespace, which test_run's host lacks.
  if (family === undefined || argLo(m, 5) !== 0 || argHi(m, 5) !== 0 || argS32(m, 4) >= 0) return retNull(m);
  const t = readBytes(m.mem, argLo(m, 2), argHi(m, 2), len, 'sk_lookup tuple');
  const alen = family === 4 ? 4 : 16;
  const saddr = t.subarray(0, alen);
  const daddr = t.subarray(alen, 2 * alen);
  const sport = (t[2 * alen] << 8) | t[2 * alen + 1];
  const dport = (t[2 * alen + 2] << 8) | t[2 * alen + 3];
  const candidates = m.opts.sockets.filter(
    (s) =>
      s.protocol === protocol &&
      s.family === family &&
      s.localPort === dport &&
      (s.localAddress === undefined || sameBytes(parseAddress(s.localAddress, family), daddr)) &&
      (s.remoteAddress === undefined || (sameBytes(parseAddress(s.remoteAddress, family), saddr) && s.remotePort === sport)),
  );
  // A connected socket is more specific than a listener or an unconnected one.
  const hit = candidates.find((s) => s.remoteAddress !== undefined) ?? candidates[0];
  if (hit === undefined) return retNull(m);
  const r = addRegion(m.mem, 'plain', `socket ${protocol} :${hit.localPort}`, bpfSock(hit, m.mem.littleEndian), false, {
    handle: { socket: { protocol: protocol === 'tcp' ? 6 : 17, listener: hit.remoteAddress === undefined && protocol === 'tcp' } },
  });
  m.socketRefs.add(r.index);
  retPtr(m, r, 0);
}

function skRelease(m: Machine): void {
  const index = argHi(m, 1) - REGION_HI_BASE;
  if (argLo(m, 1) !== 0 || !m.socketRefs.delete(index)) fail('VM_BAD_CALL', `${m.section}+${m.slot}: sk_release of something sk_lookup did not return`);
  retInt(m, 0);
}

interface SocketInfo {
  readonly protocol: number;
  readonly listener: boolean;
}

/** The socket a register points at (test_run's skb->sk, or one sk_lookup returned). */
function socketArg(m: Machine, helper: string): { region: Region; info: SocketInfo } {
  const region = m.mem.regions[argHi(m, 1) - REGION_HI_BASE];
  const info = (region?.handle as { socket?: SocketInfo } | undefined)?.socket;
  if (region === undefined || argLo(m, 1) !== 0 || info === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper}: r1 is not a socket`);
  return { region, info };
}

/** Every socket modelled is a full socket. */
function skFullsock(m: Machine): void {
  retPtr(m, socketArg(m, 'sk_fullsock').region, 0);
}

function tcpSock(m: Machine): void {
  const { info } = socketArg(m, 'tcp_sock');
  if (info.protocol !== 6) return retNull(m);
  fail('VM_UNSUPPORTED', `${m.section}+${m.slot}: tcp_sock of a TCP socket (struct bpf_tcp_sock is not modelled)`);
}

function listenerSock(m: Machine): void {
  const { region, info } = socketArg(m, 'get_listener_sock');
  if (info.listener) retPtr(m, region, 0);
  else retNull(m);
}

function device(m: Machine, ifindex: number): VmDevice | undefined {
  return m.opts.devices.find((d) => d.ifindex === ifindex);
}

const FIB_PARAMS_SIZE = 64;
const FIB_FLAGS = 0x3f;
const BPF_FIB_LKUP_RET_NOT_FWDED = 4;
const BPF_FIB_LKUP_RET_FWD_DISABLED = 5;
const BPF_FIB_LKUP_RET_SUCCESS = 0;

function fibLookup(m: Machine): void {
  if (argS32(m, 3) < FIB_PARAMS_SIZE) return retInt(m, -E.INVAL);
  if (argU32(m, 4) & ~FIB_FLAGS) return retInt(m, -E.INVAL);
  const lo = argLo(m, 2);
  const hi = argHi(m, 2);
  const p = readBytes(m.mem, lo, hi, FIB_PARAMS_SIZE, 'fib_lookup params');
  const le = m.mem.littleEndian;
  const v = new DataView(p.buffer);
  const family = p[0];
  if (family !== AF_INET && family !== AF_INET6) return retInt(m, -E.AFNOSUPPORT);
  const ifindex = v.getUint32(8, le);
  const dev = device(m, ifindex);
  if (dev === undefined) return retInt(m, -E.NODEV);
  if (!dev.forwarding) return retInt(m, BPF_FIB_LKUP_RET_FWD_DISABLED);
  const v4 = family === AF_INET;
  const answer = m.opts.fibLookup?.({
    family: v4 ? 2 : 10,
    ifindex,
    flags: argU32(m, 4),
    l4Protocol: p[1],
    sport: (p[2] << 8) | p[3],
    dport: (p[4] << 8) | p[5],
    totLen: v.getUint16(6, le),
    tos: p[12],
    src: p.slice(16, v4 ? 20 : 32),
    dst: p.slice(32, v4 ? 36 : 48),
  }) ?? { ret: BPF_FIB_LKUP_RET_NOT_FWDED };
  if (answer.ret === BPF_FIB_LKUP_RET_SUCCESS) {
    if (answer.ifindex !== undefined) v.setUint32(8, answer.ifindex, le);
    if (answer.smac) p.set(answer.smac.slice(0, 6), 52);
    if (answer.dmac) p.set(answer.dmac.slice(0, 6), 58);
    if (answer.mtu !== undefined) v.setUint16(6, answer.mtu, le);
    writeBytes(m.mem, lo, hi, p, 'fib_lookup params');
  }
  retInt(m, answer.ret);
}

const BPF_MTU_CHK_SEGS = 1;
const BPF_MTU_CHK_RET_SUCCESS = 0;
const BPF_MTU_CHK_RET_FRAG_NEEDED = 1;

/** check_mtu: bad flags are refused at once; otherwise *mtu_len gets the device MTU (0 when there is no device). */
function checkMtu(m: Machine): void {
  const lo = argLo(m, 3);
  const hi = argHi(m, 3);
  const le = m.mem.littleEndian;
  const given = new DataView(readBytes(m.mem, lo, hi, 4, 'check_mtu mtu_len').buffer).getUint32(0, le);
  const lenDiff = argS32(m, 4);
  const skb = m.env.kind === 'skb';
  if (argHi(m, 5) !== 0 || (argLo(m, 5) & ~(skb ? BPF_MTU_CHK_SEGS : 0)) !== 0) return retInt(m, -E.INVAL);
  if (argLo(m, 5) & BPF_MTU_CHK_SEGS && (lenDiff !== 0 || given !== 0)) return retInt(m, -E.INVAL);
  let ret: number;
  let mtu = 0;
  const ifindex = argU32(m, 2);
  const dev = ifindex === 0 ? m.env.device : device(m, ifindex);
  if (dev === undefined) ret = -E.NODEV;
  else {
    mtu = dev.mtu;
    const env = m.env;
    const ownLen = env.kind === 'skb' ? env.packet.end : env.packet.end - env.data;
    const len = (given !== 0 ? given + dev.hardHeaderLen : ownLen) + lenDiff;
    ret = len <= mtu + dev.hardHeaderLen ? BPF_MTU_CHK_RET_SUCCESS : BPF_MTU_CHK_RET_FRAG_NEEDED;
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, mtu, le);
  writeBytes(m.mem, lo, hi, out, 'check_mtu mtu_len');
  retInt(m, ret);
}
