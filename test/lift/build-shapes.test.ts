import { describe, expect, it } from 'vitest';
import { EMPTY_STORE, load, pieces, store } from '../../src/lift/byte-store.js';
import { bin, konst, scalar, un, type Sym } from '../../src/lift/sym.js';

/**
 * Code shapes that differ between builds of one program (issue 5, test/lift/same-ir.test.ts)
 * and must lift to the same values.
 */
const pkt = (offset: number, size: number): Sym => scalar({ kind: 'pkt', offset: konst(BigInt(offset)), size });
const missing = (): Sym => scalar({ kind: 'unknown', id: 999, why: 'never written' });

describe('the byte store keeps the parts of an assembled value', () => {
  // -O1 copies a key struct eight bytes at a time: two 4-byte fields come back as one
  // 8-byte `a | b << 32`, stored whole into the key.
  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: a | b << 32 stored in 8 bytes reads back as a and b`, () => {
      const src = pkt(0x1a, 4);
      const dst = pkt(0x1e, 4);
      // As the program wrote it: two 4-byte stores, an 8-byte load, an 8-byte store elsewhere.
      let mem = store(store(EMPTY_STORE, -24, 4, src, le), -20, 4, dst, le);
      const wide = load(mem, -24, 8, le, missing);
      mem = store(mem, -48, 8, wide, le);
      expect(pieces(mem, -48, 8, le, missing).map((p) => [p.offset, p.size, p.value.key])).toEqual([
        [0, 4, src.key],
        [4, 4, dst.key],
      ]);
      expect(load(mem, -44, 4, le, missing).key).toBe(dst.key);
    });
  }

  it('leaves a value that is not an assembly of byte-aligned parts whole', () => {
    const x = pkt(0x1a, 4);
    const v = bin('or', x, bin('lsh', x, konst(3n)));
    const mem = store(EMPTY_STORE, 0, 8, v, true);
    expect(pieces(mem, 0, 8, true, missing).map((p) => p.value.key)).toEqual([v.key]);
  });
});

describe('shift pairs are extensions', () => {
  // -mcpu=v1 has no 32-bit ALU or jumps: it zero- and sign-extends with a pair of shifts.
  const x = scalar({ kind: 'helper', helper: 'ktime_get_ns', call: 1 });
  it('(x << 32) >> 32 is zext32(x), and s>> is sext32(x)', () => {
    expect(bin('rsh', bin('lsh', x, konst(32n)), konst(32n)).key).toBe(un('zext32', x).key);
    expect(bin('arsh', bin('lsh', x, konst(32n)), konst(32n)).key).toBe(un('sext32', x).key);
  });
  it('a 4-byte packet field extended so is the field itself', () => {
    const f = pkt(0x1e, 4);
    expect(bin('rsh', bin('lsh', f, konst(32n)), konst(32n)).key).toBe(f.key);
  });
  it('other widths keep the low bits', () => {
    expect(bin('rsh', bin('lsh', x, konst(40n)), konst(40n)).key).toBe(bin('and', x, konst(0xffffffn)).key);
  });
});
