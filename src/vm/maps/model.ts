/**
 * Map contents as the kernel holds them, one model per kind of map. Entries exist only
 * once something put them there (no preallocation: Coppice's session maps allow 1M
 * entries); array slots are created zero-filled the first time they are touched.
 *
 * Values are Uint8Arrays that a program can hold pointers into. Where the kernel updates
 * a value in place (arrays, per-CPU hashes, BPF_F_LOCK) we write into the same buffer;
 * where it allocates a new element and frees the old one (hash, LRU hash, LPM trie) we
 * make a new buffer, so a stale pointer sees the old bytes and its writes go nowhere
 * visible, as with the kernel's freed element.
 */
export interface MapDef {
  /** The declaration's name; an inner template is `<outer>.inner`. */
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** Byte ranges of bpf_spin_lock / bpf_timer fields, which copies of the value skip. */
  readonly special: readonly SpecialField[];
  /** ARRAY_OF_MAPS / HASH_OF_MAPS: the template inner maps are made from. */
  readonly inner?: MapDef;
}

export interface SpecialField {
  readonly kind: 'spin_lock' | 'timer' | 'wq';
  readonly offset: number;
  readonly size: number;
}

/** How a map is named in reports: a top-level map, or the inner map at an outer key. */
export interface MapPath {
  readonly map: string;
  readonly outerKey?: string;
}

/** A hash entry; `values[cpu]` for per-CPU maps, `values[0]` otherwise. */
export interface HashEntry {
  readonly key: Uint8Array;
  readonly values: Uint8Array[];
}

export interface HashMapModel {
  readonly kind: 'hash';
  readonly def: MapDef;
  readonly path: MapPath;
  readonly lru: boolean;
  readonly percpu: boolean;
  /** Keyed by the key bytes as a latin1 string; iteration order is least recently used first for LRU. */
  readonly entries: Map<string, HashEntry>;
}

export interface ArrayMapModel {
  readonly kind: 'array';
  readonly def: MapDef;
  readonly path: MapPath;
  readonly percpu: boolean;
  /** BPF_F_RDONLY_PROG (.rodata): programs may read but not write. */
  readonly readOnly: boolean;
  /** Touched slots by index; `[cpu]` as for hashes. */
  readonly values: Map<number, Uint8Array[]>;
}

export interface LpmEntry {
  /** The key as stored: prefixlen and the data bytes as given, trailing bits included. */
  readonly key: Uint8Array;
  readonly prefixlen: number;
  readonly value: Uint8Array;
}

export interface LpmTrieModel {
  readonly kind: 'lpm';
  readonly def: MapDef;
  readonly path: MapPath;
  /** prefixlen -> (data masked to prefixlen bits, as latin1) -> entry. */
  readonly byPrefix: Map<number, Map<string, LpmEntry>>;
  count: number;
}

export interface MapOfMapsModel {
  readonly kind: 'map-of-maps';
  readonly def: MapDef;
  readonly path: MapPath;
  readonly array: boolean;
  readonly slots: Map<string, MapModel>;
}

export interface ProgArrayModel {
  readonly kind: 'prog-array';
  readonly def: MapDef;
  readonly path: MapPath;
  readonly slots: Map<number, string>;
}

export interface RingbufModel {
  readonly kind: 'ringbuf';
  readonly def: MapDef;
  readonly path: MapPath;
  /** Bytes taken by records (headers included) since the store was made: nobody consumes. */
  used: number;
}

export interface PerfEventArrayModel {
  readonly kind: 'perf-event-array';
  readonly def: MapDef;
  readonly path: MapPath;
  /** Slots: max_entries, or the number of CPUs when the object says 0 (libbpf's rule). */
  readonly slots: number;
}

export interface QueueStackModel {
  readonly kind: 'queue-stack';
  readonly def: MapDef;
  readonly path: MapPath;
  readonly stack: boolean;
  /** Oldest first. */
  readonly items: Uint8Array[];
}

/** A map type we do not model: loads fine, any helper on it is VM_UNSUPPORTED. */
export interface UnsupportedMapModel {
  readonly kind: 'unsupported';
  readonly def: MapDef;
  readonly path: MapPath;
}

export type MapModel =
  | HashMapModel
  | ArrayMapModel
  | LpmTrieModel
  | MapOfMapsModel
  | ProgArrayModel
  | RingbufModel
  | PerfEventArrayModel
  | QueueStackModel
  | UnsupportedMapModel;

/** Key bytes as a string for Map lookups (one char per byte). */
export function keyString(key: Uint8Array): string {
  let s = '';
  for (let i = 0; i < key.length; i++) s += String.fromCharCode(key[i]);
  return s;
}

/** A u32 array index from key bytes in the object's byte order. */
export function arrayIndex(key: Uint8Array, littleEndian: boolean): number {
  return littleEndian
    ? (key[0] | (key[1] << 8) | (key[2] << 16) | (key[3] << 24)) >>> 0
    : ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
}

export function indexKey(index: number, littleEndian: boolean): Uint8Array {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, index >>> 0, littleEndian);
  return k;
}

/** The value a CPU sees, made zero-filled on first use. */
export function cpuValue(values: Uint8Array[], cpu: number, size: number): Uint8Array {
  let v = values[cpu];
  if (v === undefined) {
    v = new Uint8Array(size);
    values[cpu] = v;
  }
  return v;
}

/** Copies a value the way copy_map_value does: special fields (locks, timers) are skipped. */
export function copyValue(def: MapDef, dst: Uint8Array, src: Uint8Array): void {
  if (def.special.length === 0) {
    dst.set(src.subarray(0, dst.length));
    return;
  }
  let pos = 0;
  for (const f of def.special) {
    if (f.offset > pos) dst.set(src.subarray(pos, f.offset), pos);
    pos = Math.max(pos, f.offset + f.size);
  }
  if (pos < dst.length) dst.set(src.subarray(pos, dst.length), pos);
}

/** A new value buffer: zero special fields, the rest copied. */
export function newValue(def: MapDef, src: Uint8Array): Uint8Array {
  const v = new Uint8Array(def.valueSize);
  copyValue(def, v, src);
  return v;
}
