import { fail } from '../../errors.js';
import type { LddwValue, ProgramEntry, SectionImage } from '../code/image.js';
import type { Machine } from '../machine.js';
import { logCall } from '../run/call-log.js';
import { arraySlot } from '../maps/array-ops.js';
import { indexKey } from '../maps/model.js';
import { codeRegion, mapAt, mapHandleRegion, setRegAddress, valueRegion } from '../run/addresses.js';

/** The section image a call or tail call lands in. */
export function sectionImage(m: Machine, section: string): SectionImage {
  const img = m.code.sections.get(section);
  if (img === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: no code in section ${section}`);
  return img;
}

/**
 * bpf_tail_call (reference §4.2): the target program's entry, or undefined when the call
 * fails and execution continues after it: an index past max_entries, the limit reached,
 * or an empty slot. Only calls that succeed count toward the limit (the x86 JIT on 6.18
 * increments the counter after the slot check; measured: 33 calls into an empty slot
 * leave the next call into a full one working).
 */
export function tailCall(m: Machine): ProgramEntry | undefined {
  const r = m.regs;
  const model = mapAt(m, r.lo[2], r.hi[2]);
  if (model === undefined || model.kind !== 'prog-array') fail('VM_BAD_CALL', `${m.section}+${m.slot}: tail_call: r2 is not a PROG_ARRAY`);
  const index = r.lo[3];
  let entry: ProgramEntry | undefined;
  if (index < model.def.maxEntries && m.tailCalls < m.opts.tailCallLimit) {
    const name = model.slots.get(index);
    if (name !== undefined) {
      entry = m.code.programs.get(name);
      if (entry === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: tail_call: ${model.path.map}[${index}] names unknown program ${name}`);
      m.tailCalls++;
    }
  }
  // tail_call returns nothing; the record says 0 for a call that went, -1 for one that failed.
  logCall(m.records.calls, m.slot, m.section, 'tail_call', r.lo, r.hi, 3, entry ? 0 : 0xffffffff, entry ? 0 : 0xffffffff);
  return entry;
}

/** lddw: a constant, or the run's address of a map, a global, or a function. */
export function loadImm64(m: Machine, v: LddwValue | undefined, d: number): void {
  const r = m.regs;
  if (v === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: lddw was not compiled`);
  switch (v.kind) {
    case 'const':
      r.lo[d] = v.lo;
      r.hi[d] = v.hi;
      r.taint[d] = 0;
      return;
    case 'map': {
      const model = m.store.maps[v.map];
      if (model === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: lddw of unknown map ${v.map}`);
      setRegAddress(m, d, mapHandleRegion(m, model), 0);
      return;
    }
    case 'global': {
      let region = m.globals.get(v.section);
      if (region === undefined) {
        const model = m.store.maps[v.section];
        if (model === undefined || model.kind !== 'array') fail('VM_BAD_CALL', `${m.section}+${m.slot}: lddw of data section ${v.section}, which has no internal map`);
        region = valueRegion(m, model, indexKey(0, m.store.littleEndian), arraySlot(model, 0, m.opts.cpu), !model.readOnly);
        m.globals.set(v.section, region);
      }
      setRegAddress(m, d, region, v.offset);
      return;
    }
    case 'callback':
      setRegAddress(m, d, codeRegion(m, v.target), 0);
      return;
    case 'ksym':
      fail('VM_UNSUPPORTED', `${m.section}+${m.slot}: address of kernel symbol ${v.name} (ksym)`);
      break;
    case 'unsupported':
      fail('VM_UNSUPPORTED', `${m.section}+${m.slot}: ${v.what}`);
      break;
    default: {
      const never: never = v;
      return never;
    }
  }
}
