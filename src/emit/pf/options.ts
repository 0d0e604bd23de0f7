/**
 * `set timeout` and `set limit`: the IR's values, checked against the names pfctl knows
 * (pf.md §6), plus the limits the output itself needs (limits.ts). Printed in pfctl's
 * own order, so the output does not depend on the order of the IR's records.
 */
import { fail } from '../../errors.js';
import type { IrState } from '../../ir/types.js';
import { derivedLimits, limitNames } from './limits.js';

/** pfctl's timeout names (pf_timeouts[]), sctp.* since 14.0. */
export const PF_TIMEOUT_NAMES = [
  'tcp.first', 'tcp.opening', 'tcp.established', 'tcp.closing', 'tcp.finwait', 'tcp.closed', 'tcp.tsdiff',
  'sctp.first', 'sctp.opening', 'sctp.established', 'sctp.closing', 'sctp.closed',
  'udp.first', 'udp.single', 'udp.multiple', 'icmp.first', 'icmp.error',
  'other.first', 'other.single', 'other.multiple', 'frag', 'interval', 'adaptive.start', 'adaptive.end', 'src.track',
] as const;

function ordered(values: Readonly<Record<string, number>>, known: readonly string[], what: string): [string, number][] {
  for (const [k, v] of Object.entries(values)) {
    if (!known.includes(k)) fail('EMIT_UNSUPPORTED', `${what} ${JSON.stringify(k)} is not one pfctl knows (${known.join(', ')})`);
    if (!Number.isInteger(v) || v < 0) fail('EMIT_BAD_IR', `${what} ${k}: ${v} is not a whole number`);
  }
  return known.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]);
}

export function timeoutSettings(state: IrState): [string, number][] {
  return ordered(state.timeouts, PF_TIMEOUT_NAMES, 'timeout');
}

export function limitSettings(state: IrState, totals: { readonly tableEntries: number; readonly anchors: number }, legacy: boolean): [string, number][] {
  const names = limitNames(legacy);
  for (const k of Object.keys(state.limits)) {
    if (!names.includes(k)) fail('EMIT_UNSUPPORTED', `limit ${JSON.stringify(k)} is not one pfctl ${legacy ? '14.x' : '15.0'} knows (${names.join(', ')})`);
  }
  const all = derivedLimits(state.limits, totals, legacy);
  for (const [k, v] of Object.entries(all)) if (!Number.isInteger(v) || v < 1) fail('EMIT_BAD_IR', `limit ${k}: ${v} is not a positive whole number`);
  return names.filter((k) => all[k] !== undefined).map((k) => [k, all[k]]);
}
