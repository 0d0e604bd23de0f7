import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import { arrayLookup, arrayUpdate } from '../maps/array-ops.js';
import { E } from '../maps/errno.js';
import { hashDelete, hashLookup, hashUpdate } from '../maps/hash-ops.js';
import { lpmDelete, lpmLookup, lpmUpdate } from '../maps/lpm-ops.js';
import { arrayIndex, keyString, type MapDef, type MapModel } from '../maps/model.js';
import { queueFront, queuePop, queuePush } from '../maps/queue-ops.js';
import { readBytes, readTaint, writeBytes } from '../memory/helper-memory.js';
import { mapHandleRegion, valueRegion } from '../run/addresses.js';
import { argHi, argLo, argMap, notForThisMap, retInt, retNull, retPtr, unsupportedMap, type HelperEntry } from './helper-def.js';

/** map_lookup_elem, map_update_elem, map_delete_elem and the queue/stack helpers (reference §8). */
export const MAP_HELPERS: readonly HelperEntry[] = [
  [1, { name: 'map_lookup_elem', args: 2, call: mapLookup }],
  [2, { name: 'map_update_elem', args: 4, call: mapUpdate }],
  [3, { name: 'map_delete_elem', args: 2, call: mapDelete }],
  [87, { name: 'map_push_elem', args: 3, call: mapPush }],
  [88, { name: 'map_pop_elem', args: 2, call: (m) => mapPopPeek(m, true) }],
  [89, { name: 'map_peek_elem', args: 2, call: (m) => mapPopPeek(m, false) }],
];

export function hasSpinLock(def: MapDef): boolean {
  return def.special.some((f) => f.kind === 'spin_lock');
}

function keyArg(m: Machine, model: MapModel, helper: string): Uint8Array {
  return readBytes(m.mem, argLo(m, 2), argHi(m, 2), model.def.keySize, `${helper} key`);
}

/** A u64 flags argument as a number; anything above 32 bits is certainly invalid. */
function flagsArg(m: Machine, i: number): number {
  return argHi(m, i) !== 0 ? 0xffffffff : argLo(m, i);
}

function mapLookup(m: Machine): void {
  const model = argMap(m, 1, 'map_lookup_elem');
  const le = m.store.littleEndian;
  switch (model.kind) {
    case 'hash': {
      const key = keyArg(m, model, 'map_lookup_elem');
      const buf = hashLookup(model, key, m.opts.cpu);
      return buf === undefined ? retNull(m) : retPtr(m, valueRegion(m, model, key, buf, true), 0);
    }
    case 'array': {
      const key = keyArg(m, model, 'map_lookup_elem');
      const buf = arrayLookup(model, key, m.opts.cpu, le);
      return buf === undefined ? retNull(m) : retPtr(m, valueRegion(m, model, key, buf, !model.readOnly), 0);
    }
    case 'lpm': {
      const hit = lpmLookup(model, keyArg(m, model, 'map_lookup_elem'), le);
      return hit === undefined ? retNull(m) : retPtr(m, valueRegion(m, model, hit.key, hit.value, true), 0);
    }
    case 'map-of-maps': {
      const key = keyArg(m, model, 'map_lookup_elem');
      if (model.array && arrayIndex(key, le) >= model.def.maxEntries) return retNull(m);
      const inner = model.slots.get(keyString(key));
      return inner === undefined ? retNull(m) : retPtr(m, mapHandleRegion(m, inner), 0);
    }
    case 'prog-array':
    case 'ringbuf':
    case 'perf-event-array':
    case 'queue-stack':
      return notForThisMap(m, 'map_lookup_elem', model);
    case 'unsupported':
      return unsupportedMap(m, 'map_lookup_elem', model);
    default: {
      const never: never = model;
      return never;
    }
  }
}

function mapUpdate(m: Machine): void {
  const model = argMap(m, 1, 'map_update_elem');
  const le = m.store.littleEndian;
  const flags = flagsArg(m, 4);
  const read = (): { key: Uint8Array; value: Uint8Array; taint: Uint8Array | null } => ({
    key: keyArg(m, model, 'map_update_elem'),
    value: readBytes(m.mem, argLo(m, 3), argHi(m, 3), model.def.valueSize, 'map_update_elem value'),
    taint: readTaint(m.mem, argLo(m, 3), argHi(m, 3), model.def.valueSize),
  });
  switch (model.kind) {
    case 'hash': {
      const a = read();
      const r = hashUpdate(model, a.key, a.value, flags, m.opts.cpu, hasSpinLock(model.def));
      if (r.buffer) noteValueWrite(m, model, a.key, r.buffer, a.taint);
      return retInt(m, r.ret);
    }
    case 'array': {
      if (model.readOnly) fail('VM_BAD_ACCESS', `${m.section}+${m.slot}: map_update_elem on read-only ${model.path.map}`);
      const a = read();
      const r = arrayUpdate(model, a.key, a.value, flags, m.opts.cpu, le, hasSpinLock(model.def));
      if (r.buffer) {
        // bpf_obj_free_fields: an array update cancels the value's timers.
        m.store.timers.delete(r.buffer);
        noteValueWrite(m, model, a.key, r.buffer, a.taint);
      }
      return retInt(m, r.ret);
    }
    case 'lpm': {
      const a = read();
      const r = lpmUpdate(model, a.key, a.value, flags, le);
      if (r.buffer) noteValueWrite(m, model, a.key, r.buffer, a.taint);
      return retInt(m, r.ret);
    }
    case 'queue-stack':
    case 'map-of-maps':
    case 'prog-array':
    case 'ringbuf':
    case 'perf-event-array':
      return notForThisMap(m, 'map_update_elem', model);
    case 'unsupported':
      return unsupportedMap(m, 'map_update_elem', model);
    default: {
      const never: never = model;
      return never;
    }
  }
}

/** Keeps the store's clock taint of a value in step with bytes a helper just wrote into it. */
function noteValueWrite(m: Machine, model: MapModel, key: Uint8Array, buffer: Uint8Array, taint: Uint8Array | null): void {
  const store = m.store;
  if (taint !== null) {
    store.taint.set(buffer, taint.slice(0, buffer.length));
    store.tainted.set(buffer, { model, key: key.slice(), buffer });
  } else if (store.taint.has(buffer)) {
    store.taint.delete(buffer);
    store.tainted.delete(buffer);
  }
  const region = m.valueRegions.get(buffer);
  if (region !== undefined) region.taint = store.taint.get(buffer) ?? null;
}

function mapDelete(m: Machine): void {
  const model = argMap(m, 1, 'map_delete_elem');
  switch (model.kind) {
    case 'hash':
      return retInt(m, hashDelete(model, keyArg(m, model, 'map_delete_elem')));
    case 'array':
      if (model.readOnly) fail('VM_BAD_ACCESS', `${m.section}+${m.slot}: map_delete_elem on read-only ${model.path.map}`);
      return retInt(m, -E.INVAL);
    case 'lpm':
      return retInt(m, lpmDelete(model, keyArg(m, model, 'map_delete_elem'), m.store.littleEndian));
    case 'queue-stack':
    case 'map-of-maps':
    case 'prog-array':
    case 'ringbuf':
    case 'perf-event-array':
      return notForThisMap(m, 'map_delete_elem', model);
    case 'unsupported':
      return unsupportedMap(m, 'map_delete_elem', model);
    default: {
      const never: never = model;
      return never;
    }
  }
}

function mapPush(m: Machine): void {
  const model = argMap(m, 1, 'map_push_elem');
  if (model.kind === 'unsupported') unsupportedMap(m, 'map_push_elem', model);
  if (model.kind !== 'queue-stack') notForThisMap(m, 'map_push_elem', model);
  const value = readBytes(m.mem, argLo(m, 2), argHi(m, 2), model.def.valueSize, 'map_push_elem value');
  retInt(m, queuePush(model, value, flagsArg(m, 3)));
}

function mapPopPeek(m: Machine, pop: boolean): void {
  const helper = pop ? 'map_pop_elem' : 'map_peek_elem';
  const model = argMap(m, 1, helper);
  if (model.kind === 'unsupported') unsupportedMap(m, helper, model);
  if (model.kind !== 'queue-stack') notForThisMap(m, helper, model);
  const v = pop ? queuePop(model) : queueFront(model);
  if (v === undefined) return retInt(m, -E.NOENT);
  writeBytes(m.mem, argLo(m, 2), argHi(m, 2), v, `${helper} value`);
  retInt(m, 0);
}
