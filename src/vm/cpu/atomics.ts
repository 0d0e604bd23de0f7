import { fail } from '../../errors.js';
import { ATOMIC } from '../code/ops.js';
import type { Machine } from '../machine.js';
import { badAccess, load, locate, store } from '../memory/memory.js';

/**
 * STX | ATOMIC (reference §3.2). Read-modify-write ops act on 4 or 8 bytes of plain
 * memory (stack, map values); the FETCH forms, xchg and cmpxchg return the old value
 * zero-extended for 4-byte operands; cmpxchg compares with r0 and returns in r0.
 * load_acquire and store_release are ordinary loads and stores here.
 */
export function executeAtomic(m: Machine, slot: number, d: number, s: number, off: number, aux: number): void {
  const op = aux & 15;
  const fetch = (aux & 16) !== 0;
  const size = aux >> 8;
  const r = m.regs;
  const mem = m.mem;
  if (op === ATOMIC.load_acquire) {
    load(mem, r.lo[s], r.hi[s], off, size, false, slot);
    r.lo[d] = mem.vlo;
    r.hi[d] = mem.vhi;
    r.taint[d] = mem.vtaint;
    return;
  }
  if (op === ATOMIC.store_release) {
    store(mem, r.lo[d], r.hi[d], off, size, r.lo[s], r.hi[s], r.taint[s], slot);
    return;
  }
  const region = locate(mem, r.lo[d], r.hi[d], off, size);
  if (region === undefined) badAccess(mem, r.lo[d], r.hi[d], off, size, slot, true);
  if (region.kind !== 'plain' || region === m.env.packet) {
    fail(region.kind === 'ctx' ? 'VM_BAD_CONTEXT' : 'VM_BAD_ACCESS', `${mem.section}+${slot}: atomic operation on ${region.name} (the verifier rejects it)`);
  }
  load(mem, r.lo[d], r.hi[d], off, size, false, slot);
  const mask = size === 8 ? (1n << 64n) - 1n : 0xffffffffn;
  const old = (BigInt(mem.vhi) << 32n) | BigInt(mem.vlo);
  const oldTaint = mem.vtaint;
  const src = ((BigInt(r.hi[s]) << 32n) | BigInt(r.lo[s])) & mask;
  let next: bigint | undefined;
  let nextTaint = oldTaint | r.taint[s];
  switch (op) {
    case ATOMIC.add:
      next = (old + src) & mask;
      break;
    case ATOMIC.or:
      next = old | src;
      break;
    case ATOMIC.and:
      next = old & src;
      break;
    case ATOMIC.xor:
      next = old ^ src;
      break;
    case ATOMIC.xchg:
      next = src;
      nextTaint = r.taint[s];
      break;
    case ATOMIC.cmpxchg: {
      const expected = ((BigInt(r.hi[0]) << 32n) | BigInt(r.lo[0])) & mask;
      if (old === expected) {
        next = src;
        nextTaint = r.taint[s];
      }
      r.lo[0] = Number(old & 0xffffffffn);
      r.hi[0] = Number(old >> 32n);
      r.taint[0] = oldTaint;
      break;
    }
    default:
      fail('VM_UNSUPPORTED', `${mem.section}+${slot}: atomic op ${op}`);
  }
  if (next !== undefined) store(mem, r.lo[d], r.hi[d], off, size, Number(next & 0xffffffffn), Number(next >> 32n), nextTaint, slot);
  if (fetch && op !== ATOMIC.cmpxchg) {
    r.lo[s] = Number(old & 0xffffffffn);
    r.hi[s] = Number(old >> 32n);
    r.taint[s] = oldTaint;
  }
}
