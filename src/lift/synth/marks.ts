import type { ProfileMark } from '../../profile/types.js';
import { knownBits, type Sym } from '../sym.js';

/**
 * What a write of skb->mark is in pf's terms. pf has one string tag per packet, no bits
 * (pf.md, "skb->mark vs tag"): a mark becomes a tag when the bits it fixes, whatever
 * the old mark was, hold a value the profile names (`marks:`), or when it is a constant
 * (a tag named after it). `(mark & 0xffff) | 0xce010000` fixes the high half to 0xce01.
 */
export type MarkMeaning =
  | { readonly kind: 'tag'; readonly tag: string; readonly proxy: ProfileMark['proxy']; readonly keepsOtherBits: boolean }
  | { readonly kind: 'unnamed'; readonly why: string };

const MARK_BITS = 0xffffffffn;

export function markMeaning(value: Sym, marks: readonly ProfileMark[]): MarkMeaning {
  const bits = knownBits(value);
  const fixed = Number((~bits.may | bits.one) & MARK_BITS) >>> 0;
  const set = Number(bits.one & MARK_BITS) >>> 0;
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const named = marks.find((m) => (m.mask & ~fixed) >>> 0 === 0 && (set & m.mask) >>> 0 === m.value);
  if (named) return { kind: 'tag', tag: named.name, proxy: named.proxy, keepsOtherBits: fixed !== 0xffffffff };
  if (fixed === 0xffffffff) return { kind: 'tag', tag: `mark_${set.toString(16)}`, proxy: null, keepsOtherBits: false };
  if (fixed === 0) return { kind: 'unnamed', why: 'writes ctx.mark with a computed value' };
  return { kind: 'unnamed', why: `sets the mark bits ${hex(fixed)} to ${hex((set & fixed) >>> 0)}, which no entry of the profile's marks: names (a pf tag per mark value)` };
}
