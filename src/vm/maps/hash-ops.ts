import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, E } from './errno.js';
import { copyValue, cpuValue, keyString, newValue, type HashEntry, type HashMapModel } from './model.js';

/**
 * HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH (kernel/bpf/hashtab.c, reference §8).
 *
 * LRU: the kernel's LRU is approximate (per-CPU free lists, a reference bit instead of
 * ordering, and shrinking in batches of up to 128 nodes once the free list runs dry, even
 * when an existing key is updated). We keep exact recency order (lookups and updates
 * refresh an entry) and, only when a new key arrives at a full map, evict the single
 * least recently used entry. Maps that never fill up behave identically.
 */
export interface HashUpdate {
  readonly ret: number;
  /** The value buffer written, when the update succeeded. */
  readonly buffer?: Uint8Array;
}

function touch(m: HashMapModel, k: string, e: HashEntry): void {
  m.entries.delete(k);
  m.entries.set(k, e);
}

export function hashLookup(m: HashMapModel, key: Uint8Array, cpu: number): Uint8Array | undefined {
  const k = keyString(key);
  const e = m.entries.get(k);
  if (e === undefined) return undefined;
  if (m.lru) touch(m, k, e);
  return m.percpu ? cpuValue(e.values, cpu, m.def.valueSize) : e.values[0];
}

/** The entry without refreshing LRU order, for iteration and dumps. */
export function hashPeek(m: HashMapModel, key: Uint8Array): HashEntry | undefined {
  return m.entries.get(keyString(key));
}

export function hashUpdate(m: HashMapModel, key: Uint8Array, value: Uint8Array, flags: number, cpu: number, hasSpinLock: boolean): HashUpdate {
  // LRU and per-CPU hashes refuse BPF_F_LOCK outright; plain hashes need a lock in the value.
  if (m.lru || m.percpu) {
    if (flags > BPF_EXIST) return { ret: -E.INVAL };
  } else {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return { ret: -E.INVAL };
    if (flags & BPF_F_LOCK && !hasSpinLock) return { ret: -E.INVAL };
  }
  const mode = flags & ~BPF_F_LOCK;
  const k = keyString(key);
  const old = m.entries.get(k);
  if (old !== undefined && mode === BPF_NOEXIST) return { ret: -E.EXIST };
  if (old === undefined && mode === BPF_EXIST) return { ret: -E.NOENT };

  if (old !== undefined && (flags & BPF_F_LOCK || m.percpu)) {
    // In place: copy_map_value_locked, or the per-CPU copy of this CPU.
    const buf = m.percpu ? cpuValue(old.values, cpu, m.def.valueSize) : old.values[0];
    copyValue(m.def, buf, value);
    if (m.lru) touch(m, k, old);
    return { ret: 0, buffer: buf };
  }
  if (old === undefined && m.entries.size >= m.def.maxEntries) {
    if (!m.lru) return { ret: -E.E2BIG };
    const oldest = m.entries.keys().next();
    if (!oldest.done) m.entries.delete(oldest.value);
  }
  const buf = newValue(m.def, value);
  const values: Uint8Array[] = [];
  values[m.percpu ? cpu : 0] = buf;
  if (old !== undefined) m.entries.delete(k);
  m.entries.set(k, { key: key.slice(), values });
  return { ret: 0, buffer: buf };
}

export function hashDelete(m: HashMapModel, key: Uint8Array): number {
  return m.entries.delete(keyString(key)) ? 0 : -E.NOENT;
}
