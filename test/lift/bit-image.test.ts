import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/lift/eval-sym.js';
import { decideConst } from '../../src/lift/facts.js';
import { bin, konst, scalar, un, type BinOp, type Sym, type UnOp } from '../../src/lift/sym.js';
import type { CmpOp } from '../../src/lift/types.js';
import { fromPredicate, type ValueSet } from '../../src/lift/value-set.js';
import { bitTestSet, type LeafBytes } from '../../src/lift/view/bit-image.js';

/**
 * A field test that only moves, masks and swaps bits has its value set written down
 * (bitTestSet) instead of tried on every value. Checked against the lifter's bigint
 * arithmetic: the written set must be exactly the values that pass.
 */

type Leaf = Extract<Sym, { kind: 'scalar' }>;
const pkt = (offset: number, size: number): Leaf => scalar({ kind: 'pkt', offset: konst(BigInt(offset)), size }) as Leaf;
/** A 16-bit field v at offset 12, loaded whole or a byte at a time. */
const WHOLE = pkt(12, 2);
const HIGH = pkt(12, 1);
const LOW = pkt(13, 1);
const LEAVES = [WHOLE, HIGH, LOW] as const;

/** Where each leaf's bytes sit in v and in the loaded value. */
function placement(le: boolean): (key: string) => LeafBytes | undefined {
  const table = new Map<string, LeafBytes>([
    [WHOLE.key, { from: [8, 0], at: le ? [0, 8] : [8, 0] }],
    [HIGH.key, { from: [8], at: [0] }],
    [LOW.key, { from: [0], at: [0] }],
  ]);
  return (key) => table.get(key);
}

/** The value a leaf loads for field value v: the object's byte order for the whole field. */
function loaded(leaf: Leaf, v: number, le: boolean): bigint {
  const hi = v >> 8;
  const lo = v & 0xff;
  if (leaf.key === WHOLE.key) return BigInt(le ? (lo << 8) | hi : v);
  return BigInt(leaf.key === HIGH.key ? hi : lo);
}

/** The test decided by the lifter's own arithmetic, for one value of the field. */
function reference(a: Sym, op: CmpOp, b: Sym, le: boolean): (v: number) => boolean {
  let at = 0;
  const leaf = (l: Leaf) => () => loaded(l, at, le);
  const fa = compile(a, leaf)!;
  const fb = compile(b, leaf)!;
  return (v) => {
    at = v;
    return decideConst(op, fa([]), fb([]));
  };
}

function has(set: ValueSet, v: number): boolean {
  let lo = 0;
  let hi = set.ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = set.ranges[mid];
    if (v < a) hi = mid - 1;
    else if (v > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const UN: UnOp[] = ['bswap16', 'bswap32', 'bswap64', 'zext8', 'zext16', 'zext32', 'sext8', 'sext16', 'sext32', 'neg'];
const BITWISE: BinOp[] = ['and', 'or', 'xor', 'lsh', 'rsh'];
const OTHER: BinOp[] = ['add', 'sub', 'arsh'];
const CONSTS = [0n, 1n, 3n, 8n, 0xffn, 0xff00n, 0x1fffn, 0x86ddn, 0xffffn, 1n << 32n, 0xffff_ffff_ffff_ffffn];
const constant = fc.oneof(fc.constantFrom(...CONSTS), fc.integer({ min: 0, max: 70 }).map(BigInt), fc.integer({ min: 0, max: 0xffff }).map(BigInt)).map(konst);

const expr: fc.Arbitrary<Sym> = fc.letrec<{ e: Sym }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...LEAVES),
    constant,
    fc.tuple(fc.constantFrom(...UN), tie('e')).map(([op, a]) => un(op, a)),
    fc.tuple(fc.constantFrom(...BITWISE), tie('e'), fc.oneof(constant, tie('e'))).map(([op, a, b]) => bin(op, a, b)),
    fc.tuple(fc.constantFrom(...OTHER), tie('e'), constant).map(([op, a, b]) => bin(op, a, b)),
  ),
})).e;

const OPS: CmpOp[] = ['eq', 'ne', 'set', 'clear'];

describe('field tests written down bit by bit', () => {
  it('whenever a set is written, it holds exactly the values that pass the test', () => {
    let written = 0;
    fc.assert(
      fc.property(expr, fc.constantFrom(...OPS), fc.oneof(constant, expr), fc.boolean(), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 64, maxLength: 64 }), (a, op, b, le, sample) => {
        const set = bitTestSet(op, a, b, 16, placement(le));
        if (!set) return;
        written++;
        const holds = reference(a, op, b, le);
        // Range edges and their neighbours (of up to 64 ranges spread over the set), and a random sample.
        const probes = new Set(sample);
        const step = Math.max(1, Math.floor(set.ranges.length / 64));
        for (let i = 0; i < set.ranges.length; i += step) for (const v of [set.ranges[i][0] - 1, set.ranges[i][0], set.ranges[i][1], set.ranges[i][1] + 1]) if (v >= 0 && v <= 0xffff) probes.add(v);
        for (const v of probes) if (has(set, v) !== holds(v)) throw new Error(`${a.key} ${op} ${b.key} (${le ? 'le' : 'be'}): 0x${v.toString(16)}`);
      }),
      { numRuns: 3000 },
    );
    // The property is about written sets: most runs must write one.
    expect(written).toBeGreaterThan(1000);
  });

  it('the forms clang gives field tests are written down, and equal trying every value', () => {
    const forms: [Sym, CmpOp, Sym, boolean][] = [
      // IPv4 fragment offset, loaded little-endian then swapped.
      [bin('and', un('bswap16', WHOLE), konst(0x1fffn)), 'eq', konst(0n), true],
      // The EtherType assembled from two byte loads.
      [bin('or', bin('lsh', LOW, konst(8n)), HIGH), 'eq', konst(8n), true],
      // The more-fragments bit through a 64-bit swap.
      [bin('and', bin('rsh', un('bswap64', WHOLE), konst(61n)), konst(1n)), 'eq', konst(0n), true],
      // A port compared in wire order, and a masked test.
      [WHOLE, 'eq', konst(0x3500n), true],
      [bin('and', WHOLE, konst(0xff1fn)), 'eq', konst(0n), true],
      [WHOLE, 'set', konst(0x0180n), false],
      [WHOLE, 'eq', konst(0x1_0000n), false],
      // A bit set and flipped back: one xor one is zero.
      [bin('xor', bin('or', LOW, konst(0x80n)), konst(0x80n)), 'eq', konst(0n), false],
    ];
    for (const [a, op, b, le] of forms) {
      const set = bitTestSet(op, a, b, 16, placement(le));
      expect(set, `${a.key} ${op} ${b.key}`).toBeDefined();
      expect(set).toEqual(fromPredicate(16, reference(a, op, b, le)));
    }
  });

  it('orders and tests that mix bits are left to enumeration', () => {
    expect(bitTestSet('lt', WHOLE, konst(0x100n), 16, placement(false))).toBeUndefined();
    expect(bitTestSet('eq', bin('add', WHOLE, konst(1n)), konst(0n), 16, placement(false))).toBeUndefined();
    expect(bitTestSet('eq', bin('lsh', konst(1n), LOW), konst(0n), 16, placement(false))).toBeUndefined();
    // Two bits of v compared with each other is no mask on v.
    expect(bitTestSet('eq', HIGH, LOW, 16, placement(false))).toBeUndefined();
  });
});
