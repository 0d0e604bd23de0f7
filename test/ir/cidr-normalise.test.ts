/**
 * Table normalisation against a brute-force oracle: over a small block every address is
 * checked, so "membership unchanged" is proved for the generated cases, not sampled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress, parsePrefix, type IpAddress, type IpFamily } from '../../src/ir/cidr.js';
import { normaliseTableContents } from '../../src/ir/cidr-normalise.js';
import { buildLpmTable, lpmMatch } from '../../src/ir/lpm.js';
import { isBpf2pfError } from '../../src/errors.js';

/** A 1024-address block per family: dense enough for overlaps, small enough to enumerate. */
const REGION: Record<IpFamily, { base: bigint; bits: number; hostBits: number }> = {
  ipv4: { base: parseAddress('10.20.32.0')!.value, bits: 32, hostBits: 10 },
  ipv6: { base: parseAddress('2001:db8::4:0')!.value, bits: 128, hostBits: 10 },
};

const addr = (family: IpFamily, offset: number): IpAddress => ({ family, value: REGION[family].base + BigInt(offset) });

/** Random prefixes inside the region (sometimes enclosing it), text with host bits possibly set. */
const entryArb = (family: IpFamily, negations: boolean): fc.Arbitrary<string> => {
  const { bits, hostBits } = REGION[family];
  return fc
    .record({
      offset: fc.integer({ min: 0, max: (1 << hostBits) - 1 }),
      len: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: bits - hostBits, max: bits }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: bits - hostBits }) }),
      negated: negations ? fc.boolean() : fc.constant(false),
    })
    .map(({ offset, len, negated }) => `${negated ? '!' : ''}${formatAddress(addr(family, offset))}/${len}`);
};

/** The oracle: the longest prefix listed that contains the address decides. */
function oracle(entries: readonly string[]): (a: IpAddress) => boolean {
  const parsed = entries.map((text) => ({ neg: text.startsWith('!'), p: parsePrefix(text.replace('!', ''))! }));
  return (a) => {
    let best = -1;
    let member = false;
    for (const { neg, p } of parsed) {
      if (p.family !== a.family) continue;
      const shift = BigInt(REGION[a.family].bits - p.len);
      if (a.value >> shift !== p.net >> shift) continue;
      if (p.len > best) {
        best = p.len;
        member = !neg;
      }
    }
    return member;
  };
}

/** Entries with the same prefix both plain and negated have no membership: drop the later ones. */
function consistent(entries: readonly string[]): string[] {
  const seen = new Map<string, boolean>();
  const out: string[] = [];
  for (const text of entries) {
    const neg = text.startsWith('!');
    const p = parsePrefix(neg ? text.slice(1) : text)!;
    const key = `${p.family}/${p.net}/${p.len}`;
    if (seen.has(key) && seen.get(key) !== neg) continue;
    seen.set(key, neg);
    out.push(text);
  }
  return out;
}

/** Independent minimal cover: merge into intervals, split each into maximal aligned blocks. */
function minimalCover(family: IpFamily, members: readonly number[]): number {
  let count = 0;
  const sorted = [...members].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    let start = sorted[i];
    const end = sorted[j] + 1;
    while (start < end) {
      let size = 1;
      while (start % (size * 2) === 0 && start + size * 2 <= end && size * 2 <= 1 << REGION[family].hostBits) size *= 2;
      count++;
      start += size;
    }
    i = j + 1;
  }
  return count;
}

const regionOnly = (family: IpFamily) => (text: string): boolean => parsePrefix(text.replace('!', ''))!.len >= REGION[family].bits - REGION[family].hostBits;

describe('normaliseTableContents', () => {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const size = 1 << REGION[family].hostBits;

    it(`keeps ${family} membership of every address, with negated entries`, () => {
      fc.assert(
        fc.property(fc.array(entryArb(family, true), { maxLength: 24 }).map(consistent), (entries) => {
          const out = normaliseTableContents(entries);
          const table = buildLpmTable(out);
          const member = oracle(entries);
          for (let o = -2; o < size + 2; o++) {
            const a = addr(family, o);
            if (lpmMatch(table, a) !== member(a)) return false;
          }
          return out.length <= new Set(entries).size;
        }),
        { numRuns: 300 },
      );
    });

    it(`is minimal for ${family} tables without negated entries`, () => {
      fc.assert(
        fc.property(fc.array(entryArb(family, false).filter(regionOnly(family)), { maxLength: 40 }), (entries) => {
          const out = normaliseTableContents(entries);
          const member = oracle(entries);
          const members: number[] = [];
          for (let o = 0; o < size; o++) if (member(addr(family, o))) members.push(o);
          return out.length === minimalCover(family, members) && out.every((e) => !e.startsWith('!'));
        }),
        { numRuns: 300 },
      );
    });

    it(`is idempotent on ${family}`, () => {
      fc.assert(
        fc.property(fc.array(entryArb(family, true), { maxLength: 24 }).map(consistent), (entries) => {
          const once = normaliseTableContents(entries);
          expect(normaliseTableContents(once)).toEqual(once);
          expect(normaliseTableContents([...once].reverse())).toEqual(once);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('writes canonical text: network addresses, bare hosts, RFC 5952, IPv4 first', () => {
    expect(normaliseTableContents(['2001:DB8:0:0::1/32', '10.0.0.1/24', '192.0.2.7/32', '10.0.0.0/24'])).toEqual([
      '10.0.0.0/24',
      '192.0.2.7',
      '2001:db8::/32',
    ]);
  });

  it('merges adjacent and overlapping prefixes', () => {
    expect(normaliseTableContents(['10.0.0.0/25', '10.0.0.128/25', '10.0.1.0/24', '10.0.0.7'])).toEqual(['10.0.0.0/23']);
    expect(normaliseTableContents(['0.0.0.0/1', '128.0.0.0/1'])).toEqual(['0.0.0.0/0']);
  });

  it('does not merge across a negated entry, and drops entries that change nothing', () => {
    expect(normaliseTableContents(['10.0.0.0/25', '10.0.0.128/25', '!10.0.0.5'])).toEqual(['10.0.0.0/25', '!10.0.0.5', '10.0.0.128/25']);
    expect(normaliseTableContents(['10.0.0.0/8', '!10.1.0.0/16', '!10.1.2.0/24', '10.1.2.3'])).toEqual(['10.0.0.0/8', '!10.1.0.0/16', '10.1.2.3']);
    expect(normaliseTableContents(['!10.0.0.0/8'])).toEqual([]);
    expect(normaliseTableContents(['10.0.0.0/8', '10.1.0.0/16'])).toEqual(['10.0.0.0/8']);
  });

  it('refuses a prefix listed both plain and negated, and text that is no prefix', () => {
    for (const bad of [['10.0.0.0/8', '!10.0.0.1/8'], ['10.0.0.0/33'], ['nonsense'], ['10.0.0.0/+8']]) {
      try {
        normaliseTableContents(bad);
        expect.unreachable(JSON.stringify(bad));
      } catch (e) {
        expect(isBpf2pfError(e) && e.code).toBe('IR_INVALID');
      }
    }
  });
});
