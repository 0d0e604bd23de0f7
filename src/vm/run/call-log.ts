import type { HelperCallRecord } from '../options.js';

/**
 * Helper calls as a run makes them, kept as plain numbers (one flat array, no BigInt or
 * record per call) and turned into HelperCallRecords only when the result's
 * `helperCalls` is read: recording every call otherwise costs a fifth of the run.
 *
 * Layout per call: slot, section id, name id, argument count n, then n (lo, hi) pairs,
 * then r0's (lo, hi).
 */
export interface CallLog {
  readonly numbers: number[];
  readonly names: string[];
  readonly ids: Map<string, number>;
}

export function createCallLog(): CallLog {
  return { numbers: [], names: [], ids: new Map() };
}

function id(log: CallLog, name: string): number {
  let i = log.ids.get(name);
  if (i === undefined) {
    i = log.names.length;
    log.names.push(name);
    log.ids.set(name, i);
  }
  return i;
}

/** Logs a call whose arguments were r1..r`args` as given and whose result is r0 now. */
export function logCall(log: CallLog, slot: number, section: string, helper: string, argLo: ArrayLike<number>, argHi: ArrayLike<number>, args: number, retLo: number, retHi: number): void {
  const n = log.numbers;
  n.push(slot, id(log, section), id(log, helper), args);
  for (let i = 1; i <= args; i++) n.push(argLo[i], argHi[i]);
  n.push(retLo, retHi);
}

export function callRecords(log: CallLog): HelperCallRecord[] {
  const out: HelperCallRecord[] = [];
  const n = log.numbers;
  const u64 = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);
  for (let i = 0; i < n.length; ) {
    const slot = n[i];
    const section = log.names[n[i + 1]];
    const helper = log.names[n[i + 2]];
    const count = n[i + 3];
    i += 4;
    const args: bigint[] = [];
    for (let k = 0; k < count; k++, i += 2) args.push(u64(n[i], n[i + 1]));
    out.push({ slot, section, helper, args, ret: u64(n[i], n[i + 1]) });
    i += 2;
  }
  return out;
}
