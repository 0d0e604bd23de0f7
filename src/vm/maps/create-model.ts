import { MapType } from '../../object/map-types.js';
import { isReadOnlyForProgram } from './map-def.js';
import type { MapDef, MapModel, MapPath } from './model.js';

/** Fallback slot count of a PERF_EVENT_ARRAY declared with max_entries 0 (libbpf: possible CPUs). */
const PERF_SLOTS_DEFAULT = 128;

/** An empty map of the model that fits the declaration's type. */
export function createModel(def: MapDef, path: MapPath): MapModel {
  switch (def.type) {
    case MapType.HASH:
    case MapType.PERCPU_HASH:
    case MapType.LRU_HASH:
    case MapType.LRU_PERCPU_HASH:
    case MapType.DEVMAP_HASH:
      return {
        kind: 'hash',
        def,
        path,
        lru: def.type === MapType.LRU_HASH || def.type === MapType.LRU_PERCPU_HASH,
        percpu: def.type === MapType.PERCPU_HASH || def.type === MapType.LRU_PERCPU_HASH,
        entries: new Map(),
      };
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY:
    case MapType.DEVMAP:
      return { kind: 'array', def, path, percpu: def.type === MapType.PERCPU_ARRAY, readOnly: isReadOnlyForProgram(def), values: new Map() };
    case MapType.LPM_TRIE:
      return { kind: 'lpm', def, path, byPrefix: new Map(), count: 0 };
    case MapType.ARRAY_OF_MAPS:
    case MapType.HASH_OF_MAPS:
      return { kind: 'map-of-maps', def, path, array: def.type === MapType.ARRAY_OF_MAPS, slots: new Map() };
    case MapType.PROG_ARRAY:
      return { kind: 'prog-array', def, path, slots: new Map() };
    case MapType.RINGBUF:
      return { kind: 'ringbuf', def, path, used: 0 };
    case MapType.PERF_EVENT_ARRAY:
      return { kind: 'perf-event-array', def, path, slots: def.maxEntries > 0 ? def.maxEntries : PERF_SLOTS_DEFAULT };
    case MapType.QUEUE:
    case MapType.STACK:
      return { kind: 'queue-stack', def, path, stack: def.type === MapType.STACK, items: [] };
    default:
      return { kind: 'unsupported', def, path };
  }
}

