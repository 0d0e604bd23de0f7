import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, E } from './errno.js';
import { arrayIndex, copyValue, cpuValue, type ArrayMapModel } from './model.js';

/**
 * ARRAY and PERCPU_ARRAY (kernel/bpf/arraymap.c, reference §8): every index below
 * max_entries exists and starts zeroed; updates write in place; NOEXIST always fails with
 * EEXIST; an index past the end is E2BIG on update and NULL on lookup; delete is EINVAL.
 */
export function arraySlot(m: ArrayMapModel, index: number, cpu: number): Uint8Array {
  let values = m.values.get(index);
  if (values === undefined) {
    values = [];
    m.values.set(index, values);
  }
  return cpuValue(values, m.percpu ? cpu : 0, m.def.valueSize);
}

export function arrayLookup(m: ArrayMapModel, key: Uint8Array, cpu: number, littleEndian: boolean): Uint8Array | undefined {
  const i = arrayIndex(key, littleEndian);
  if (i >= m.def.maxEntries) return undefined;
  return arraySlot(m, i, cpu);
}

export function arrayUpdate(
  m: ArrayMapModel,
  key: Uint8Array,
  value: Uint8Array,
  flags: number,
  cpu: number,
  littleEndian: boolean,
  hasSpinLock: boolean,
): { ret: number; buffer?: Uint8Array } {
  if (m.percpu ? flags > BPF_EXIST : (flags & ~BPF_F_LOCK) > BPF_EXIST) return { ret: -E.INVAL };
  const i = arrayIndex(key, littleEndian);
  if (i >= m.def.maxEntries) return { ret: -E.E2BIG };
  if (flags & BPF_NOEXIST) return { ret: -E.EXIST };
  if (flags & BPF_F_LOCK && !hasSpinLock) return { ret: -E.INVAL };
  const buf = arraySlot(m, i, cpu);
  copyValue(m.def, buf, value);
  return { ret: 0, buffer: buf };
}

export function arrayDelete(): number {
  return -E.INVAL;
}
