import { fail } from '../../errors.js';
import type { BpfObject } from '../../object/types.js';
import { fromHex, isInnerEntry, isProgramEntry, isValueEntry, type MapContents, type MapEntry, type MapStateFile } from '../../state/map-state.js';
import { createModel } from './create-model.js';
import { lpmMaskedKey, lpmPrefixLen } from './lpm-ops.js';
import { arrayIndex, keyString, newValue, type MapModel } from './model.js';
import type { MapStore } from './store.js';

/**
 * Gives every map named in the state exactly the listed contents, as user space would
 * with BPF_MAP_UPDATE_ELEM after load. Anything the kernel would refuse (wrong sizes,
 * indexes past max_entries, too many entries, a value entry for a map-in-map) is
 * VM_BAD_STATE, as is a map the object does not have.
 */
export function applyState(store: MapStore, obj: BpfObject, state: MapStateFile): void {
  const programs = new Set(obj.programs.map((p) => p.name));
  for (const [name, contents] of Object.entries(state.maps)) {
    const model = store.maps[name];
    if (model === undefined) fail('VM_BAD_STATE', `map state names ${name}, which the object does not have`);
    fill(store, model, contents, name, programs);
  }
}

function fill(store: MapStore, model: MapModel, contents: MapContents, where: string, programs: ReadonlySet<string>): void {
  const def = model.def;
  const le = store.littleEndian;
  const bad = (msg: string): never => fail('VM_BAD_STATE', `map ${where}: ${msg}`);
  const key = (e: MapEntry): Uint8Array => {
    let k: Uint8Array;
    try {
      k = fromHex(e.key);
    } catch {
      return bad(`key ${e.key} is not hex`);
    }
    if (k.length !== def.keySize) bad(`key ${e.key} has ${k.length} bytes, the map's keys ${def.keySize}`);
    return k;
  };
  const value = (e: MapEntry): Uint8Array => {
    if (!isValueEntry(e)) return bad(`entry ${e.key} is not a value entry`);
    let v: Uint8Array;
    try {
      v = fromHex(e.value);
    } catch {
      return bad(`value of ${e.key} is not hex`);
    }
    if (v.length !== def.valueSize) bad(`value of ${e.key} has ${v.length} bytes, the map's values ${def.valueSize}`);
    return v;
  };
  const seen = new Set<string>();
  const once = (k: Uint8Array, shown: string): void => {
    const s = keyString(k);
    if (seen.has(s)) bad(`key ${shown} appears twice`);
    seen.add(s);
  };
  const capacity = (n: number): void => {
    if (n > def.maxEntries) bad(`${n} entries for max_entries ${def.maxEntries}`);
  };

  switch (model.kind) {
    case 'hash':
      model.entries.clear();
      capacity(contents.entries.length);
      for (const e of contents.entries) {
        const k = key(e);
        once(k, e.key);
        model.entries.set(keyString(k), { key: k, values: [newValue(def, value(e))] });
      }
      return;
    case 'array':
      model.values.clear();
      for (const e of contents.entries) {
        const k = key(e);
        once(k, e.key);
        const i = arrayIndex(k, le);
        if (i >= def.maxEntries) bad(`index ${i} is past max_entries ${def.maxEntries}`);
        model.values.set(i, [newValue(def, value(e))]);
      }
      return;
    case 'lpm':
      model.byPrefix.clear();
      model.count = 0;
      capacity(contents.entries.length);
      for (const e of contents.entries) {
        const k = key(e);
        const p = lpmPrefixLen(k, le);
        if (p > (def.keySize - 4) * 8) bad(`key ${e.key}: prefix length ${p} exceeds ${(def.keySize - 4) * 8}`);
        const masked = lpmMaskedKey(k, p);
        let level = model.byPrefix.get(p);
        if (level === undefined) {
          level = new Map();
          model.byPrefix.set(p, level);
        }
        if (level.has(masked)) bad(`key ${e.key} repeats a prefix already given`);
        level.set(masked, { key: k, prefixlen: p, value: newValue(def, value(e)) });
        model.count++;
      }
      return;
    case 'map-of-maps': {
      model.slots.clear();
      capacity(contents.entries.length);
      const template = def.inner;
      if (template === undefined) return bad('no inner map template');
      for (const e of contents.entries) {
        const k = key(e);
        once(k, e.key);
        if (model.array && arrayIndex(k, le) >= def.maxEntries) bad(`index ${arrayIndex(k, le)} is past max_entries ${def.maxEntries}`);
        if (!isInnerEntry(e)) return bad(`entry ${e.key} must give an inner map`);
        const inner = createModel(template, { map: model.path.map, outerKey: e.key.toLowerCase() });
        fill(store, inner, e.inner, `${where}[${e.key}]`, programs);
        model.slots.set(keyString(k), inner);
      }
      return;
    }
    case 'prog-array':
      model.slots.clear();
      for (const e of contents.entries) {
        const k = key(e);
        once(k, e.key);
        const i = arrayIndex(k, le);
        if (i >= def.maxEntries) bad(`index ${i} is past max_entries ${def.maxEntries}`);
        if (!isProgramEntry(e)) return bad(`entry ${e.key} must name a program`);
        if (!programs.has(e.program)) bad(`entry ${e.key} names unknown program ${e.program}`);
        model.slots.set(i, e.program);
      }
      return;
    case 'queue-stack': {
      model.items.length = 0;
      capacity(contents.entries.length);
      const sorted = [...contents.entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const items = sorted.map((e) => newValue(def, value(e)));
      // Entries are listed in pop order; a stack pops its newest item first.
      model.items.push(...(model.stack ? items.reverse() : items));
      return;
    }
    case 'ringbuf':
    case 'perf-event-array':
    case 'unsupported':
      if (contents.entries.length > 0) bad(`a ${model.kind} map cannot be given entries`);
      return;
    default: {
      const never: never = model;
      return never;
    }
  }
}
