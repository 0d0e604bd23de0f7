/**
 * The helpers that build MapStateFile entries: sizes checked against the map, LPM keys
 * from prefixes (host-order length, masked address), canonical order and array slots.
 */
import { describe, expect, it } from 'vitest';
import { Bpf2pfError } from '../../src/errors.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import { parseCidr } from '../../src/packet/addresses.js';
import { canonicalContents, entry, innerMapEntry, lpmKey, programEntry } from '../../src/state/map-entries.js';

const u32 = { kind: 'int', name: '__u32', size: 4, signed: false, bool: false } as const;
const base = { flags: 0, pinning: 0, numaNode: 0, mapExtra: 0n, hasValues: false };
const hash: MapDeclaration = { ...base, name: 'h', type: 1, keySize: 4, valueSize: 4, maxEntries: 8, key: { ...u32, name: '__be32' }, value: u32 };
const array: MapDeclaration = { ...base, name: 'a', type: 2, keySize: 4, valueSize: 4, maxEntries: 8, key: u32, value: u32 };
const trie: MapDeclaration = { ...base, name: 't', type: 11, keySize: 8, valueSize: 4, maxEntries: 8 };

describe('map entries', () => {
  it('encode keys and values through the layouts, in the target byte order', () => {
    expect(entry(hash, '10.0.0.1', 7, true)).toEqual({ key: '0a000001', value: '07000000' });
    expect(entry(hash, '10.0.0.1', 7, false)).toEqual({ key: '0a000001', value: '00000007' });
    expect(entry(trie, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 'ff000000', true)).toEqual({ key: '0102030405060708', value: 'ff000000' });
  });

  it('refuse keys and values of the wrong size', () => {
    expect(() => entry(trie, Uint8Array.from([1, 2]), 0, true)).toThrow(Bpf2pfError);
    expect(() => entry(trie, Uint8Array.from([1, 2]), 0, true)).toThrow(/key of 2 bytes/);
  });

  it('make LPM keys with the length in host order and the host bits cleared', () => {
    expect(Buffer.from(lpmKey(8, parseCidr('10.1.2.3/8'), true)).toString('hex')).toBe('080000000a000000');
    expect(Buffer.from(lpmKey(8, parseCidr('10.1.2.3/20'), false)).toString('hex')).toBe('000000140a010000');
    expect(Buffer.from(lpmKey(20, parseCidr('2001:db8::1/32'), true)).toString('hex')).toBe('2000000020010db8000000000000000000000000');
    expect(() => lpmKey(8, parseCidr('2001:db8::/64'), true)).toThrow(/does not fit/);
  });

  it('sort, keep the last of repeated keys, and drop zero array slots', () => {
    const c = canonicalContents(array, [entry(array, 3, 1, true), entry(array, 1, 2, true), entry(array, 2, 0, true), entry(array, 3, 5, true)]);
    expect(c.entries).toEqual([{ key: '01000000', value: '02000000' }, { key: '03000000', value: '05000000' }]);
    const h = canonicalContents(hash, [entry(hash, '10.0.0.2', 0, true), entry(hash, '10.0.0.1', 0, true)]);
    expect(h.entries.map((e) => e.key)).toEqual(['0a000001', '0a000002']);
  });

  it('build map-of-map and program array entries', () => {
    const outer: MapDeclaration = { ...base, name: 'o', type: 13, keySize: 4, valueSize: 4, maxEntries: 4, key: u32, inner: hash, hasValues: true };
    expect(innerMapEntry(outer, 11, [entry(hash, '10.0.0.2', 1, true), entry(hash, '10.0.0.1', 1, true)], true)).toEqual({
      key: '0b000000',
      inner: { entries: [{ key: '0a000001', value: '01000000' }, { key: '0a000002', value: '01000000' }] },
    });
    expect(() => innerMapEntry(hash, 1, [], true)).toThrow(/not a map of maps/);
    const progs: MapDeclaration = { ...base, name: 'p', type: 3, keySize: 4, valueSize: 4, maxEntries: 4 };
    expect(programEntry(progs, 2, 'stage', false)).toEqual({ key: '00000002', program: 'stage' });
  });
});
