/**
 * Frames for testing compiled filter expressions: frames.ts's mix, plus protocols it
 * leaves out (SCTP, PIM, VRRP, AH, ESP, IGMP), plus near misses of the frames a filter
 * matches: cut short at every interesting length (a load past the end ends a program
 * with 0, so the order of loads shows), one byte changed, a VLAN tag added or removed,
 * a fragment offset set, IPv4 options added. Deterministic for a seed.
 */
import { generateFrames, makeRandom } from './frames.js';

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const EXTRA_PROTOS = [132, 103, 112, 51, 50, 2, 47];
const PORTS = [22, 53, 80, 443, 1024, 6000, 8080];

/** IPv4 or IPv6 frames carrying the protocols frames.ts does not make, with a port-like header. */
function extraProtocolFrame(rng: Rng): Uint8Array {
  const proto = pick(rng, EXTRA_PROTOS);
  const ports = [...u16(pick(rng, PORTS)), ...u16(pick(rng, PORTS))];
  const body = [...ports, ...Array.from({ length: int(rng, 4, 30) }, () => int(rng, 0, 255))];
  const macs = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x02, 0, 0, 0, 0, 0x02];
  if (rng() < 0.5) {
    const src = [10, 0, 0, int(rng, 1, 3)];
    const dst = [192, 168, 1, 10];
    const ip = [0x45, 0, ...u16(20 + body.length), 0, 0, 0, 0, 64, proto, 0, 0, ...src, ...dst];
    return Uint8Array.from([...macs, 0x08, 0x00, ...ip, ...body]);
  }
  const addr = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), int(rng, 1, 2)];
  const ip6 = [0x60, 0, 0, 0, ...u16(body.length), proto, 64, ...addr, ...addr];
  return Uint8Array.from([...macs, 0x86, 0xdd, ...ip6, ...body]);
}

function u16(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}

/** frames.ts's frames and the extra protocols: the shared frames every filter runs on. */
export function filterFrames(count: number, seed: number): Uint8Array[] {
  const rng = makeRandom(seed ^ 0x5eed);
  const extra = Array.from({ length: Math.floor(count / 10) }, () => extraProtocolFrame(rng));
  return [...generateFrames(count - extra.length, seed), ...extra];
}

/** Where the network layer starts, following up to two VLAN tags; undefined if not IPv4. */
function ip4At(f: Uint8Array): number | undefined {
  let at = 12;
  for (let i = 0; i < 3 && at + 2 <= f.length; i++) {
    const type = (f[at] << 8) | f[at + 1];
    if (type === 0x0800) return at + 2;
    if (type !== 0x8100 && type !== 0x88a8 && type !== 0x9100) return undefined;
    at += 4;
  }
  return undefined;
}

/** One near miss of `f`. */
function mutate(f: Uint8Array, rng: Rng): Uint8Array {
  const bytes = [...f];
  const r = rng();
  if (r < 0.35) {
    // Cut short, mostly inside the headers filters read.
    const len = rng() < 0.8 ? int(rng, 0, Math.min(bytes.length, 80)) : int(rng, 0, bytes.length);
    return Uint8Array.from(bytes.slice(0, len));
  }
  if (r < 0.65 && bytes.length > 0) {
    const at = int(rng, 0, Math.min(bytes.length, 72) - 1);
    const how = rng();
    bytes[at] = how < 0.4 ? (bytes[at] + (rng() < 0.5 ? 1 : 255)) & 0xff : how < 0.7 ? pick(rng, [0, 1, 2, 6, 17, 0x2c, 0x3a, 0x45, 0x80, 0xe0, 0xff]) : int(rng, 0, 255);
    return Uint8Array.from(bytes);
  }
  if (r < 0.75 && bytes.length >= 14) {
    const tagged = bytes[12] === 0x81 && bytes[13] === 0x00;
    if (tagged && rng() < 0.5) return Uint8Array.from([...bytes.slice(0, 12), ...bytes.slice(16)]);
    return Uint8Array.from([...bytes.slice(0, 12), 0x81, 0x00, ...u16(pick(rng, [10, 20, 100, 0, 4095])), ...bytes.slice(12)]);
  }
  const ip = ip4At(f);
  if (ip !== undefined && ip + 20 <= bytes.length) {
    if (rng() < 0.5) {
      // A later fragment, or a first one with MF set.
      const frag = rng() < 0.7 ? int(rng, 1, 0x1fff) : 0x2000;
      bytes[ip + 6] = frag >>> 8;
      bytes[ip + 7] = frag & 0xff;
      return Uint8Array.from(bytes);
    }
    // IPv4 options: the transport header moves on.
    const words = int(rng, 1, 10);
    bytes[ip] = 0x45 + words;
    return Uint8Array.from([...bytes.slice(0, ip + 20), ...new Array<number>(words * 4).fill(1), ...bytes.slice(ip + 20)]);
  }
  return Uint8Array.from(bytes.slice(0, int(rng, 0, bytes.length)));
}

/** `count` near misses made from the matching frames (from the shared ones if none match). */
export function nearMisses(matching: readonly Uint8Array[], fallback: readonly Uint8Array[], count: number, seed: number): Uint8Array[] {
  const rng = makeRandom(seed);
  const base = matching.length ? matching : fallback;
  return Array.from({ length: count }, () => {
    let f = pick(rng, base);
    // Sometimes two changes: a tag and a cut, options and a changed byte.
    const times = rng() < 0.3 ? 2 : 1;
    for (let i = 0; i < times; i++) f = mutate(f, rng);
    return f;
  });
}
