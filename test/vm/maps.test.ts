import { describe, expect, it } from 'vitest';
import { MapType } from '../../src/object/map-types.js';
import { arrayDelete, arrayLookup, arrayUpdate } from '../../src/vm/maps/array-ops.js';
import { createModel } from '../../src/vm/maps/create-model.js';
import { BPF_ANY, BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, E } from '../../src/vm/maps/errno.js';
import { hashDelete, hashLookup, hashUpdate } from '../../src/vm/maps/hash-ops.js';
import { lpmDelete, lpmLookup, lpmUpdate } from '../../src/vm/maps/lpm-ops.js';
import type { ArrayMapModel, HashMapModel, LpmTrieModel, MapDef, QueueStackModel } from '../../src/vm/maps/model.js';
import { queueFront, queuePop, queuePush } from '../../src/vm/maps/queue-ops.js';
import { dumpModel } from '../../src/vm/maps/dump.js';

/** Map semantics of reference §8, model by model. */
function def(type: number, keySize: number, valueSize: number, maxEntries: number, flags = 0): MapDef {
  return { name: 'm', type, keySize, valueSize, maxEntries, flags, special: [] };
}

const u32 = (v: number): Uint8Array => Uint8Array.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
const val = (v: number): Uint8Array => u32(v);
const num = (b: Uint8Array | undefined): number | undefined => (b === undefined ? undefined : new DataView(b.buffer, b.byteOffset).getUint32(0, true));

describe('HASH', () => {
  const make = (max = 2): HashMapModel => createModel(def(MapType.HASH, 4, 4, max), { map: 'm' }) as HashMapModel;

  it('EXIST on a missing key is ENOENT, NOEXIST on an existing one EEXIST, other flags EINVAL', () => {
    const m = make();
    expect(hashUpdate(m, u32(1), val(1), BPF_EXIST, 0, false).ret).toBe(-E.NOENT);
    expect(hashUpdate(m, u32(1), val(1), BPF_NOEXIST, 0, false).ret).toBe(0);
    expect(hashUpdate(m, u32(1), val(2), BPF_NOEXIST, 0, false).ret).toBe(-E.EXIST);
    expect(hashUpdate(m, u32(1), val(3), BPF_EXIST, 0, false).ret).toBe(0);
    expect(hashUpdate(m, u32(1), val(3), 3, 0, false).ret).toBe(-E.INVAL);
    expect(hashUpdate(m, u32(1), val(3), BPF_F_LOCK, 0, false).ret).toBe(-E.INVAL);
    expect(num(hashLookup(m, u32(1), 0))).toBe(3);
  });

  it('is E2BIG for a new key when full; overwriting still works', () => {
    const m = make(2);
    hashUpdate(m, u32(1), val(1), BPF_ANY, 0, false);
    hashUpdate(m, u32(2), val(2), BPF_ANY, 0, false);
    expect(hashUpdate(m, u32(3), val(3), BPF_ANY, 0, false).ret).toBe(-E.E2BIG);
    expect(hashUpdate(m, u32(2), val(9), BPF_ANY, 0, false).ret).toBe(0);
    expect(num(hashLookup(m, u32(2), 0))).toBe(9);
  });

  it('delete and lookup of a missing key: ENOENT and NULL; an update replaces the value buffer', () => {
    const m = make();
    expect(hashDelete(m, u32(5))).toBe(-E.NOENT);
    expect(hashLookup(m, u32(5), 0)).toBeUndefined();
    hashUpdate(m, u32(5), val(1), BPF_ANY, 0, false);
    const before = hashLookup(m, u32(5), 0);
    hashUpdate(m, u32(5), val(2), BPF_ANY, 0, false);
    expect(num(before)).toBe(1);
    expect(num(hashLookup(m, u32(5), 0))).toBe(2);
  });

  it('LRU evicts the least recently used key when a new one arrives at a full map', () => {
    const m = createModel(def(MapType.LRU_HASH, 4, 4, 3), { map: 'm' }) as HashMapModel;
    for (const k of [1, 2, 3]) hashUpdate(m, u32(k), val(k), BPF_ANY, 0, false);
    hashLookup(m, u32(1), 0);
    expect(hashUpdate(m, u32(4), val(4), BPF_ANY, 0, false).ret).toBe(0);
    expect(hashLookup(m, u32(2), 0)).toBeUndefined();
    expect([1, 3, 4].map((k) => num(hashLookup(m, u32(k), 0)))).toEqual([1, 3, 4]);
    expect(hashUpdate(m, u32(9), val(1), BPF_F_LOCK, 0, false).ret).toBe(-E.INVAL);
  });

  it('per-CPU: each CPU has its copy, zero on the others; the dump shows CPU 0', () => {
    const m = createModel(def(MapType.PERCPU_HASH, 4, 4, 4), { map: 'm' }) as HashMapModel;
    hashUpdate(m, u32(1), val(7), BPF_ANY, 1, false);
    expect(num(hashLookup(m, u32(1), 1))).toBe(7);
    expect(num(hashLookup(m, u32(1), 0))).toBe(0);
    hashUpdate(m, u32(1), val(5), BPF_ANY, 0, false);
    expect(num(hashLookup(m, u32(1), 1))).toBe(7);
    expect(dumpModel(m, true)).toEqual({ entries: [{ key: '01000000', value: '05000000' }] });
  });
});

describe('ARRAY', () => {
  const make = (): ArrayMapModel => createModel(def(MapType.ARRAY, 4, 4, 3), { map: 'm' }) as ArrayMapModel;

  it('has every index, zeroed; NOEXIST is EEXIST; past the end E2BIG / NULL; delete EINVAL', () => {
    const m = make();
    expect(num(arrayLookup(m, u32(2), 0, true))).toBe(0);
    expect(arrayLookup(m, u32(3), 0, true)).toBeUndefined();
    expect(arrayUpdate(m, u32(1), val(4), BPF_NOEXIST, 0, true, false).ret).toBe(-E.EXIST);
    expect(arrayUpdate(m, u32(1), val(4), BPF_EXIST, 0, true, false).ret).toBe(0);
    expect(arrayUpdate(m, u32(3), val(4), BPF_ANY, 0, true, false).ret).toBe(-E.E2BIG);
    expect(arrayUpdate(m, u32(1), val(4), 3, 0, true, false).ret).toBe(-E.INVAL);
    expect(arrayDelete()).toBe(-E.INVAL);
    expect(dumpModel(m, true)).toEqual({ entries: [{ key: '01000000', value: '04000000' }] });
  });

  it('updates in place: a pointer taken before sees the new value', () => {
    const m = make();
    const p = arrayLookup(m, u32(0), 0, true);
    arrayUpdate(m, u32(0), val(9), BPF_ANY, 0, true, false);
    expect(num(p)).toBe(9);
  });
});

describe('LPM_TRIE', () => {
  const key = (len: number, a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.from([...u32(len), a, b, c, d]);
  const make = (max = 4): LpmTrieModel => createModel(def(MapType.LPM_TRIE, 8, 4, max, 1), { map: 'm' }) as LpmTrieModel;
  const get = (m: LpmTrieModel, k: Uint8Array): number | undefined => num(lpmLookup(m, k, true)?.value);

  it('finds the longest stored prefix no longer than the key (the reference examples)', () => {
    const m = make();
    lpmUpdate(m, key(8, 10, 0, 0, 0), val(8), BPF_ANY, true);
    lpmUpdate(m, key(24, 10, 1, 2, 0), val(24), BPF_ANY, true);
    expect(get(m, key(32, 10, 1, 2, 3))).toBe(24);
    expect(get(m, key(32, 10, 9, 9, 9))).toBe(8);
    expect(get(m, key(16, 10, 1, 2, 3))).toBe(8);
    expect(get(m, key(32, 11, 1, 2, 3))).toBeUndefined();
    expect(get(m, key(33, 10, 1, 2, 3))).toBeUndefined();
  });

  it('deletes by prefix length and leading bits, ignoring trailing bits', () => {
    const m = make();
    lpmUpdate(m, key(24, 10, 1, 2, 0), val(24), BPF_ANY, true);
    expect(lpmDelete(m, key(24, 10, 1, 2, 99), true)).toBe(0);
    expect(get(m, key(32, 10, 1, 2, 3))).toBeUndefined();
    expect(lpmDelete(m, key(24, 10, 1, 2, 99), true)).toBe(-E.NOENT);
    expect(lpmDelete(m, key(40, 10, 1, 2, 99), true)).toBe(-E.INVAL);
  });

  it('update flags, prefix bound, and ENOSPC when full', () => {
    const m = make(2);
    expect(lpmUpdate(m, key(33, 1, 2, 3, 4), val(1), BPF_ANY, true).ret).toBe(-E.INVAL);
    expect(lpmUpdate(m, key(8, 1, 2, 3, 4), val(1), BPF_F_LOCK, true).ret).toBe(-E.INVAL);
    expect(lpmUpdate(m, key(8, 1, 2, 3, 4), val(1), BPF_EXIST, true).ret).toBe(-E.NOENT);
    expect(lpmUpdate(m, key(8, 1, 2, 3, 4), val(1), BPF_NOEXIST, true).ret).toBe(0);
    expect(lpmUpdate(m, key(8, 1, 9, 9, 9), val(2), BPF_NOEXIST, true).ret).toBe(-E.EXIST);
    expect(lpmUpdate(m, key(16, 1, 2, 0, 0), val(3), BPF_ANY, true).ret).toBe(0);
    expect(lpmUpdate(m, key(24, 1, 2, 3, 0), val(3), BPF_ANY, true).ret).toBe(-E.NOSPC);
    expect(lpmUpdate(m, key(8, 1, 7, 7, 7), val(5), BPF_EXIST, true).ret).toBe(0);
    // The stored key is the last one written, trailing bits included.
    expect(dumpModel(m, true).entries.map((e) => e.key)).toEqual(['0800000001070707', '1000000001020000']);
  });
});

describe('QUEUE and STACK', () => {
  it('push is E2BIG when full unless BPF_EXIST overwrites the oldest; pop order differs', () => {
    const q = createModel({ ...def(MapType.QUEUE, 0, 4, 2) }, { map: 'q' }) as QueueStackModel;
    const s = createModel({ ...def(MapType.STACK, 0, 4, 2) }, { map: 's' }) as QueueStackModel;
    for (const m of [q, s]) {
      expect(queuePush(m, val(1), 0)).toBe(0);
      expect(queuePush(m, val(2), 0)).toBe(0);
      expect(queuePush(m, val(3), 0)).toBe(-E.E2BIG);
      expect(queuePush(m, val(3), BPF_NOEXIST)).toBe(-E.INVAL);
      expect(queuePush(m, val(3), BPF_EXIST)).toBe(0);
    }
    expect([num(queueFront(q)), num(queuePop(q)), num(queuePop(q)), queuePop(q)]).toEqual([2, 2, 3, undefined]);
    expect([num(queueFront(s)), num(queuePop(s)), num(queuePop(s)), queuePop(s)]).toEqual([3, 3, 2, undefined]);
  });
});
