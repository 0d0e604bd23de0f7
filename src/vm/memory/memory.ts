import { fail } from '../../errors.js';
import { formatAddress, makeRegion, REGION_HI_BASE, type Region, type RegionExtra, type RegionKind } from './region.js';

/** Context loads and stores follow the program type's rules, not plain memory. */
export interface ContextAccess {
  /** Sets mem.vlo / mem.vhi / mem.vtaint. */
  load(mem: Memory, offset: number, size: number, signExtend: boolean, slot: number): void;
  store(mem: Memory, offset: number, size: number, lo: number, hi: number, taint: number, slot: number): void;
}

/**
 * The region table of one run, plus scratch fields the hot path uses instead of
 * allocating: a load leaves its value in vlo/vhi/vtaint, `locate` leaves the offset in `at`.
 */
export interface Memory {
  readonly regions: Region[];
  readonly littleEndian: boolean;
  ctx: ContextAccess | undefined;
  /** Section of the instruction being executed, for error messages. */
  section: string;
  vlo: number;
  vhi: number;
  vtaint: number;
  at: number;
}

const MAX_REGIONS = 0xffffffff - REGION_HI_BASE;
const TWO32 = 4294967296;

export function createMemory(littleEndian: boolean): Memory {
  return { regions: [], littleEndian, ctx: undefined, section: '', vlo: 0, vhi: 0, vtaint: 0, at: 0 };
}

export function addRegion(
  mem: Memory,
  kind: RegionKind,
  name: string,
  bytes: Uint8Array,
  writable: boolean,
  extra: RegionExtra = {},
): Region {
  if (mem.regions.length >= MAX_REGIONS) fail('VM_UNSUPPORTED', `more than ${MAX_REGIONS} memory regions in one run`);
  const r = makeRegion(mem.regions.length, kind, name, bytes, writable, extra);
  mem.regions.push(r);
  return r;
}

/** The address of byte `offset` of a region. */
export function addressOf(region: Region, offset: number): { lo: number; hi: number } {
  return { lo: offset >>> 0, hi: REGION_HI_BASE + region.index };
}

export function regionHi(region: Region): number {
  return REGION_HI_BASE + region.index;
}

/** The region containing [base + off, base + off + size), or undefined; the offset goes to `mem.at`. */
export function locate(mem: Memory, lo: number, hi: number, off: number, size: number): Region | undefined {
  let a = lo + off;
  let h = hi;
  if (a >= TWO32) {
    a -= TWO32;
    h = (h + 1) >>> 0;
  } else if (a < 0) {
    a += TWO32;
    h = (h - 1) >>> 0;
  }
  const r = mem.regions[h - REGION_HI_BASE];
  if (r === undefined || a < r.start || a + size > r.end) return undefined;
  mem.at = a;
  return r;
}

export function badAccess(mem: Memory, lo: number, hi: number, off: number, size: number, slot: number, write: boolean): never {
  const a = BigInt.asUintN(64, (BigInt(hi) << 32n) + BigInt(lo) + BigInt(off));
  const h = Number(a >> 32n);
  const r = mem.regions[h - REGION_HI_BASE];
  const where = r === undefined ? 'outside every region' : `outside ${r.name} (valid offsets ${r.start}..${r.end})`;
  fail(
    'VM_BAD_ACCESS',
    `${mem.section}+${slot}: ${write ? 'store' : 'load'} of ${size} bytes at ${formatAddress(Number(a & 0xffffffffn), h)} is ${where}`,
  );
}

/** A load of 1, 2, 4 or 8 bytes into mem.vlo/vhi/vtaint. */
export function load(mem: Memory, lo: number, hi: number, off: number, size: number, signExtend: boolean, slot: number): void {
  const r = locate(mem, lo, hi, off, size);
  if (r === undefined) badAccess(mem, lo, hi, off, size, slot, false);
  const at = mem.at;
  if (r.kind !== 'plain') {
    if (r.kind === 'ctx' && mem.ctx) {
      mem.ctx.load(mem, at, size, signExtend, slot);
      return;
    }
    badAccess(mem, lo, hi, off, size, slot, false);
  }
  readValue(mem, r, at, size, signExtend);
  const t = r.taint;
  if (t === null) mem.vtaint = 0;
  else {
    let x = 0;
    for (let i = 0; i < size; i++) x |= t[at + i];
    mem.vtaint = x;
  }
}

/** Reads bytes [at, at + size) of a region as an integer in the object's byte order. */
export function readValue(mem: Memory, r: Region, at: number, size: number, signExtend: boolean): void {
  const le = mem.littleEndian;
  let vlo: number;
  let vhi = 0;
  switch (size) {
    case 1:
      vlo = r.bytes[at];
      if (signExtend && vlo & 0x80) {
        vlo = (vlo | 0xffffff00) >>> 0;
        vhi = 0xffffffff;
      }
      break;
    case 2:
      vlo = r.view.getUint16(at, le);
      if (signExtend && vlo & 0x8000) {
        vlo = (vlo | 0xffff0000) >>> 0;
        vhi = 0xffffffff;
      }
      break;
    case 4:
      vlo = r.view.getUint32(at, le);
      if (signExtend && vlo & 0x80000000) vhi = 0xffffffff;
      break;
    default:
      if (le) {
        vlo = r.view.getUint32(at, true);
        vhi = r.view.getUint32(at + 4, true);
      } else {
        vhi = r.view.getUint32(at, false);
        vlo = r.view.getUint32(at + 4, false);
      }
  }
  mem.vlo = vlo;
  mem.vhi = vhi;
}

/** A store of the low `size` bytes of lo:hi. */
export function store(mem: Memory, lo: number, hi: number, off: number, size: number, vlo: number, vhi: number, vtaint: number, slot: number): void {
  const r = locate(mem, lo, hi, off, size);
  if (r === undefined) badAccess(mem, lo, hi, off, size, slot, true);
  const at = mem.at;
  if (r.kind !== 'plain') {
    if (r.kind === 'ctx' && mem.ctx) {
      mem.ctx.store(mem, at, size, vlo, vhi, vtaint, slot);
      return;
    }
    badAccess(mem, lo, hi, off, size, slot, true);
  }
  if (!r.writable) fail('VM_BAD_ACCESS', `${mem.section}+${slot}: store into read-only ${r.name}`);
  writeValue(mem, r, at, size, vlo, vhi);
  markTaint(r, at, size, vtaint);
}

export function writeValue(mem: Memory, r: Region, at: number, size: number, vlo: number, vhi: number): void {
  const le = mem.littleEndian;
  switch (size) {
    case 1:
      r.bytes[at] = vlo;
      break;
    case 2:
      r.view.setUint16(at, vlo & 0xffff, le);
      break;
    case 4:
      r.view.setUint32(at, vlo >>> 0, le);
      break;
    default:
      if (le) {
        r.view.setUint32(at, vlo >>> 0, true);
        r.view.setUint32(at + 4, vhi >>> 0, true);
      } else {
        r.view.setUint32(at, vhi >>> 0, false);
        r.view.setUint32(at + 4, vlo >>> 0, false);
      }
  }
}

/** Records (or clears) clock taint for bytes just written; shadows appear on first taint. */
export function markTaint(r: Region, at: number, size: number, vtaint: number): void {
  if (r.taint === null) {
    if (vtaint === 0) return;
    // Map values keep their shadow in the store, so taint outlives the run as the value does.
    r.taint = r.shadow ? r.shadow() : new Uint8Array(r.bytes.length);
  }
  r.taint.fill(vtaint ? 1 : 0, at, at + size);
}
