import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import type { TimerState } from '../maps/store.js';
import { locate } from '../memory/memory.js';
import type { Region } from '../memory/region.js';
import { argHi, argLo, argU32, flagsOutside, retInt, type HelperEntry } from './helper-def.js';

/**
 * bpf_spin_lock / bpf_spin_unlock (one program runs at a time here, so we only check what
 * the verifier guarantees: one lock held at a time, unlocked before exit) and bpf_timer.
 * Timers keep their state beside the map value across runs; a started timer's callback
 * would fire later, outside any test run, so it never runs here.
 */
export const LOCK_TIMER_HELPERS: readonly HelperEntry[] = [
  [93, { name: 'spin_lock', args: 1, call: spinLock }],
  [94, { name: 'spin_unlock', args: 1, call: spinUnlock }],
  [169, { name: 'timer_init', args: 3, call: timerInit }],
  [170, { name: 'timer_set_callback', args: 2, call: timerSetCallback }],
  [171, { name: 'timer_start', args: 3, call: timerStart }],
  [172, { name: 'timer_cancel', args: 1, call: timerCancel }],
];

/** The map value region and offset a lock or timer argument points into. */
function fieldAt(m: Machine, reg: number, size: number, helper: string): { region: Region; at: number } {
  const r = locate(m.mem, argLo(m, reg), argHi(m, reg), 0, size);
  if (r === undefined || r.kind !== 'plain' || !r.name.startsWith('map ')) {
    fail('VM_BAD_ACCESS', `${m.section}+${m.slot}: ${helper}: r${reg} does not point into a map value`);
  }
  return { region: r, at: m.mem.at };
}

function spinLock(m: Machine): void {
  const { region, at } = fieldAt(m, 1, 4, 'spin_lock');
  const id = `${region.index}:${at}`;
  if (m.heldLock !== undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: spin_lock while another bpf_spin_lock is held (the verifier forbids it)`);
  m.heldLock = id;
  retInt(m, 0);
}

function spinUnlock(m: Machine): void {
  const { region, at } = fieldAt(m, 1, 4, 'spin_unlock');
  const id = `${region.index}:${at}`;
  if (m.heldLock !== id) fail('VM_BAD_CALL', `${m.section}+${m.slot}: spin_unlock of a lock that is not held`);
  m.heldLock = undefined;
  retInt(m, 0);
}

const TIMER_SIZE = 16;
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_BOOTTIME = 7;
const BPF_F_TIMER_ABS = 1;
const BPF_F_TIMER_CPU_PIN = 2;

function timer(m: Machine, helper: string): TimerState | undefined {
  const { region, at } = fieldAt(m, 1, TIMER_SIZE, helper);
  return m.store.timers.get(region.bytes)?.get(at);
}

function timerInit(m: Machine): void {
  const { region, at } = fieldAt(m, 1, TIMER_SIZE, 'timer_init');
  const clock = argHi(m, 3) !== 0 ? -1 : argU32(m, 3);
  if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) return retInt(m, -E.INVAL);
  let timers = m.store.timers.get(region.bytes);
  if (timers === undefined) {
    timers = new Map();
    m.store.timers.set(region.bytes, timers);
  }
  if (timers.has(at)) return retInt(m, -E.BUSY);
  timers.set(at, { callback: false, active: false });
  retInt(m, 0);
}

function timerSetCallback(m: Machine): void {
  const t = timer(m, 'timer_set_callback');
  if (t === undefined) return retInt(m, -E.INVAL);
  t.callback = true;
  retInt(m, 0);
}

function timerStart(m: Machine): void {
  const t = timer(m, 'timer_start');
  if (flagsOutside(m, 3, BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)) return retInt(m, -E.INVAL);
  if (t === undefined || !t.callback) return retInt(m, -E.INVAL);
  t.active = true;
  retInt(m, 0);
}

function timerCancel(m: Machine): void {
  const t = timer(m, 'timer_cancel');
  if (t === undefined) return retInt(m, -E.INVAL);
  const was = t.active;
  t.active = false;
  retInt(m, was ? 1 : 0);
}
