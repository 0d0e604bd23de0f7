import { fail } from '../../errors.js';
import type { Dynptr, Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes, writeBytes, zeroBytes } from '../memory/helper-memory.js';
import { argHi, argLo, argU32, flagsOutside, retInt, retNull, retPtr, type HelperDef, type HelperEntry } from './helper-def.js';
import { clearHash } from './skb-env.js';

/**
 * Dynptrs over the packet: bpf_dynptr_from_skb / _from_xdp (kfuncs) make one in 16 bytes
 * of program memory, which programs cannot read directly, so we keep its state beside
 * that address. Slices of test_run's linear packet point straight into it.
 */
function dynptrKey(m: Machine, reg: number): string {
  return `${argHi(m, reg)}:${argLo(m, reg)}`;
}

function dynptrArg(m: Machine, reg: number, what: string): Dynptr {
  const d = m.dynptrs.get(dynptrKey(m, reg));
  if (d === undefined) fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${what}: r${reg} is not an initialised dynptr`);
  return d;
}

/** The packet's first byte (skb->data or xdp->data) as an offset in the packet region. */
function packetBase(m: Machine): number {
  return m.env.kind === 'skb' ? m.env.packet.start : m.env.data;
}

/** bpf_dynptr_check_off_len. */
function checkOffLen(d: Dynptr, offset: number, len: number): number {
  return len > d.size || offset > d.size - len ? -E.E2BIG : 0;
}

function fromPacket(kind: 'skb' | 'xdp'): (m: Machine) => void {
  return (m) => {
    if (m.env.kind !== kind) fail('VM_BAD_CALL', `${m.section}+${m.slot}: bpf_dynptr_from_${kind} in a program of the other type`);
    if (flagsOutside(m, 2, 0)) {
      m.dynptrs.set(dynptrKey(m, 3), { kind: 'null', offset: 0, size: 0, readOnly: true });
      return retInt(m, -E.INVAL);
    }
    const size = m.env.kind === 'skb' ? m.env.packet.end - m.env.packet.start : m.env.packet.end - m.env.data;
    m.dynptrs.set(dynptrKey(m, 3), { kind, offset: 0, size, readOnly: false });
    retInt(m, 0);
  };
}

function slice(rdwr: boolean): (m: Machine) => void {
  return (m) => {
    const d = dynptrArg(m, 1, 'bpf_dynptr_slice');
    const offset = argU32(m, 2);
    const len = argU32(m, 4);
    if (d.kind === 'null' || checkOffLen(d, offset, len) !== 0 || (rdwr && d.readOnly)) return retNull(m);
    const env = m.env;
    const at = packetBase(m) + d.offset + offset;
    if (at + len > env.packet.end) return retNull(m);
    retPtr(m, env.packet, at);
  };
}

export const DYNPTR_KFUNCS: ReadonlyMap<string, HelperDef> = new Map([
  ['bpf_dynptr_from_skb', { name: 'bpf_dynptr_from_skb', args: 3, call: fromPacket('skb') }],
  ['bpf_dynptr_from_xdp', { name: 'bpf_dynptr_from_xdp', args: 3, call: fromPacket('xdp') }],
  ['bpf_dynptr_slice', { name: 'bpf_dynptr_slice', args: 4, call: slice(false) }],
  ['bpf_dynptr_slice_rdwr', { name: 'bpf_dynptr_slice_rdwr', args: 4, call: slice(true) }],
]);

/** bpf_dynptr_read / bpf_dynptr_write / bpf_dynptr_data on packet dynptrs. */
export const DYNPTR_HELPERS: readonly HelperEntry[] = [
  [201, { name: 'dynptr_read', args: 5, call: dynptrRead }],
  [202, { name: 'dynptr_write', args: 5, call: dynptrWrite }],
  // Packet dynptrs have no direct data pointer; programs must use the slice kfuncs.
  [203, { name: 'dynptr_data', args: 3, call: (m) => retNull(m) }],
];

function dynptrRead(m: Machine): void {
  const d = dynptrArg(m, 3, 'dynptr_read');
  const len = argU32(m, 2);
  const offset = argU32(m, 4);
  if (d.kind === 'null' || flagsOutside(m, 5, 0)) return retInt(m, -E.INVAL);
  const err = checkOffLen(d, offset, len);
  if (err) return retInt(m, err);
  const at = packetBase(m) + d.offset + offset;
  if (at + len > m.env.packet.end) {
    // __bpf_skb_load_bytes clears the destination when the packet is shorter now.
    zeroBytes(m.mem, argLo(m, 1), argHi(m, 1), len, 'dynptr_read dst');
    return retInt(m, -E.FAULT);
  }
  writeBytes(m.mem, argLo(m, 1), argHi(m, 1), m.env.packet.bytes.slice(at, at + len), 'dynptr_read dst');
  retInt(m, 0);
}

function dynptrWrite(m: Machine): void {
  const d = dynptrArg(m, 1, 'dynptr_write');
  const offset = argU32(m, 2);
  const len = argU32(m, 4);
  if (d.kind === 'null' || d.readOnly) return retInt(m, -E.INVAL);
  const err = checkOffLen(d, offset, len);
  if (err) return retInt(m, err);
  if (d.kind === 'skb' ? flagsOutside(m, 5, 3) : flagsOutside(m, 5, 0)) return retInt(m, -E.INVAL);
  const at = packetBase(m) + d.offset + offset;
  if (at + len > m.env.packet.end) return retInt(m, -E.FAULT);
  m.env.packet.bytes.set(readBytes(m.mem, argLo(m, 3), argHi(m, 3), len, 'dynptr_write src'), at);
  if (d.kind === 'skb' && m.env.kind === 'skb' && argLo(m, 5) & 2) clearHash(m, m.env);
  retInt(m, 0);
}
