import type { Registers } from './registers.js';

/**
 * ALU and ALU64 arithmetic with the kernel's edge cases (reference §3.2): 32-bit results
 * zero-extend; division by zero gives 0; modulo by zero keeps the dividend (truncated to
 * 32 bits in ALU); shift counts are masked to 31 or 63; SDIV of INT_MIN by -1 wraps to
 * INT_MIN and SMOD gives 0; signed division truncates toward zero.
 *
 * Operations are numbered as in AluOp order so compiled code can carry them as numbers.
 */
export const ALU = {
  add: 0, sub: 1, mul: 2, div: 3, sdiv: 4, or: 5, and: 6, lsh: 7, rsh: 8, neg: 9, mod: 10,
  smod: 11, xor: 12, mov: 13, movsx: 14, arsh: 15,
} as const;

const TWO32 = 4294967296;

function toU64(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function setU64(r: Registers, d: number, v: bigint): void {
  const x = BigInt.asUintN(64, v);
  r.lo[d] = Number(x & 0xffffffffn);
  r.hi[d] = Number(x >> 32n);
}

/** dst = dst op b over 64 bits; `ext` is movsx's source width. */
export function alu64(r: Registers, op: number, d: number, blo: number, bhi: number, ext: number): void {
  const lo = r.lo;
  const hi = r.hi;
  const alo = lo[d];
  const ahi = hi[d];
  switch (op) {
    case ALU.add: {
      const s = alo + blo;
      lo[d] = s;
      hi[d] = ahi + bhi + (s >= TWO32 ? 1 : 0);
      return;
    }
    case ALU.sub: {
      const s = alo - blo;
      lo[d] = s;
      hi[d] = ahi - bhi - (s < 0 ? 1 : 0);
      return;
    }
    case ALU.mul:
      mul64(r, d, alo, ahi, blo, bhi);
      return;
    case ALU.div:
      if (blo === 0 && bhi === 0) {
        lo[d] = 0;
        hi[d] = 0;
      } else if (ahi === 0 && bhi === 0) {
        lo[d] = Math.floor(alo / blo);
      } else setU64(r, d, toU64(alo, ahi) / toU64(blo, bhi));
      return;
    case ALU.sdiv:
      if (blo === 0 && bhi === 0) {
        lo[d] = 0;
        hi[d] = 0;
      } else setU64(r, d, BigInt.asIntN(64, toU64(alo, ahi)) / BigInt.asIntN(64, toU64(blo, bhi)));
      return;
    case ALU.mod:
      if (blo === 0 && bhi === 0) return;
      if (ahi === 0 && bhi === 0) lo[d] = alo % blo;
      else setU64(r, d, toU64(alo, ahi) % toU64(blo, bhi));
      return;
    case ALU.smod:
      if (blo === 0 && bhi === 0) return;
      setU64(r, d, BigInt.asIntN(64, toU64(alo, ahi)) % BigInt.asIntN(64, toU64(blo, bhi)));
      return;
    case ALU.or:
      lo[d] = alo | blo;
      hi[d] = ahi | bhi;
      return;
    case ALU.and:
      lo[d] = alo & blo;
      hi[d] = ahi & bhi;
      return;
    case ALU.xor:
      lo[d] = alo ^ blo;
      hi[d] = ahi ^ bhi;
      return;
    case ALU.lsh: {
      const n = blo & 63;
      if (n === 0) return;
      if (n < 32) {
        hi[d] = (ahi << n) | (alo >>> (32 - n));
        lo[d] = alo << n;
      } else {
        hi[d] = alo << (n - 32);
        lo[d] = 0;
      }
      return;
    }
    case ALU.rsh: {
      const n = blo & 63;
      if (n === 0) return;
      if (n < 32) {
        lo[d] = (alo >>> n) | (ahi << (32 - n));
        hi[d] = ahi >>> n;
      } else {
        lo[d] = ahi >>> (n - 32);
        hi[d] = 0;
      }
      return;
    }
    case ALU.arsh: {
      const n = blo & 63;
      if (n === 0) return;
      if (n < 32) {
        lo[d] = (alo >>> n) | (ahi << (32 - n));
        hi[d] = (ahi | 0) >> n;
      } else {
        lo[d] = (ahi | 0) >> (n - 32);
        hi[d] = (ahi | 0) >> 31;
      }
      return;
    }
    case ALU.neg: {
      const s = 0 - alo;
      lo[d] = s;
      hi[d] = 0 - ahi - (s < 0 ? 1 : 0);
      return;
    }
    case ALU.mov:
      lo[d] = blo;
      hi[d] = bhi;
      return;
    case ALU.movsx: {
      const v = ext === 8 ? (blo << 24) >> 24 : ext === 16 ? (blo << 16) >> 16 : blo | 0;
      lo[d] = v;
      hi[d] = v < 0 ? 0xffffffff : 0;
      return;
    }
    default:
      throw new Error(`alu64: op ${op}`);
  }
}

/** The low 64 bits of a 64x64 product, in 16-bit limbs so every partial product is exact. */
function mul64(r: Registers, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const a48 = ahi >>> 16;
  const a32 = ahi & 0xffff;
  const a16 = alo >>> 16;
  const a00 = alo & 0xffff;
  const b48 = bhi >>> 16;
  const b32 = bhi & 0xffff;
  const b16 = blo >>> 16;
  const b00 = blo & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = Math.floor(c16 / 65536);
  c16 %= 65536;
  c16 += a00 * b16;
  c32 += Math.floor(c16 / 65536);
  c16 %= 65536;
  c32 += a32 * b00;
  let c48 = Math.floor(c32 / 65536);
  c32 %= 65536;
  c32 += a16 * b16;
  c48 += Math.floor(c32 / 65536);
  c32 %= 65536;
  c32 += a00 * b32;
  c48 += Math.floor(c32 / 65536);
  c32 %= 65536;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 %= 65536;
  r.lo[d] = c16 * 65536 + c00;
  r.hi[d] = c48 * 65536 + c32;
}

/** dst = (u32)(dst op b), zero-extended. */
export function alu32(r: Registers, op: number, d: number, b: number, ext: number): void {
  const lo = r.lo;
  const a = lo[d];
  r.hi[d] = 0;
  switch (op) {
    case ALU.add:
      lo[d] = a + b;
      return;
    case ALU.sub:
      lo[d] = a - b;
      return;
    case ALU.mul:
      lo[d] = Math.imul(a, b);
      return;
    case ALU.div:
      lo[d] = b === 0 ? 0 : Math.floor(a / b);
      return;
    case ALU.sdiv:
      lo[d] = b === 0 ? 0 : Math.trunc((a | 0) / (b | 0));
      return;
    case ALU.mod:
      if (b !== 0) lo[d] = a % b;
      return;
    case ALU.smod:
      if (b !== 0) lo[d] = (a | 0) % (b | 0);
      return;
    case ALU.or:
      lo[d] = a | b;
      return;
    case ALU.and:
      lo[d] = a & b;
      return;
    case ALU.xor:
      lo[d] = a ^ b;
      return;
    case ALU.lsh:
      lo[d] = a << (b & 31);
      return;
    case ALU.rsh:
      lo[d] = a >>> (b & 31);
      return;
    case ALU.arsh:
      lo[d] = (a | 0) >> (b & 31);
      return;
    case ALU.neg:
      lo[d] = -a;
      return;
    case ALU.mov:
      lo[d] = b;
      return;
    case ALU.movsx:
      lo[d] = ext === 8 ? (b << 24) >> 24 : ext === 16 ? (b << 16) >> 16 : b;
      return;
    default:
      throw new Error(`alu32: op ${op}`);
  }
}

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * BPF_END. `swap` says whether this instruction swaps on this object's byte order (be on
 * a little-endian object, le on a big-endian one, bswap always); otherwise it truncates
 * to `bits` (le16 on little endian is a mask, not a no-op).
 */
export function byteSwap(r: Registers, d: number, bits: number, swap: boolean): void {
  const lo = r.lo[d];
  const hi = r.hi[d];
  if (bits === 16) {
    r.lo[d] = swap ? bswap16(lo) : lo & 0xffff;
    r.hi[d] = 0;
  } else if (bits === 32) {
    r.lo[d] = swap ? bswap32(lo) : lo;
    r.hi[d] = 0;
  } else if (swap) {
    r.lo[d] = bswap32(hi);
    r.hi[d] = bswap32(lo);
  }
}
