/**
 * Text forms of link and network addresses, to and from the bytes that sit in a frame.
 * Frames are specified with strings ("10.0.0.1", "2001:db8::1", "02:00:00:00:00:01")
 * because that is how people and tcpdump write them; the bytes are always network order.
 */

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIpv4(text: string): boolean {
  const m = IPV4_RE.exec(text);
  return m !== null && m.slice(1).every((p) => Number(p) <= 255);
}

/** "10.0.0.1" -> its 4 bytes. */
export function parseIpv4(text: string): Uint8Array {
  const m = IPV4_RE.exec(text);
  if (!m) throw new Error(`not an IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const v = Number(m[i + 1]);
    if (v > 255) throw new Error(`not an IPv4 address: ${text}`);
    out[i] = v;
  }
  return out;
}

/** "10.0.0.1" -> 0x0a000001 (the address as a number, most significant byte first). */
export function ipv4ToNumber(text: string): number {
  const b = parseIpv4(text);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function formatIpv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** Full and "::"-compressed forms, with an optional dotted IPv4 tail. */
export function parseIpv6(text: string): Uint8Array {
  const bad = (): never => {
    throw new Error(`not an IPv6 address: ${text}`);
  };
  let groups: number[] = [];
  let tail = text;
  let v4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.slice(lastColon + 1).includes('.')) {
    v4 = parseIpv4(text.slice(lastColon + 1));
    const head = text.slice(0, lastColon + 1);
    // "::ffff:1.2.3.4" keeps its "::"; "64:ff9b:0:0:0:0:1.2.3.4" drops the separator.
    tail = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const want = v4 ? 6 : 8;
  const halves = tail.split('::');
  if (halves.length > 2) bad();
  const parse = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : bad()));
  if (halves.length === 2) {
    const head = parse(halves[0]);
    const rest = parse(halves[1]);
    if (head.length + rest.length >= want) bad();
    groups = [...head, ...new Array<number>(want - head.length - rest.length).fill(0), ...rest];
  } else {
    groups = parse(halves[0]);
  }
  if (groups.length !== want) bad();
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 255;
  });
  if (v4) out.set(v4, 12);
  return out;
}

/** RFC 5952 form: lower case, the longest run of two or more zero groups as "::". */
export function formatIpv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${formatIpv4(b, off + 12)}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

const MAC_RE = /^([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})$/;

export function parseMac(text: string): Uint8Array {
  const m = MAC_RE.exec(text);
  if (!m) throw new Error(`not a MAC address: ${text}`);
  return Uint8Array.from(m.slice(1).map((h) => parseInt(h, 16)));
}

export function formatMac(b: Uint8Array, off = 0): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(b[off + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** "10.0.0.0/8", "2001:db8::/32", or a bare address (a full-length prefix). */
export function parseCidr(text: string): { address: Uint8Array; prefixLength: number } {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const address = addr.includes(':') ? parseIpv6(addr) : parseIpv4(addr);
  const max = address.length * 8;
  const prefixLength = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) {
    throw new Error(`not a prefix: ${text}`);
  }
  return { address, prefixLength };
}
