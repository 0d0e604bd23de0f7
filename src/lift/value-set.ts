/**
 * Sets of unsigned integers as sorted, disjoint, non-adjacent closed intervals: the values
 * a packet field may take on a path (a protocol list, port ranges, a CIDR block as an
 * address range). Fields are at most 32 bits, so bounds fit a double exactly.
 */
export interface ValueSet {
  /** Width of the field in bits: the universe is [0, 2^bits - 1]. */
  readonly bits: number;
  readonly ranges: readonly (readonly [number, number])[];
}

export function universeMax(bits: number): number {
  return 2 ** bits - 1;
}

export function fullSet(bits: number): ValueSet {
  return { bits, ranges: [[0, universeMax(bits)]] };
}

export function emptySet(bits: number): ValueSet {
  return { bits, ranges: [] };
}

/** Normalises any list of intervals (unsorted, overlapping) into a set. */
export function fromRanges(bits: number, ranges: readonly (readonly [number, number])[]): ValueSet {
  const sorted = ranges.filter(([a, b]) => a <= b).map(([a, b]) => [a, b] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return { bits, ranges: out };
}

export function fromValues(bits: number, values: Iterable<number>): ValueSet {
  return fromRanges(bits, [...values].map((v) => [v, v] as const));
}

/** The set of values `test` accepts, by trying every value (fields of at most 16 bits). */
export function fromPredicate(bits: number, test: (v: number) => boolean): ValueSet {
  const out: [number, number][] = [];
  let start = -1;
  const max = universeMax(bits);
  for (let v = 0; v <= max; v++) {
    if (test(v)) {
      if (start < 0) start = v;
    } else if (start >= 0) {
      out.push([start, v - 1]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, max]);
  return { bits, ranges: out };
}

export function intersect(a: ValueSet, b: ValueSet): ValueSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.ranges.length && j < b.ranges.length) {
    const [a0, a1] = a.ranges[i];
    const [b0, b1] = b.ranges[j];
    const lo = Math.max(a0, b0);
    const hi = Math.min(a1, b1);
    if (lo <= hi) out.push([lo, hi]);
    if (a1 < b1) i++;
    else j++;
  }
  return { bits: a.bits, ranges: out };
}

export function complement(a: ValueSet): ValueSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of a.ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= universeMax(a.bits)) out.push([next, universeMax(a.bits)]);
  return { bits: a.bits, ranges: out };
}

export function union(a: ValueSet, b: ValueSet): ValueSet {
  return fromRanges(a.bits, [...a.ranges, ...b.ranges]);
}

export function isEmpty(a: ValueSet): boolean {
  return a.ranges.length === 0;
}

export function isFull(a: ValueSet): boolean {
  return a.ranges.length === 1 && a.ranges[0][0] === 0 && a.ranges[0][1] === universeMax(a.bits);
}

export function contains(a: ValueSet, v: number): boolean {
  return a.ranges.some(([lo, hi]) => v >= lo && v <= hi);
}

export function isSubset(a: ValueSet, b: ValueSet): boolean {
  // b's ranges are disjoint and not adjacent: each range of a lies inside one of them.
  let j = 0;
  for (const [lo, hi] of a.ranges) {
    while (j < b.ranges.length && b.ranges[j][1] < lo) j++;
    if (j === b.ranges.length || b.ranges[j][0] > lo || b.ranges[j][1] < hi) return false;
  }
  return true;
}

export function sameSet(a: ValueSet, b: ValueSet): boolean {
  return a.bits === b.bits && a.ranges.length === b.ranges.length && a.ranges.every(([lo, hi], i) => lo === b.ranges[i][0] && hi === b.ranges[i][1]);
}

/** How many values the set holds. */
export function size(a: ValueSet): number {
  return a.ranges.reduce((n, [lo, hi]) => n + (hi - lo + 1), 0);
}

export function setKey(a: ValueSet): string {
  return a.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',');
}

/** The set as the fewest prefix blocks (value, prefix length): CIDRs for addresses. */
export function toPrefixes(a: ValueSet): { value: number; length: number }[] {
  const out: { value: number; length: number }[] = [];
  for (const [lo0, hi] of a.ranges) {
    let lo = lo0;
    while (lo <= hi) {
      let len = a.bits;
      // Grow the block while it stays aligned and inside the range.
      while (len > 0) {
        const size = 2 ** (a.bits - len + 1);
        if (lo % size !== 0 || lo + size - 1 > hi) break;
        len--;
      }
      out.push({ value: lo, length: len });
      lo += 2 ** (a.bits - len);
    }
  }
  return out;
}
