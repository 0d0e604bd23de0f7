/**
 * r0..r10 as two u32 halves each, so 64-bit arithmetic needs no BigInt on the hot path,
 * and one clock-taint flag per register.
 */
export interface Registers {
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
  readonly taint: Uint8Array;
}

export function createRegisters(): Registers {
  return { lo: new Uint32Array(11), hi: new Uint32Array(11), taint: new Uint8Array(11) };
}

export function regU64(r: Registers, i: number): bigint {
  return (BigInt(r.hi[i]) << 32n) | BigInt(r.lo[i]);
}

export function setRegU64(r: Registers, i: number, v: bigint): void {
  const x = BigInt.asUintN(64, v);
  r.lo[i] = Number(x & 0xffffffffn);
  r.hi[i] = Number(x >> 32n);
}
