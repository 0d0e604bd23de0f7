/**
 * Addresses and prefixes as the IR writes them ("10.0.0.0/8", "2001:db8::1", "!10.1.0.0/16"),
 * read into numbers so they can be compared, matched and merged. IPv4 and IPv6 share one
 * representation: a bigint of 32 or 128 bits (plain numbers cannot hold 128 bits, and one
 * code path for both families is worth the bigint cost here).
 */
import { formatIpv4, formatIpv6, isIpv4, parseIpv4, parseIpv6 } from '../packet/addresses.js';

export type IpFamily = 'ipv4' | 'ipv6';

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A prefix in canonical form: host bits of `net` are zero. */
export interface Prefix {
  readonly family: IpFamily;
  readonly net: bigint;
  readonly len: number;
}

/** A pf table entry: a prefix, possibly negated ("no match" where it is the longest). */
export interface TableEntry {
  readonly prefix: Prefix;
  readonly negated: boolean;
}

export function familyBits(family: IpFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

export function bytesToValue(b: Uint8Array): bigint {
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return v;
}

export function valueToBytes(family: IpFamily, value: bigint): Uint8Array {
  const n = familyBits(family) / 8;
  const out = new Uint8Array(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A bare address, or null when the text is not one (no prefix length, no zone). */
export function parseAddress(text: string): IpAddress | null {
  try {
    if (isIpv4(text)) return { family: 'ipv4', value: bytesToValue(parseIpv4(text)) };
    if (text.includes(':')) return { family: 'ipv6', value: bytesToValue(parseIpv6(text)) };
  } catch {
    // parseIpv6 throws on malformed text: that is exactly "not an address" here.
  }
  return null;
}

export function formatAddress(a: IpAddress): string {
  const b = valueToBytes(a.family, a.value);
  return a.family === 'ipv4' ? formatIpv4(b) : formatIpv6(b);
}

export function prefixMask(family: IpFamily, len: number): bigint {
  const bits = familyBits(family);
  return ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
}

/**
 * "addr" or "addr/len" (len in decimal, without leading sign). Host bits are cleared, as
 * pfctl does when it loads "10.0.0.1/8"; `hostBits` says whether there were any.
 */
export function parsePrefix(text: string): (Prefix & { readonly hostBits: boolean }) | null {
  const slash = text.indexOf('/');
  const addr = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return null;
  const bits = familyBits(addr.family);
  let len = bits;
  if (slash >= 0) {
    const lenText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return null;
    len = Number(lenText);
    if (len > bits) return null;
  }
  const net = addr.value & prefixMask(addr.family, len);
  return { family: addr.family, net, len, hostBits: net !== addr.value };
}

/** pfctl's printed form: a full-length prefix is the bare address. */
export function formatPrefix(p: Prefix): string {
  const addr = formatAddress({ family: p.family, value: p.net });
  return p.len === familyBits(p.family) ? addr : `${addr}/${p.len}`;
}

export function parseTableEntry(text: string): TableEntry | null {
  const negated = text.startsWith('!');
  const prefix = parsePrefix(negated ? text.slice(1) : text);
  return prefix ? { prefix: { family: prefix.family, net: prefix.net, len: prefix.len }, negated } : null;
}

export function formatTableEntry(e: TableEntry): string {
  return `${e.negated ? '!' : ''}${formatPrefix(e.prefix)}`;
}

export function prefixContains(p: Prefix, a: IpAddress): boolean {
  return p.family === a.family && (a.value & prefixMask(p.family, p.len)) === p.net;
}

/** Orders prefixes by family (IPv4 first), network, then length (shorter first). */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  if (a.net !== b.net) return a.net < b.net ? -1 : 1;
  return a.len - b.len;
}
