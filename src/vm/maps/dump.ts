import type { BpfObject } from '../../object/types.js';
import { toHex, type MapContents, type MapEntry, type MapStateFile } from '../../state/map-state.js';
import { lpmEntries } from './lpm-ops.js';
import { indexKey, type MapModel } from './model.js';
import { queuePopOrder } from './queue-ops.js';
import type { MapStore } from './store.js';

/**
 * Every map of the object in the canonical form of map-state.ts: entries sorted by key
 * hex, arrays (data sections included) listing only non-zero values, per-CPU maps CPU 0's
 * value, map-in-map entries their inner contents, PROG_ARRAY entries program names.
 * QUEUE/STACK maps have no keys: their elements are listed under their position in pop
 * order (u32, object byte order). Ring buffers and perf event arrays list nothing.
 */
export function dumpMaps(obj: BpfObject, store: MapStore): MapStateFile {
  const maps: Record<string, MapContents> = {};
  for (const m of obj.maps) maps[m.name] = dumpModel(store.maps[m.name], store.littleEndian);
  for (const d of obj.dataSections) maps[d.name] = dumpModel(store.maps[d.name], store.littleEndian);
  return { version: 1, maps };
}

function isZero(b: Uint8Array | undefined): boolean {
  if (b === undefined) return true;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

function zeros(n: number): string {
  return '00'.repeat(n);
}

export function dumpModel(model: MapModel, le: boolean): MapContents {
  const entries: MapEntry[] = [];
  switch (model.kind) {
    case 'hash':
      for (const e of model.entries.values()) {
        const v = e.values[0];
        entries.push({ key: toHex(e.key), value: v === undefined ? zeros(model.def.valueSize) : toHex(v) });
      }
      break;
    case 'array':
      for (const [i, values] of model.values) if (!isZero(values[0])) entries.push({ key: toHex(indexKey(i, le)), value: toHex(values[0]) });
      break;
    case 'lpm':
      for (const e of lpmEntries(model)) entries.push({ key: toHex(e.key), value: toHex(e.value) });
      break;
    case 'map-of-maps':
      for (const [k, inner] of model.slots) entries.push({ key: latin1Hex(k), inner: dumpModel(inner, le) });
      break;
    case 'prog-array':
      for (const [i, program] of model.slots) entries.push({ key: toHex(indexKey(i, le)), program });
      break;
    case 'queue-stack':
      queuePopOrder(model).forEach((v, i) => entries.push({ key: toHex(indexKey(i, le)), value: toHex(v) }));
      break;
    case 'ringbuf':
    case 'perf-event-array':
    case 'unsupported':
      break;
    default: {
      const never: never = model;
      return never;
    }
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries };
}

function latin1Hex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(2, '0');
  return out;
}
