import { finishChecksum, sumWords } from './checksum.js';
import type { ChecksumChoice, Icmpv6Spec, IcmpSpec, TcpOption, TcpSpec, UdpSpec } from './frame-spec.js';

/**
 * TCP, UDP, ICMP and ICMPv6 segments. The caller supplies the pseudo-header sum for the
 * segment's protocol and length (IPv4 or IPv6; ICMPv4 has none), so one builder serves
 * both IP versions.
 */
export type PseudoSum = (protocol: number, length: number) => number;

const EMPTY = new Uint8Array(0);

export function buildTcp(spec: TcpSpec, pseudo: PseudoSum): Uint8Array {
  const options = encodeTcpOptions(spec.options ?? []);
  const payload = spec.payload ?? EMPTY;
  const headerLen = 20 + options.length;
  const out = new Uint8Array(headerLen + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, spec.sport);
  v.setUint16(2, spec.dport);
  v.setUint32(4, (spec.seq ?? 0) >>> 0);
  v.setUint32(8, (spec.ack ?? 0) >>> 0);
  out[12] = ((spec.dataOffset ?? headerLen / 4) & 0x0f) << 4;
  out[13] = spec.flags & 0xff;
  v.setUint16(14, spec.window ?? 65535);
  v.setUint16(18, spec.urgent ?? 0);
  out.set(options, 20);
  out.set(payload, headerLen);
  v.setUint16(16, checksumValue(spec.checksum, () => pseudo(6, out.length) + sumWords(out, 0, out.length)));
  return out;
}

export function buildUdp(spec: UdpSpec, pseudo: PseudoSum): Uint8Array {
  const payload = spec.payload ?? EMPTY;
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, spec.sport);
  v.setUint16(2, spec.dport);
  v.setUint16(4, spec.length ?? out.length);
  out.set(payload, 8);
  const sum = (): number => pseudo(17, out.length) + sumWords(out, 0, out.length);
  // A computed zero is sent as all ones: zero means "no checksum" (RFC 768).
  v.setUint16(6, checksumValue(spec.checksum, sum, 0xffff));
  return out;
}

export function buildIcmp(spec: IcmpSpec): Uint8Array {
  const payload = spec.payload ?? EMPTY;
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = spec.type;
  out[1] = spec.code ?? 0;
  if (spec.rest !== undefined) v.setUint32(4, spec.rest >>> 0);
  else {
    v.setUint16(4, spec.id ?? 0);
    v.setUint16(6, spec.seq ?? 0);
  }
  out.set(payload, 8);
  v.setUint16(2, checksumValue(spec.checksum, () => sumWords(out, 0, out.length)));
  return out;
}

export function buildIcmpv6(spec: Icmpv6Spec, pseudo: PseudoSum): Uint8Array {
  const payload = spec.payload ?? EMPTY;
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = spec.type;
  out[1] = spec.code ?? 0;
  v.setUint32(4, (spec.rest ?? 0) >>> 0);
  out.set(payload, 8);
  v.setUint16(2, checksumValue(spec.checksum, () => pseudo(58, out.length) + sumWords(out, 0, out.length)));
  return out;
}

/**
 * The value for a checksum field. `sum` is the unfolded sum with the field zero; a
 * corrupted checksum differs from the right one in every byte, so it never verifies.
 */
export function checksumValue(choice: ChecksumChoice | undefined, sum: () => number, zeroAs = 0): number {
  const c = choice ?? 'valid';
  if (c === 'zero') return 0;
  if (typeof c === 'object') return c.value & 0xffff;
  const valid = finishChecksum(sum());
  const right = valid === 0 ? zeroAs : valid;
  return c === 'valid' ? right : right ^ 0x5a5a;
}

function encodeTcpOptions(options: readonly TcpOption[]): Uint8Array {
  const bytes: number[] = [];
  for (const o of options) {
    switch (o.kind) {
      case 'eol':
        bytes.push(0);
        break;
      case 'nop':
        bytes.push(1);
        break;
      case 'mss':
        bytes.push(2, 4, (o.value >> 8) & 255, o.value & 255);
        break;
      case 'wscale':
        bytes.push(3, 3, o.shift & 255);
        break;
      case 'sackPermitted':
        bytes.push(4, 2);
        break;
      case 'timestamp':
        bytes.push(8, 10, ...u32Bytes(o.value), ...u32Bytes(o.echo));
        break;
      case 'raw':
        bytes.push(o.type, o.data.length + 2, ...o.data);
        break;
      default: {
        const never: never = o;
        return never;
      }
    }
  }
  while (bytes.length % 4 !== 0) bytes.push(0);
  if (bytes.length > 40) throw new Error(`TCP options of ${bytes.length} bytes (at most 40 fit)`);
  return Uint8Array.from(bytes);
}

function u32Bytes(v: number): number[] {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}
