import { describe, expect, it } from 'vitest';
import type { ProfileMark } from '../../src/profile/types.js';
import { markMeaning } from '../../src/lift/synth/marks.js';
import { bin, konst, scalar, un } from '../../src/lift/sym.js';

const MARK = scalar({ kind: 'ctx', field: 'mark', size: 4 });
const L7: ProfileMark[] = [
  { name: 'l7_http', value: 0xce010000, mask: 0xffff0000, proxy: { address: '127.0.0.1', port: 15001 } },
  { name: 'other', value: 0x1, mask: 0xff, proxy: null },
];

describe('markMeaning', () => {
  it('names the bits a write fixes whatever the old mark, by the profile', () => {
    const v = un('zext32', bin('or', bin('and', MARK, konst(0xffffn)), konst(0xce010000n)));
    expect(markMeaning(v, L7)).toEqual({ kind: 'tag', tag: 'l7_http', proxy: { address: '127.0.0.1', port: 15001 }, keepsOtherBits: true });
  });

  it('refuses bits the profile does not name, saying which', () => {
    const v = bin('or', bin('and', MARK, konst(0xffffn)), konst(0xce030000n));
    expect(markMeaning(v, L7)).toEqual({ kind: 'unnamed', why: expect.stringContaining('sets the mark bits 0xffff0000 to 0xce030000') });
    // The named bits must all be fixed: a write that keeps some of them is not the mark.
    const partial = bin('or', bin('and', MARK, konst(0xffffffn)), konst(0xce000000n));
    expect(markMeaning(partial, L7).kind).toBe('unnamed');
  });

  it('names a constant by the profile, or after its value', () => {
    expect(markMeaning(konst(0x101n), L7)).toEqual({ kind: 'tag', tag: 'other', proxy: null, keepsOtherBits: false });
    expect(markMeaning(konst(0x2an), L7)).toEqual({ kind: 'tag', tag: 'mark_2a', proxy: null, keepsOtherBits: false });
  });

  it('has nothing to say of a mark computed from the packet', () => {
    expect(markMeaning(bin('add', MARK, konst(1n)), L7)).toEqual({ kind: 'unnamed', why: 'writes ctx.mark with a computed value' });
  });
});
