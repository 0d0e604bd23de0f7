/**
 * IP addresses and prefixes as they may appear in pf.conf: checked with Node's own
 * parser, never passed through unchecked. A prefix keeps the text it was given (already
 * CIDR-normalised by the IR); only its form and family are checked here.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { fail } from '../../errors.js';

export type AddressFamily = 'inet' | 'inet6';

export interface Prefix {
  readonly text: string;
  readonly af: AddressFamily;
  readonly address: string;
  readonly bits: number;
}

/** A parsed prefix, or null when `text` is not `address` or `address/bits` of one family. */
export function parsePrefix(text: string): Prefix | null {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const af: AddressFamily | null = isIPv4(address) ? 'inet' : isIPv6(address) && !address.includes('%') ? 'inet6' : null;
  if (af === null) return null;
  const max = af === 'inet' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(b) || Number(b) > max) return null;
    bits = Number(b);
  }
  return { text: text.toLowerCase(), af, address: address.toLowerCase(), bits };
}

export function checkPrefix(text: string, what: string): Prefix {
  const p = parsePrefix(text);
  if (p === null) fail('EMIT_BAD_IR', `${what}: ${JSON.stringify(text)} is not an IPv4 or IPv6 address or prefix`);
  return p;
}

/** A single address (no prefix length): route-to next hops. */
export function checkAddress(text: string, what: string): Prefix {
  const p = checkPrefix(text, what);
  if (text.includes('/')) fail('EMIT_BAD_IR', `${what}: ${JSON.stringify(text)} must be one address, not a prefix`);
  return p;
}

/** True when some address lies in both prefixes (same family required). */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.af !== b.af) return false;
  const type = a.af === 'inet' ? 'ipv4' : 'ipv6';
  const [wide, narrow] = a.bits <= b.bits ? [a, b] : [b, a];
  const list = new BlockList();
  list.addSubnet(wide.address, wide.bits, type);
  return list.check(narrow.address, type);
}
