import { parseIpv4, parseIpv6 } from './addresses.js';
import { ipv4PseudoSum, ipv6PseudoSum, sumWords } from './checksum.js';
import { buildIcmp, buildIcmpv6, buildTcp, buildUdp, checksumValue, type PseudoSum } from './build-transport.js';
import type { Ipv4Option, Ipv4Payload, Ipv4Spec, Ipv6Extension, Ipv6Payload, Ipv6Spec } from './frame-spec.js';

/** An IPv4 datagram: header (with options) and payload. */
export function buildIpv4(spec: Ipv4Spec): Uint8Array {
  const src = parseIpv4(spec.src);
  const dst = parseIpv4(spec.dst);
  const options = encodeIpv4Options(spec.options ?? []);
  const pseudo: PseudoSum = (protocol, length) => ipv4PseudoSum(src, dst, protocol, length);
  const payload = buildIpPayload(spec.payload, pseudo, false);
  const headerLen = 20 + options.length;
  const out = new Uint8Array(headerLen + payload.length);
  const v = new DataView(out.buffer);
  out[0] = ((spec.version ?? 4) << 4) | ((spec.ihl ?? headerLen / 4) & 0x0f);
  out[1] = spec.tos ?? 0;
  v.setUint16(2, spec.totalLength ?? out.length);
  v.setUint16(4, spec.id ?? 0);
  const flags = (spec.reservedFlag ? 0x8000 : 0) | (spec.df ? 0x4000 : 0) | (spec.mf ? 0x2000 : 0);
  v.setUint16(6, flags | ((spec.fragOffset ?? 0) & 0x1fff));
  out[8] = spec.ttl ?? 64;
  out[9] = spec.protocol ?? protocolOf(spec.payload);
  out.set(src, 12);
  out.set(dst, 16);
  out.set(options, 20);
  out.set(payload, headerLen);
  v.setUint16(10, checksumValue(spec.checksum, () => sumWords(out, 0, headerLen)));
  return out;
}

/** An IPv6 packet: fixed header, extension headers, payload. */
export function buildIpv6(spec: Ipv6Spec): Uint8Array {
  const src = parseIpv6(spec.src);
  const dst = parseIpv6(spec.dst);
  const pseudo: PseudoSum = (nh, length) => ipv6PseudoSum(src, dst, nh, length);
  const payload = buildIpPayload(spec.payload, pseudo, true);
  const exts = spec.extensions ?? [];
  const chain = [...exts.map(extensionNumber), protocolOf(spec.payload)];
  const extBytes = exts.map((e, i) => buildExtension(e, chain[i + 1]));
  const extLen = extBytes.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(40 + extLen + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, ((6 << 28) | ((spec.trafficClass ?? 0) << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0);
  v.setUint16(4, spec.payloadLength ?? extLen + payload.length);
  out[6] = spec.nextHeader ?? chain[0];
  out[7] = spec.hopLimit ?? 64;
  out.set(src, 8);
  out.set(dst, 24);
  let off = 40;
  for (const b of extBytes) {
    out.set(b, off);
    off += b.length;
  }
  out.set(payload, off);
  return out;
}

function buildIpPayload(p: Ipv4Payload | Ipv6Payload, pseudo: PseudoSum, v6: boolean): Uint8Array {
  switch (p.kind) {
    case 'tcp':
      return buildTcp(p, pseudo);
    case 'udp':
      return buildUdp(p, pseudo);
    case 'icmp':
      return buildIcmp(p);
    case 'icmpv6':
      if (!v6) throw new Error('ICMPv6 inside IPv4');
      return buildIcmpv6(p, pseudo);
    case 'ipv4':
      return buildIpv4(p);
    case 'ipv6':
      return buildIpv6(p);
    case 'raw':
      return p.bytes;
    default: {
      const never: never = p;
      return never;
    }
  }
}

export function protocolOf(p: Ipv4Payload | Ipv6Payload): number {
  switch (p.kind) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'icmp':
      return 1;
    case 'icmpv6':
      return 58;
    case 'ipv4':
      return 4;
    case 'ipv6':
      return 41;
    case 'raw':
      return p.protocol;
    default: {
      const never: never = p;
      return never;
    }
  }
}

function extensionNumber(e: Ipv6Extension): number {
  switch (e.kind) {
    case 'hop':
      return 0;
    case 'routing':
      return 43;
    case 'fragment':
      return 44;
    case 'dest':
      return 60;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function buildExtension(e: Ipv6Extension, next: number): Uint8Array {
  if (e.kind === 'fragment') {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    out[0] = next;
    v.setUint16(2, (((e.offset ?? 0) & 0x1fff) << 3) | (e.more ? 1 : 0));
    v.setUint32(4, (e.id ?? 0) >>> 0);
    return out;
  }
  const len = e.hdrExtLen ?? 0;
  const out = new Uint8Array((len + 1) * 8);
  out[0] = next;
  out[1] = len;
  if (e.kind === 'routing') {
    // Type 0 header with segments left 0: a node passes it on without acting on it.
    out[2] = 0;
    out[3] = 0;
  } else {
    // PadN over the 6 bytes of option space the minimal header has, and the rest.
    out[2] = 1;
    out[3] = out.length - 4;
  }
  return out;
}

function encodeIpv4Options(options: readonly Ipv4Option[]): Uint8Array {
  const bytes: number[] = [];
  for (const o of options) {
    switch (o.kind) {
      case 'eol':
        bytes.push(0);
        break;
      case 'nop':
        bytes.push(1);
        break;
      case 'rr':
        bytes.push(7, 3 + 4 * o.slots, 4, ...new Array<number>(4 * o.slots).fill(0));
        break;
      case 'timestamp':
        bytes.push(68, 4 + 4 * o.slots, 5, 0, ...new Array<number>(4 * o.slots).fill(0));
        break;
      case 'ra':
        bytes.push(148, 4, 0, 0);
        break;
      case 'raw':
        if (o.type < 2) bytes.push(o.type, ...o.data);
        else bytes.push(o.type, o.data.length + 2, ...o.data);
        break;
      default: {
        const never: never = o;
        return never;
      }
    }
  }
  while (bytes.length % 4 !== 0) bytes.push(0);
  if (bytes.length > 40) throw new Error(`IPv4 options of ${bytes.length} bytes (at most 40 fit)`);
  return Uint8Array.from(bytes);
}
