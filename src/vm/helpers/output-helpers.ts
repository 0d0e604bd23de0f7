import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import type { RingbufModel } from '../maps/model.js';
import { readBytes } from '../memory/helper-memory.js';
import { addRegion } from '../memory/memory.js';
import { REGION_HI_BASE } from '../memory/region.js';
import { argHi, argLo, argMap, argU32, flagsOutside, notForThisMap, retInt, retNull, retPtr, unsupportedMap, type HelperEntry } from './helper-def.js';

const RINGBUF_HDR = 8;
const RINGBUF_MAX_RECORD = 0x3fffffff;
const BPF_RB_NO_WAKEUP = 1;
const BPF_RB_FORCE_WAKEUP = 2;

/**
 * Ring buffer and perf event output. Nobody consumes the ring during a test run, so every
 * record (discarded ones too) keeps its space until the store is made again, and
 * reserve/output fail once the ring is full. A PERF_EVENT_ARRAY slot only accepts output
 * when user space opened a perf event in it; test_run has none (-ENOENT) unless
 * VmOptions.perfEventsOpen.
 */
export const OUTPUT_HELPERS: readonly HelperEntry[] = [
  [130, { name: 'ringbuf_output', args: 4, call: ringbufOutput }],
  [131, { name: 'ringbuf_reserve', args: 3, call: ringbufReserve }],
  [132, { name: 'ringbuf_submit', args: 2, call: (m) => ringbufCommit(m, true) }],
  [133, { name: 'ringbuf_discard', args: 2, call: (m) => ringbufCommit(m, false) }],
  [134, { name: 'ringbuf_query', args: 2, call: ringbufQuery }],
  [25, { name: 'perf_event_output', args: 5, call: perfEventOutput }],
];

function ringbuf(m: Machine, helper: string): RingbufModel {
  const model = argMap(m, 1, helper);
  if (model.kind === 'unsupported') unsupportedMap(m, helper, model);
  if (model.kind !== 'ringbuf') notForThisMap(m, helper, model);
  return model;
}

/** Space a record takes: its header plus the data, rounded to 8 bytes. */
function recordSpace(size: number): number {
  return Math.ceil((size + RINGBUF_HDR) / 8) * 8;
}

function ringbufOutput(m: Machine): void {
  const model = ringbuf(m, 'ringbuf_output');
  if (flagsOutside(m, 4, BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return retInt(m, -E.INVAL);
  const size = argHi(m, 3) !== 0 ? Infinity : argU32(m, 3);
  if (size > RINGBUF_MAX_RECORD || model.used + recordSpace(size) > model.def.maxEntries) return retInt(m, -E.AGAIN);
  const data = readBytes(m.mem, argLo(m, 2), argHi(m, 2), size, 'ringbuf_output data');
  model.used += recordSpace(size);
  m.records.ringbuf.push(data);
  retInt(m, 0);
}

function ringbufReserve(m: Machine): void {
  const model = ringbuf(m, 'ringbuf_reserve');
  const size = argHi(m, 2) !== 0 ? Infinity : argU32(m, 2);
  if (flagsOutside(m, 3, 0) || size > RINGBUF_MAX_RECORD || model.used + recordSpace(size) > model.def.maxEntries) return retNull(m);
  model.used += recordSpace(size);
  const r = addRegion(m.mem, 'plain', `ringbuf ${model.path.map} record`, new Uint8Array(size), true);
  m.pendingRecords.set(r.index, model);
  retPtr(m, r, 0);
}

function ringbufCommit(m: Machine, submit: boolean): void {
  const helper = submit ? 'ringbuf_submit' : 'ringbuf_discard';
  const index = argHi(m, 1) - REGION_HI_BASE;
  if (argLo(m, 1) !== 0 || !m.pendingRecords.has(index)) fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper}: r1 is not a reserved ring buffer record`);
  m.pendingRecords.delete(index);
  if (submit) m.records.ringbuf.push(m.mem.regions[index].bytes.slice());
  retInt(m, 0);
}

const BPF_RB_AVAIL_DATA = 0;
const BPF_RB_RING_SIZE = 1;
const BPF_RB_PROD_POS = 3;

function ringbufQuery(m: Machine): void {
  const model = ringbuf(m, 'ringbuf_query');
  const flag = argHi(m, 2) !== 0 ? -1 : argU32(m, 2);
  if (flag === BPF_RB_AVAIL_DATA || flag === BPF_RB_PROD_POS) return retInt(m, model.used);
  if (flag === BPF_RB_RING_SIZE) return retInt(m, model.def.maxEntries);
  retInt(m, 0);
}

const BPF_F_INDEX_MASK = 0xffffffff;
const BPF_F_CURRENT_CPU = 0xffffffff;
const BPF_F_CTXLEN_HI_MASK = 0xfffff;

function perfEventOutput(m: Machine): void {
  const model = argMap(m, 2, 'perf_event_output');
  if (model.kind === 'unsupported') unsupportedMap(m, 'perf_event_output', model);
  if (model.kind !== 'perf-event-array') notForThisMap(m, 'perf_event_output', model);
  if (argHi(m, 3) & ~BPF_F_CTXLEN_HI_MASK) return retInt(m, -E.INVAL);
  const ctxLen = argHi(m, 3);
  const env = m.env;
  const packet = env.packet.bytes.subarray(env.kind === 'skb' ? env.packet.start : env.data, env.packet.end);
  if (ctxLen > packet.length) return retInt(m, -E.FAULT);
  let index = argLo(m, 3) & BPF_F_INDEX_MASK;
  if (index === BPF_F_CURRENT_CPU) index = m.opts.cpu;
  if (index >= model.slots) return retInt(m, -E.E2BIG);
  if (!m.opts.perfEventsOpen) return retInt(m, -E.NOENT);
  const size = argHi(m, 5) !== 0 ? Infinity : argU32(m, 5);
  const data = readBytes(m.mem, argLo(m, 4), argHi(m, 4), size, 'perf_event_output data');
  const record = new Uint8Array(data.length + ctxLen);
  record.set(data);
  record.set(packet.subarray(0, ctxLen), data.length);
  m.records.perfEvents.push(record);
  retInt(m, 0);
}
