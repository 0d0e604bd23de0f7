/**
 * The SNAT pool slot from_cube picks for a sandbox: lookup3's hashword() of the
 * sandbox's host-side address (as a host-order number, initval 0), modulo the pool
 * size (coppice_helpers.h, cp_jhash_1word). States use it to put a sandbox's sessions
 * and port reservations on the slot the program will really use.
 */
export function coppiceSnatSlot(hostIp: number, poolSize: number): number {
  return jhashOneWord(hostIp >>> 0, 0) % poolSize;
}

export function jhashOneWord(k: number, initval: number): number {
  let a = (0xdeadbeef + 4 + initval) >>> 0;
  let b = a;
  let c = a;
  a = (a + k) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 24)) >>> 0;
  return c;
}

function rol32(w: number, s: number): number {
  return ((w << s) | (w >>> (32 - s))) >>> 0;
}
