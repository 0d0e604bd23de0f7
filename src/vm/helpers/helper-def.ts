import { fail } from '../../errors.js';
import type { Machine } from '../machine.js';
import type { MapModel } from '../maps/model.js';
import { mapAt, setRegAddress } from '../run/addresses.js';
import type { Region } from '../memory/region.js';

/**
 * A helper the interpreter implements: its arity (for the call record) and a function
 * that reads r1..r5 and leaves the result in r0.
 */
export interface HelperDef {
  readonly name: string;
  readonly args: number;
  readonly call: (m: Machine) => void;
  /** The kernel's answer depends on the host or on hidden randomness. */
  readonly hostDependent?: boolean;
}

/** A helper entry: id and definition. */
export type HelperEntry = readonly [number, HelperDef];

export function argLo(m: Machine, i: number): number {
  return m.regs.lo[i];
}

export function argHi(m: Machine, i: number): number {
  return m.regs.hi[i];
}

/** The low 32 bits as unsigned (helpers declared with u32 parameters truncate). */
export function argU32(m: Machine, i: number): number {
  return m.regs.lo[i];
}

export function argS32(m: Machine, i: number): number {
  return m.regs.lo[i] | 0;
}

export function argU64(m: Machine, i: number): bigint {
  return (BigInt(m.regs.hi[i]) << 32n) | BigInt(m.regs.lo[i]);
}

export function argS64(m: Machine, i: number): bigint {
  return BigInt.asIntN(64, argU64(m, i));
}

/** A u64 flags argument: true when any bit outside `allowed` is set. */
export function flagsOutside(m: Machine, i: number, allowed: number): boolean {
  return m.regs.hi[i] !== 0 || (m.regs.lo[i] & ~allowed) !== 0;
}

/** r0 = a signed integer (|v| < 2^53), clean of clock taint. */
export function retInt(m: Machine, v: number): void {
  const r = m.regs;
  r.lo[0] = v >>> 0;
  r.hi[0] = v < 0 ? Math.floor(v / 4294967296) >>> 0 : Math.floor(v / 4294967296);
  r.taint[0] = 0;
}

export function retU64(m: Machine, v: bigint, clock = false): void {
  const x = BigInt.asUintN(64, v);
  m.regs.lo[0] = Number(x & 0xffffffffn);
  m.regs.hi[0] = Number(x >> 32n);
  m.regs.taint[0] = clock ? 1 : 0;
}

export function retPtr(m: Machine, region: Region, offset: number): void {
  setRegAddress(m, 0, region, offset);
}

export function retNull(m: Machine): void {
  retInt(m, 0);
}

/** The map argument i, which the verifier guarantees is a map pointer. */
export function argMap(m: Machine, i: number, helper: string): MapModel {
  const model = mapAt(m, m.regs.lo[i], m.regs.hi[i]);
  if (model === undefined) fail('VM_BAD_ACCESS', `${m.section}+${m.slot}: ${helper}: r${i} is not a map`);
  return model;
}

/** The program type's own name for messages: tc or xdp. */
export function progTypeName(m: Machine): 'tc' | 'xdp' {
  return m.env.kind === 'skb' ? 'tc' : 'xdp';
}

export function notForThisMap(m: Machine, helper: string, model: MapModel): never {
  fail('VM_BAD_CALL', `${m.section}+${m.slot}: ${helper} on ${model.path.map} (${model.kind}): the verifier does not allow it`);
}

export function unsupportedMap(m: Machine, helper: string, model: MapModel): never {
  fail('VM_UNSUPPORTED', `${m.section}+${m.slot}: ${helper} on ${model.path.map}: map type ${model.def.type} is not modelled`);
}
