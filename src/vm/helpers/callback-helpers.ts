import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import { arraySlot } from '../maps/array-ops.js';
import { E } from '../maps/errno.js';
import { cpuValue, indexKey, type HashMapModel, type ArrayMapModel } from '../maps/model.js';
import { addRegion, regionHi } from '../memory/memory.js';
import { codeAt, mapHandleRegion, valueRegion } from '../run/addresses.js';
import type { FunctionTarget } from '../code/image.js';
import { argHi, argLo, argMap, argU32, flagsOutside, notForThisMap, retInt, unsupportedMap, type HelperEntry } from './helper-def.js';

/** BPF_MAX_LOOPS: bpf_loop refuses more iterations. */
const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/**
 * Helpers that call back into the program. A callback runs in its own frame (it counts
 * toward the 8-frame limit) and returns 0 to go on or 1 to stop.
 */
export const CALLBACK_HELPERS: readonly HelperEntry[] = [
  [181, { name: 'loop', args: 4, call: loop }],
  [164, { name: 'for_each_map_elem', args: 4, call: forEachMapElem }],
];

function callbackArg(m: Machine, reg: number, helper: string): FunctionTarget {
  const target = codeAt(m, argLo(m, reg), argHi(m, reg));
  if (target === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper}: r${reg} is not a function address`);
  return target;
}

function stop(m: Machine): boolean {
  return m.regs.lo[0] !== 0 || m.regs.hi[0] !== 0;
}

/**
 * bpf_loop. With flags 0 the verifier inlines the loop (inline_bpf_loop, JIT kernels):
 * the count is then compared as a full 64-bit register and "too many" is a 32-bit move
 * of -E2BIG, so r0 reads 0xfffffff9; the helper proper (non-zero flags) truncates the
 * count to u32 and returns -EINVAL sign-extended.
 */
function loop(m: Machine): void {
  const cb = callbackArg(m, 2, 'loop');
  const ctxLo = argLo(m, 3);
  const ctxHi = argHi(m, 3);
  if (flagsOutside(m, 4, 0)) return retInt(m, -E.INVAL);
  if (argHi(m, 1) !== 0 || argU32(m, 1) > BPF_MAX_LOOPS) return retInt(m, -E.E2BIG >>> 0);
  const n = argU32(m, 1);
  for (let i = 0; i < n; i++) {
    m.callFunction(cb, [i, ctxLo, 0, 0, 0], [0, ctxHi, 0, 0, 0]);
    if (stop(m)) return retInt(m, i + 1);
  }
  retInt(m, n);
}

/**
 * Arrays are visited in index order. Hashes are visited in insertion order, where the
 * kernel walks its buckets in an order set by a random hash seed: a callback that stops
 * early or depends on order can see other elements than in the kernel.
 */
function forEachMapElem(m: Machine): void {
  const model = argMap(m, 1, 'for_each_map_elem');
  const cb = callbackArg(m, 2, 'for_each_map_elem');
  const ctxLo = argLo(m, 3);
  const ctxHi = argHi(m, 3);
  if (flagsOutside(m, 4, 0)) return retInt(m, -E.INVAL);
  const handle = mapHandleRegion(m, model);
  const keyRegion = addRegion(m.mem, 'plain', `for_each_map_elem key of ${model.path.map}`, new Uint8Array(Math.max(model.def.keySize, 4)), false);
  const visit = (key: Uint8Array, value: Uint8Array, writable: boolean): boolean => {
    keyRegion.bytes.set(key);
    const v = valueRegion(m, model, key, value, writable);
    m.callFunction(cb, [0, 0, 0, ctxLo, 0], [regionHi(handle), regionHi(keyRegion), regionHi(v), ctxHi, 0]);
    return stop(m);
  };
  let count = 0;
  switch (model.kind) {
    case 'array':
      count = forEachArray(m, model, visit);
      break;
    case 'hash':
      count = forEachHash(m, model, visit);
      break;
    case 'unsupported':
      return unsupportedMap(m, 'for_each_map_elem', model);
    default:
      return notForThisMap(m, 'for_each_map_elem', model);
  }
  retInt(m, count);
}

type Visit = (key: Uint8Array, value: Uint8Array, writable: boolean) => boolean;

function forEachArray(m: Machine, model: ArrayMapModel, visit: Visit): number {
  let count = 0;
  for (let i = 0; i < model.def.maxEntries; i++) {
    count++;
    if (visit(indexKey(i, m.store.littleEndian), arraySlot(model, i, m.opts.cpu), !model.readOnly)) break;
  }
  return count;
}

function forEachHash(m: Machine, model: HashMapModel, visit: Visit): number {
  let count = 0;
  for (const [k, e] of [...model.entries]) {
    // An element deleted by an earlier callback is no longer visited.
    if (model.entries.get(k) !== e) continue;
    count++;
    const value = model.percpu ? cpuValue(e.values, m.opts.cpu, model.def.valueSize) : e.values[0];
    if (visit(e.key, value, true)) break;
  }
  return count;
}
