import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complement, contains, fromRanges, intersect, isSubset, union, type ValueSet } from '../../src/lift/value-set.js';

/** Sets of 8-bit values, small enough to check against every member. */
const BITS = 8;
const set: fc.Arbitrary<ValueSet> = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 40 })), { maxLength: 6 })
  .map((rs) => fromRanges(BITS, rs.map(([lo, n]) => [lo, Math.min(255, lo + n)] as const)));
const members = (s: ValueSet): number[] => Array.from({ length: 256 }, (_, v) => v).filter((v) => contains(s, v));

describe('value sets', () => {
  it('a subset is a set whose every member the other holds', () => {
    fc.assert(
      fc.property(set, set, (a, b) => {
        expect(isSubset(a, b)).toBe(members(a).every((v) => contains(b, v)));
        // Every set is within its union with another, and holds its intersection with one.
        expect(isSubset(a, union(a, b))).toBe(true);
        expect(isSubset(intersect(a, b), a)).toBe(true);
        expect(isSubset(a, complement(a))).toBe(members(a).length === 0);
      }),
      { numRuns: 2000 },
    );
  });
});
