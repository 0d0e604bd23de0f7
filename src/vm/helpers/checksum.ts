/**
 * Internet checksum arithmetic as the kernel does it (include/net/checksum.h,
 * arch/x86/lib/csum-partial_64.c; reference §4.1). All values are host-order numbers:
 * 32-bit partial sums (__wsum) and 16-bit folded checksums (__sum16) read from memory
 * in the object's byte order, so the same code is right for both byte orders.
 */

const M32 = 0xffffffff;

/** csum_add: 32-bit add with end-around carry. */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return s > M32 ? (s - M32) >>> 0 : s;
}

export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: fold 32 bits to 16 with end-around carry, then complement. */
export function csumFold(x: number): number {
  let s = (x & 0xffff) + (x >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** from32to16 / csum_from32to16: the fold without the complement. */
export function csumFrom32To16(x: number): number {
  let s = (x & 0xffff) + (x >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

/** csum16_add: 16-bit add with end-around carry. */
export function csum16Add(a: number, b: number): number {
  const s = (a & 0xffff) + (b & 0xffff);
  return s > 0xffff ? (s - 0xffff) & 0xffff : s;
}

export function csum16Sub(a: number, b: number): number {
  return csum16Add(a, ~b & 0xffff);
}

/**
 * csum_partial over 32-bit words plus a seed. End-around-carry sums are 0 only when every
 * input is 0 and otherwise the one value in [1, 2^32 - 1] congruent to the plain sum
 * modulo 2^32 - 1, whatever width the implementation accumulates in, so this matches
 * x86's 64-bit loop exactly.
 */
export function csumPartialWords(words: readonly number[], seed: number): number {
  let total = seed >>> 0;
  for (const w of words) total += w >>> 0;
  if (total === 0) return 0;
  return ((total - 1) % M32) + 1;
}

/** csum_replace4 (l3 size 4): the checksum field after replacing the 32-bit word `from` by `to`. */
export function csumReplace4(sum: number, from: number, to: number): number {
  const tmp = csumSub(~sum >>> 0, from);
  return csumFold(csumAdd(tmp, to));
}

/** csum_replace2 (l3 size 2). */
export function csumReplace2(sum: number, from: number, to: number): number {
  return ~csum16Add(csum16Sub(~sum & 0xffff, from), to) & 0xffff;
}

/** csum_replace_by_diff (l3 size 0): apply a 32-bit checksum difference. */
export function csumReplaceByDiff(sum: number, diff: number): number {
  return csumFold(csumAdd(diff, ~sum >>> 0));
}

/**
 * inet_proto_csum_replace4 on a CHECKSUM_NONE skb (l4 size 4, and size 2, which the
 * kernel implements as size 4 with zero-extended values): fold(csum_partial({~from, to}, ~sum)).
 */
export function protoCsumReplace4(sum: number, from: number, to: number): number {
  return csumFold(csumPartialWords([~from >>> 0, to >>> 0], ~sum >>> 0));
}

/** inet_proto_csum_replace_by_diff on a CHECKSUM_NONE skb (l4 size 0). */
export function protoCsumReplaceByDiff(sum: number, diff: number): number {
  return csumFold(csumAdd(diff, ~sum >>> 0));
}

/**
 * bpf_csum_diff on 6.18: the ones'-complement sum of the seed, each `from` word
 * complemented and each `to` word, folded to 16 bits and not complemented.
 */
export function csumDiff(from: readonly number[], to: readonly number[], seed: number): number {
  const words = [...from.map((w) => ~w >>> 0), ...to];
  return csumFrom32To16(csumPartialWords(words, seed));
}
