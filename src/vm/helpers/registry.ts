import { fail } from '../../errors.js';
import { helperAvailableIn, helperName } from '../../insn/helper-names.js';
import type { Machine } from '../machine.js';
import { logCall } from '../run/call-log.js';
import { CALLBACK_HELPERS } from './callback-helpers.js';
import { CLOCK_HELPERS, MISC_HELPERS } from './clock-helpers.js';
import { CSUM_HELPERS } from './csum-helpers.js';
import { DYNPTR_HELPERS, DYNPTR_KFUNCS } from './dynptr.js';
import { progTypeName, type HelperDef } from './helper-def.js';
import { HOST_HELPERS } from './host-helpers.js';
import { LOCK_TIMER_HELPERS } from './lock-timer-helpers.js';
import { MAP_HELPERS } from './map-helpers.js';
import { OUTPUT_HELPERS } from './output-helpers.js';
import { PRINTK_HELPERS } from './printk-helpers.js';
import { REDIRECT_HELPERS } from './redirect-helpers.js';
import { SKB_BYTES_HELPERS } from './skb-bytes.js';
import { SKB_META_HELPERS } from './skb-meta.js';
import { SKB_RESIZE_HELPERS } from './skb-resize.js';
import { XDP_HELPERS } from './xdp-helpers.js';

/** Every helper the interpreter implements, by id (tail_call is the interpreter's own). */
const HELPERS: ReadonlyMap<number, HelperDef> = new Map([
  ...MAP_HELPERS,
  ...CLOCK_HELPERS,
  ...MISC_HELPERS,
  ...SKB_BYTES_HELPERS,
  ...CSUM_HELPERS,
  ...SKB_RESIZE_HELPERS,
  ...SKB_META_HELPERS,
  ...REDIRECT_HELPERS,
  ...PRINTK_HELPERS,
  ...CALLBACK_HELPERS,
  ...LOCK_TIMER_HELPERS,
  ...OUTPUT_HELPERS,
  ...HOST_HELPERS,
  ...XDP_HELPERS,
  ...DYNPTR_HELPERS,
]);

export function implementedHelpers(): ReadonlyMap<number, HelperDef> {
  return HELPERS;
}

/** Calls helper `id` with r1..r5 and records the call. */
export function callHelper(m: Machine, id: number): void {
  const def = HELPERS.get(id);
  const name = helperName(id) ?? `helper_${id}`;
  if (helperAvailableIn(id, progTypeName(m)) === false) {
    fail('VM_BAD_CALL', `${m.section}+${m.slot}: helper ${name} (${id}) is not available to ${progTypeName(m)} programs (the verifier says unknown func)`);
  }
  if (def === undefined) fail('VM_UNKNOWN_HELPER', `${m.section}+${m.slot}: helper ${name} (${id}) is not implemented`);
  invoke(m, def);
}

export function callKfunc(m: Machine, name: string): void {
  const def = DYNPTR_KFUNCS.get(name);
  if (def === undefined) fail('VM_UNKNOWN_KFUNC', `${m.section}+${m.slot}: kfunc ${name} is not implemented`);
  invoke(m, def);
}

function invoke(m: Machine, def: HelperDef): void {
  const r = m.regs;
  const argLo = m.scratch.argLo;
  const argHi = m.scratch.argHi;
  for (let i = 1; i <= def.args; i++) {
    argLo[i] = r.lo[i];
    argHi[i] = r.hi[i];
  }
  def.call(m);
  if (def.hostDependent) m.records.hostDependent.add(def.name);
  logCall(m.records.calls, m.slot, m.section, def.name, argLo, argHi, def.args, r.lo[0], r.hi[0]);
}
