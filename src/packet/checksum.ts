/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
 * 16-bit big-endian words. Sums are kept unfolded in a plain number (safe far beyond any
 * frame size) and folded once at the end.
 */

/** Adds the bytes [start, end) as big-endian 16-bit words; an odd last byte is padded. */
export function sumWords(b: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

export function foldSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum field value for data whose unfolded sum (checksum field zero) is `sum`. */
export function finishChecksum(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** True when data with its checksum field in place sums to all ones. */
export function checksumVerifies(sum: number): boolean {
  return foldSum(sum) === 0xffff;
}

/** IPv4 pseudo header of TCP/UDP: addresses, protocol, upper-layer length. */
export function ipv4PseudoSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return sumWords(src, 0, 4) + sumWords(dst, 0, 4) + protocol + length;
}

/** IPv6 pseudo header (RFC 8200 §8.1). */
export function ipv6PseudoSum(src: Uint8Array, dst: Uint8Array, nextHeader: number, length: number): number {
  return sumWords(src, 0, 16) + sumWords(dst, 0, 16) + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
}
