import type { BpfMap } from '../object/types.js';
import { MapType } from '../object/map-types.js';
import { compareText } from '../order.js';
import { canonicalContents, innerMapEntry, programEntry } from './map-entries.js';
import type { MapContents, MapEntry, MapStateFile } from './map-state.js';

/**
 * Map types whose contents are key/value entries a state file can carry. Event channels
 * (perf arrays, ring buffers), socket and storage maps have none to set.
 */
const ENTRY_MAP_TYPES: ReadonlySet<number> = new Set<number>([
  MapType.HASH, MapType.ARRAY, MapType.PROG_ARRAY, MapType.PERCPU_HASH, MapType.PERCPU_ARRAY,
  MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.LPM_TRIE, MapType.ARRAY_OF_MAPS,
  MapType.HASH_OF_MAPS, MapType.DEVMAP, MapType.DEVMAP_HASH,
]);

export function carriesEntries(map: BpfMap): boolean {
  return ENTRY_MAP_TYPES.has(map.type);
}

/**
 * A complete state for an object's maps, in canonical form: every map that carries
 * entries is listed (empty when `contents` has nothing for it), except that
 * - a PROG_ARRAY without given contents holds the programs its initialiser names, as
 *   the loader would install them;
 * - a map-of-maps without given contents holds its initial slots, each with the
 *   contents given for the named inner map (the slot *is* that map in the kernel).
 */
export function stateFile(
  maps: readonly BpfMap[],
  contents: Readonly<Record<string, readonly MapEntry[]>>,
  littleEndian: boolean,
): MapStateFile {
  const out: Record<string, MapContents> = {};
  for (const m of [...maps].sort((a, b) => compareText(a.name, b.name))) {
    if (!carriesEntries(m)) continue;
    const given = contents[m.name];
    out[m.name] = canonicalContents(m, given ?? initialEntries(m, contents, littleEndian));
  }
  return { version: 1, maps: out };
}

function initialEntries(m: BpfMap, contents: Readonly<Record<string, readonly MapEntry[]>>, le: boolean): MapEntry[] {
  if (m.type === MapType.PROG_ARRAY) {
    return m.initialSlots.filter((s) => s.targetKind === 'program').map((s) => programEntry(m, s.index, s.target, le));
  }
  if (m.inner) {
    return m.initialSlots.filter((s) => s.targetKind === 'map').map((s) => innerMapEntry(m, s.index, contents[s.target] ?? [], le));
  }
  return [];
}
