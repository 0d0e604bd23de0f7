import { fail } from '../../errors.js';
import { addRegion, readValue, regionHi, type ContextAccess, type Memory } from '../memory/memory.js';
import type { Region } from '../memory/region.js';
import { LOOPBACK, type VmDevice } from '../options.js';
import type { RunScratch } from '../run/scratch.js';

/** `struct xdp_md` offsets (reference §5.2). */
export const XDP_MD = { data: 0, data_end: 4, data_meta: 8, ingress_ifindex: 12, rx_queue_index: 16, egress_ifindex: 20, size: 24 } as const;

/** test_run's XDP buffer: one page, XDP_PACKET_HEADROOM before the data, skb_shared_info after. */
export const XDP_FRAME = 4096;
export const XDP_HEADROOM = 256;
export const XDP_TAILROOM = 320;
/** sizeof(struct xdp_frame), which adjust_head must leave at the top of the headroom. */
export const XDP_FRAME_STRUCT = 40;

/**
 * An XDP test run: the packet region is the whole page, its valid window
 * [data_meta, data_end); `data` is the offset of the packet start (data_meta == data
 * unless adjust_meta made room). Without an xdp_md ctx test_run uses lo, rx queue 0.
 */
export interface XdpState {
  readonly kind: 'xdp';
  readonly packet: Region;
  readonly ctx: Region;
  readonly device: VmDevice;
  data: number;
}

export function setupXdp(mem: Memory, packet: Uint8Array, devices: readonly VmDevice[], scratch: RunScratch): XdpState {
  if (packet.length < 14) fail('VM_BAD_STATE', `test_run would refuse this run: a ${packet.length}-byte packet is shorter than ETH_HLEN (EINVAL)`);
  const max = XDP_FRAME - XDP_HEADROOM - XDP_TAILROOM;
  if (packet.length > max) fail('VM_UNSUPPORTED', `a ${packet.length}-byte XDP packet would be multi-buffer (frags) in test_run; only ${max} bytes fit linear`);
  const frame = scratch.xdpFrame.bytes;
  frame.fill(0);
  frame.set(packet, XDP_HEADROOM);
  const region = addRegion(mem, 'plain', 'packet', frame, true, { view: scratch.xdpFrame.view });
  region.start = XDP_HEADROOM;
  region.end = XDP_HEADROOM + packet.length;
  const ctx = addRegion(mem, 'ctx', 'xdp_md', scratch.xdpCtx.bytes, false, { view: scratch.xdpCtx.view });
  const device = devices.find((d) => d.ifindex === 1) ?? LOOPBACK;
  ctx.view.setUint32(XDP_MD.ingress_ifindex, device.ifindex, mem.littleEndian);
  return { kind: 'xdp', packet: region, ctx, device, data: XDP_HEADROOM };
}

/** xdp_is_valid_access: 4-byte reads only; egress_ifindex only for devmap programs; no writes. */
export function xdpContextAccess(xdp: XdpState): ContextAccess {
  return {
    load(mem, off, size, signExtend, slot) {
      if (size !== 4 || off % 4 !== 0 || off >= XDP_MD.egress_ifindex) badXdp(mem, slot, off, size, 'read');
      mem.vtaint = 0;
      if (off <= XDP_MD.data_meta) {
        mem.vhi = regionHi(xdp.packet);
        mem.vlo = off === XDP_MD.data ? xdp.data : off === XDP_MD.data_end ? xdp.packet.end : xdp.packet.start;
        return;
      }
      readValue(mem, xdp.ctx, off, 4, signExtend);
    },
    store(mem, off, size, _lo, _hi, _taint, slot) {
      badXdp(mem, slot, off, size, 'write');
    },
  };
}

function badXdp(mem: Memory, slot: number, off: number, size: number, what: string): never {
  fail('VM_BAD_CONTEXT', `${mem.section}+${slot}: invalid xdp_md ${what} of ${size} bytes at offset ${off} (the verifier rejects it)`);
}

/** The bytes test_run copies out: from data_meta to data_end. */
export function xdpPacketOut(xdp: XdpState): Uint8Array {
  return xdp.packet.bytes.slice(xdp.packet.start, xdp.packet.end);
}
