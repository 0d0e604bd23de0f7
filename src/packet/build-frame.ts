import { parseIpv4, parseMac } from './addresses.js';
import { buildIpv4, buildIpv6 } from './build-ip.js';
import { ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, type ArpSpec, type FrameSpec, type L3Spec } from './frame-spec.js';

/** Largest frame BPF_PROG_TEST_RUN takes on the reference kernel (reference §9.2). */
export const TEST_RUN_MAX_FRAME = 3712;

const DEFAULT_DST = '02:00:00:00:00:02';
const DEFAULT_SRC = '02:00:00:00:00:01';

/** The bytes of a frame, from the Ethernet destination address on. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  if (spec.kind === 'raw') return spec.bytes.slice();
  const vlans = spec.vlans ?? [];
  const body = buildL3(spec.body);
  const trailer = spec.trailer ?? new Uint8Array(0);
  const headerLen = 14 + 4 * vlans.length;
  const len = Math.max(headerLen + body.length + trailer.length, spec.minLength ?? 0);
  let out = new Uint8Array(len);
  const v = new DataView(out.buffer);
  out.set(parseMac(spec.dst ?? DEFAULT_DST), 0);
  out.set(parseMac(spec.src ?? DEFAULT_SRC), 6);
  let off = 12;
  for (const tag of vlans) {
    v.setUint16(off, tag.tpid ?? ETH_P_8021Q);
    v.setUint16(off + 2, (((tag.pcp ?? 0) & 7) << 13) | (tag.dei ? 0x1000 : 0) | (tag.vid & 0x0fff));
    off += 4;
  }
  v.setUint16(off, spec.etherType ?? etherTypeOf(spec.body));
  out.set(body, headerLen);
  out.set(trailer, headerLen + body.length);
  if (spec.truncateTo !== undefined && spec.truncateTo < out.length) out = out.slice(0, spec.truncateTo);
  return out;
}

export function etherTypeOf(body: L3Spec): number {
  switch (body.kind) {
    case 'arp':
      return ETH_P_ARP;
    case 'ipv4':
      return ETH_P_IP;
    case 'ipv6':
      return ETH_P_IPV6;
    case 'raw':
      return body.etherType;
    default: {
      const never: never = body;
      return never;
    }
  }
}

function buildL3(body: L3Spec): Uint8Array {
  switch (body.kind) {
    case 'arp':
      return buildArp(body);
    case 'ipv4':
      return buildIpv4(body);
    case 'ipv6':
      return buildIpv6(body);
    case 'raw':
      return body.bytes;
    default: {
      const never: never = body;
      return never;
    }
  }
}

function buildArp(a: ArpSpec): Uint8Array {
  const out = new Uint8Array(28);
  const v = new DataView(out.buffer);
  v.setUint16(0, a.htype ?? 1);
  v.setUint16(2, a.ptype ?? ETH_P_IP);
  out[4] = a.hlen ?? 6;
  out[5] = a.plen ?? 4;
  v.setUint16(6, a.op);
  out.set(parseMac(a.sha), 8);
  out.set(parseIpv4(a.spa), 14);
  out.set(parseMac(a.tha ?? '00:00:00:00:00:00'), 18);
  out.set(parseIpv4(a.tpa), 24);
  return out;
}
