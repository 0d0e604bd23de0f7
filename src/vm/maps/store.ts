import { fail } from '../../errors.js';
import type { BpfObject } from '../../object/types.js';
import { byteOrderOf, type MapStateFile } from '../../state/map-state.js';
import type { CodeImage } from '../code/image.js';
import type { RunScratch } from '../run/scratch.js';
import { applyState } from './load-state.js';
import { createModel } from './create-model.js';
import { dataSectionDef, mapDefOf } from './map-def.js';
import { indexKey, keyString, type MapModel } from './model.js';

/** State of one bpf_timer field, kept beside the value it lives in. */
export interface TimerState {
  callback: boolean;
  active: boolean;
}

/** A value buffer holding clock-derived bytes, and where it lives, for the taint report. */
export interface TaintedValue {
  readonly model: MapModel;
  readonly key: Uint8Array;
  readonly buffer: Uint8Array;
}

/**
 * Every map of one object with its contents, owned by the caller: runs mutate it as the
 * kernel mutates its maps, and it carries what the kernel keeps beside map values
 * (timer state, which bytes came from a clock).
 */
export interface MapStore {
  readonly littleEndian: boolean;
  /** Object maps by name, then the internal maps of data sections by section name. */
  readonly maps: Readonly<Record<string, MapModel>>;
  /** Clock taint of value bytes, per value buffer. */
  readonly taint: WeakMap<Uint8Array, Uint8Array>;
  readonly tainted: Map<Uint8Array, TaintedValue>;
  /** bpf_timer state by value buffer and field offset. */
  readonly timers: WeakMap<Uint8Array, Map<number, TimerState>>;
  /** The object's instructions compiled for the interpreter, made by the first run. */
  code: CodeImage | undefined;
  /** Runs made on this store (a run's lazily computed taint report checks it is still current). */
  runs: number;
  /** Buffers runs reuse (registers, stacks, context, packet), made by the first run. */
  scratch: RunScratch | undefined;
}

/**
 * The maps as libbpf leaves them after loading the object: empty, arrays zero, data
 * sections holding their initial bytes, PROG_ARRAY and map-in-map slots from the
 * object's static initialisers; then `initial` replaces the contents of every map it
 * names.
 */
export function createMapStore(obj: BpfObject, initial?: MapStateFile): MapStore {
  const maps: Record<string, MapModel> = {};
  for (const m of obj.maps) maps[m.name] = createModel(mapDefOf(m), { map: m.name });
  for (const d of obj.dataSections) {
    const model = createModel(dataSectionDef(d), { map: d.name });
    if (model.kind === 'array' && d.size > 0) model.values.set(0, [d.bytes.slice()]);
    maps[d.name] = model;
  }
  const le = obj.littleEndian;
  for (const m of obj.maps) {
    const model = maps[m.name];
    for (const s of m.initialSlots) {
      if (model.kind === 'prog-array' && s.targetKind === 'program') model.slots.set(s.index, s.target);
      else if (model.kind === 'map-of-maps' && s.targetKind === 'map') {
        const inner = maps[s.target];
        if (inner === undefined) fail('VM_BAD_STATE', `map ${m.name}: initial slot ${s.index} names unknown map ${s.target}`);
        model.slots.set(keyString(indexKey(s.index, le)), inner);
      } else fail('VM_BAD_STATE', `map ${m.name}: initial slot ${s.index} (${s.targetKind} ${s.target}) does not fit a ${model.kind} map`);
    }
  }
  const order = initial?.byteOrder;
  if (order !== undefined && order !== byteOrderOf(le)) {
    fail('VM_BAD_STATE', order === 'little' || order === 'big' ? `the map state holds ${order}-endian keys and values; the object is ${byteOrderOf(le)}-endian` : `byteOrder must be "little" or "big", not ${JSON.stringify(order)}`);
  }
  const store: MapStore = { littleEndian: le, maps, taint: new WeakMap(), tainted: new Map(), timers: new WeakMap(), code: undefined, runs: 0, scratch: undefined };
  if (initial) applyState(store, obj, initial);
  return store;
}
