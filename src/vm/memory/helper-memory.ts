import { fail } from '../../errors.js';
import { formatAddress, type Region } from './region.js';
import { locate, type Memory } from './memory.js';

/**
 * Memory a helper reads or writes through a pointer argument. The verifier has checked
 * that such an argument points at enough initialised, plain memory; we check again and
 * stop with VM_BAD_ACCESS naming the helper argument when it does not.
 */
export function plainRange(mem: Memory, lo: number, hi: number, len: number, what: string, write: boolean): { region: Region; at: number } {
  const r = locate(mem, lo, hi, 0, len);
  if (r === undefined || r.kind !== 'plain') {
    fail('VM_BAD_ACCESS', `${mem.section}: ${what}: ${len} bytes at ${formatAddress(lo, hi)} are not in program-accessible memory`);
  }
  if (write && !r.writable) fail('VM_BAD_ACCESS', `${mem.section}: ${what}: ${r.name} is read-only`);
  return { region: r, at: mem.at };
}

/** A copy of `len` bytes. */
export function readBytes(mem: Memory, lo: number, hi: number, len: number, what: string): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  const { region, at } = plainRange(mem, lo, hi, len, what, false);
  return region.bytes.slice(at, at + len);
}

/** The clock taint of `len` bytes, or null when none of them is tainted. */
export function readTaint(mem: Memory, lo: number, hi: number, len: number): Uint8Array | null {
  if (len === 0) return null;
  const r = locate(mem, lo, hi, 0, len);
  if (r === undefined || r.taint === null) return null;
  const t = r.taint.slice(mem.at, mem.at + len);
  return t.some((x) => x !== 0) ? t : null;
}

export function writeBytes(mem: Memory, lo: number, hi: number, data: Uint8Array, what: string, taint: Uint8Array | null = null): void {
  if (data.length === 0) return;
  const { region, at } = plainRange(mem, lo, hi, data.length, what, true);
  region.bytes.set(data, at);
  if (taint !== null) {
    if (region.taint === null) region.taint = region.shadow ? region.shadow() : new Uint8Array(region.bytes.length);
    region.taint.set(taint, at);
  } else if (region.taint !== null) region.taint.fill(0, at, at + data.length);
}

/** Zero-fills `len` bytes (helpers that clear their output buffer on failure). */
export function zeroBytes(mem: Memory, lo: number, hi: number, len: number, what: string): void {
  if (len === 0) return;
  const { region, at } = plainRange(mem, lo, hi, len, what, true);
  region.bytes.fill(0, at, at + len);
  if (region.taint !== null) region.taint.fill(0, at, at + len);
}

/** A NUL-terminated string of at most `max` bytes (without the NUL); undefined when unreadable. */
export function readCString(mem: Memory, lo: number, hi: number, max: number): string | undefined {
  const r = locate(mem, lo, hi, 0, 1);
  if (r === undefined || r.kind !== 'plain') return undefined;
  let s = '';
  for (let i = mem.at; i < r.end && s.length < max; i++) {
    const c = r.bytes[i];
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}
