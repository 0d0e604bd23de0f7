/**
 * A deterministic generator of Ethernet frames for running filters on: ARP and RARP,
 * single and double VLAN tags, IPv4 (options, fragments, TCP/UDP/ICMP/GRE), IPv6
 * (extension headers, TCP/UDP/ICMPv6), LLDP, truncated frames and random bytes. Field
 * values come from small pools that the test expressions mention, so filters match
 * often enough to be tested both ways. Checksums are not filled in: no filter reads them.
 */

/** mulberry32: small, seedable, good enough to spread test frames. */
export function makeRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const bytes = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => int(rng, 0, 255));
const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];

const MACS = ['00:11:22:33:44:55', 'ff:ff:ff:ff:ff:ff', '01:00:5e:00:00:01', '33:33:00:00:00:01', '02:00:00:00:00:02'];
const IP4 = ['10.0.0.1', '10.0.0.2', '10.1.2.3', '192.168.1.10', '192.168.1.255', '172.16.5.5', '172.31.255.1', '1.2.3.4', '224.0.0.1', '255.255.255.255', '8.8.8.8'];
const IP6 = ['2001:db8::1', '2001:db8:1::5', 'fe80::1', 'ff02::1', '::1', '2001:4860::8888'];
const PORTS = [22, 22, 53, 80, 443, 1024, 1027, 1030, 1031, 4789, 6000, 6005, 6010, 6011, 8080, 123, 1023];
const TCP_FLAGS = [0x02, 0x02, 0x12, 0x10, 0x04, 0x14, 0x11, 0x18, 0x01, 0x03, 0x00];
const ICMP_TYPES = [0, 3, 8, 11, 5];
const VLANS = [10, 100, 0, 4095];

function mac(rng: Rng): number[] {
  return rng() < 0.8 ? pick(rng, MACS).split(':').map((h) => parseInt(h, 16)) : bytes(rng, 6);
}

function ip4(rng: Rng): number[] {
  return rng() < 0.8 ? pick(rng, IP4).split('.').map(Number) : bytes(rng, 4);
}

function ip6(rng: Rng): number[] {
  if (rng() >= 0.8) return bytes(rng, 16);
  const text = pick(rng, IP6);
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap(u16);
}

function port(rng: Rng): number {
  return rng() < 0.75 ? pick(rng, PORTS) : int(rng, 0, 65535);
}

function payload(rng: Rng): number[] {
  const r = rng();
  if (r < 0.1) return [0x47, 0x45, 0x54, 0x20, ...bytes(rng, int(rng, 0, 20))]; // "GET "
  if (r < 0.2) return [0xde, 0xad, 0xbe, 0xef, ...bytes(rng, int(rng, 0, 8))];
  if (r < 0.27) return bytes(rng, int(rng, 900, 1460));
  return bytes(rng, int(rng, 0, 40));
}

function tcp(rng: Rng): number[] {
  const optWords = rng() < 0.3 ? int(rng, 1, 10) : 0;
  const flags = rng() < 0.8 ? pick(rng, TCP_FLAGS) : int(rng, 0, 255);
  return [...u16(port(rng)), ...u16(port(rng)), ...bytes(rng, 8), ((5 + optWords) << 4) | int(rng, 0, 1), flags,
    ...bytes(rng, 6), ...bytes(rng, optWords * 4), ...payload(rng)];
}

function udp(rng: Rng): number[] {
  const body = payload(rng);
  return [...u16(port(rng)), ...u16(port(rng)), ...u16(8 + body.length), 0, 0, ...body];
}

function icmp(rng: Rng): number[] {
  return [rng() < 0.8 ? pick(rng, ICMP_TYPES) : int(rng, 0, 255), int(rng, 0, 3), 0, 0, ...bytes(rng, 4), ...payload(rng)];
}

function ipv4(rng: Rng): number[] {
  const r = rng();
  const proto = r < 0.35 ? 6 : r < 0.65 ? 17 : r < 0.85 ? 1 : pick(rng, [47, 50, 2, int(rng, 0, 255)]);
  const body = proto === 6 ? tcp(rng) : proto === 17 ? udp(rng) : proto === 1 ? icmp(rng) : payload(rng);
  const optWords = rng() < 0.2 ? int(rng, 1, 10) : 0;
  const fragRoll = rng();
  // flags+offset: DF, MF on a first fragment, or a later fragment
  const frag = fragRoll < 0.1 ? 0x2000 : fragRoll < 0.18 ? int(rng, 1, 0x1fff) | (rng() < 0.5 ? 0x2000 : 0) : rng() < 0.5 ? 0x4000 : 0;
  const total = 20 + optWords * 4 + body.length;
  return [0x45 + optWords, rng() < 0.2 ? 0xb8 : int(rng, 0, 255), ...u16(rng() < 0.9 ? total : int(rng, 0, 65535)),
    ...bytes(rng, 2), ...u16(frag), rng() < 0.3 ? int(rng, 0, 8) : int(rng, 9, 255), proto, 0, 0,
    ...ip4(rng), ...ip4(rng), ...bytes(rng, optWords * 4), ...body];
}

function ipv6(rng: Rng): number[] {
  const r = rng();
  let nh = r < 0.35 ? 6 : r < 0.65 ? 17 : r < 0.85 ? 58 : pick(rng, [0, 44, 43, int(rng, 0, 255)]);
  let body = nh === 6 ? tcp(rng) : nh === 17 ? udp(rng) : nh === 58 ? [pick(rng, [128, 129, 135, 1]), 0, 0, 0, ...payload(rng)] : payload(rng);
  if (nh === 0 || nh === 44) {
    // an extension header in front of a transport header
    const inner = rng() < 0.5 ? 6 : 17;
    body = [inner, 0, ...bytes(rng, 6), ...(inner === 6 ? tcp(rng) : udp(rng))];
  }
  if (rng() < 0.05) nh = int(rng, 0, 255);
  return [0x60, 0, 0, 0, ...u16(body.length), nh, int(rng, 0, 255), ...ip6(rng), ...ip6(rng), ...body];
}

function arp(rng: Rng): number[] {
  return [0, 1, 8, 0, 6, 4, ...u16(rng() < 0.9 ? int(rng, 1, 2) : int(rng, 3, 9)), ...mac(rng), ...ip4(rng), ...mac(rng), ...ip4(rng)];
}

function l3(rng: Rng): { type: number; body: number[] } {
  const r = rng();
  if (r < 0.4) return { type: 0x0800, body: ipv4(rng) };
  if (r < 0.65) return { type: 0x86dd, body: ipv6(rng) };
  if (r < 0.8) return { type: 0x0806, body: arp(rng) };
  if (r < 0.84) return { type: 0x8035, body: arp(rng) };
  if (r < 0.88) return { type: 0x88cc, body: bytes(rng, int(rng, 10, 60)) };
  return { type: int(rng, 0, 65535), body: bytes(rng, int(rng, 0, 60)) };
}

function ethernet(rng: Rng): number[] {
  const { type, body } = l3(rng);
  const tags: number[] = [];
  const tagRoll = rng();
  const tagCount = tagRoll < 0.2 ? 1 : tagRoll < 0.26 ? 2 : 0;
  for (let i = 0; i < tagCount; i++) {
    const tpid = i === 0 && tagCount === 2 ? pick(rng, [0x88a8, 0x9100, 0x8100]) : 0x8100;
    const vid = rng() < 0.7 ? pick(rng, VLANS) : int(rng, 0, 4095);
    tags.push(...u16(tpid), ...u16((int(rng, 0, 7) << 13) | vid));
  }
  return [...mac(rng), ...mac(rng), ...tags, ...u16(type), ...body];
}

/** `count` frames from `seed`: about 80% well-formed, the rest cut short or random. */
export function generateFrames(count: number, seed: number): Uint8Array[] {
  const rng = makeRandom(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng();
    let f: number[];
    if (r < 0.8) f = ethernet(rng);
    else if (r < 0.93) {
      const whole = ethernet(rng);
      f = whole.slice(0, int(rng, 0, whole.length));
    } else f = bytes(rng, int(rng, 0, 120));
    out.push(Uint8Array.from(f));
  }
  return out;
}
