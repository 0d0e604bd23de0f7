import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALU, alu32, alu64, byteSwap } from '../../src/vm/cpu/alu.js';
import { COND, cond32, cond64 } from '../../src/vm/cpu/jump.js';
import { createRegisters, regU64, setRegU64 } from '../../src/vm/cpu/registers.js';

/**
 * ALU and jump semantics: the reference's facts (§3.2) as examples, then property tests
 * against a BigInt model written here from the instruction-set document, independently
 * of the interpreter's two-u32 arithmetic.
 */
const M64 = (1n << 64n) - 1n;
const M32 = 0xffffffffn;

function run64(op: keyof typeof ALU, a: bigint, b: bigint, ext = 0): bigint {
  const r = createRegisters();
  setRegU64(r, 0, a);
  alu64(r, ALU[op], 0, Number(b & M32), Number((b >> 32n) & M32), ext);
  return regU64(r, 0);
}

function run32(op: keyof typeof ALU, a: bigint, b: bigint, ext = 0): bigint {
  const r = createRegisters();
  setRegU64(r, 0, a);
  alu32(r, ALU[op], 0, Number(b & M32), ext);
  return regU64(r, 0);
}

const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

/** The model: instruction-set.rst, one line per operation. */
function model(op: keyof typeof ALU, a: bigint, b: bigint, width: 32 | 64, ext = 0): bigint {
  const mask = width === 64 ? M64 : M32;
  const sx = width === 64 ? s64 : s32;
  const x = a & mask;
  const y = b & mask;
  const bits = BigInt(width);
  let r: bigint;
  switch (op) {
    case 'add': r = x + y; break;
    case 'sub': r = x - y; break;
    case 'mul': r = x * y; break;
    case 'div': r = y === 0n ? 0n : x / y; break;
    case 'sdiv': r = y === 0n ? 0n : sx(x) / sx(y); break;
    case 'mod': r = y === 0n ? x : x % y; break;
    case 'smod': r = y === 0n ? x : sx(x) % sx(y); break;
    case 'or': r = x | y; break;
    case 'and': r = x & y; break;
    case 'xor': r = x ^ y; break;
    case 'lsh': r = x << (y & (bits - 1n)); break;
    case 'rsh': r = x >> (y & (bits - 1n)); break;
    case 'arsh': r = sx(x) >> (y & (bits - 1n)); break;
    case 'neg': r = -x; break;
    case 'mov': r = y; break;
    case 'movsx': r = BigInt.asIntN(ext, y); break;
    default: throw new Error(op);
  }
  return r & mask;
}

describe('ALU facts from the reference', () => {
  it('division by zero gives 0, modulo by zero keeps the dividend (truncated in ALU)', () => {
    expect(run64('div', 1234n, 0n)).toBe(0n);
    expect(run32('div', 0xffff_ffff_0000_0005n, 0n)).toBe(0n);
    expect(run64('mod', 0x1_0000_0007n, 0n)).toBe(0x1_0000_0007n);
    expect(run32('mod', 0x1_0000_0007n, 0n)).toBe(7n);
    expect(run64('sdiv', 5n, 0n)).toBe(0n);
    expect(run64('smod', -5n & M64, 0n)).toBe(-5n & M64);
    expect(run32('smod', 0xdead_0000_ffff_fffbn, 0n)).toBe(0xffff_fffbn);
  });

  it('INT_MIN divided by -1 wraps and the remainder is 0; signed division truncates', () => {
    expect(run64('sdiv', 1n << 63n, M64)).toBe(1n << 63n);
    expect(run64('smod', 1n << 63n, M64)).toBe(0n);
    expect(run32('sdiv', 0x8000_0000n, M32)).toBe(0x8000_0000n);
    expect(run32('smod', 0x8000_0000n, M32)).toBe(0n);
    expect(s64(run64('smod', -13n & M64, 3n))).toBe(-1n);
    expect(s64(run64('sdiv', -13n & M64, 3n))).toBe(-4n);
  });

  it('masks shift counts to 63 and 31', () => {
    expect(run64('lsh', 1n, 65n)).toBe(2n);
    expect(run32('lsh', 1n, 33n)).toBe(2n);
    expect(run64('rsh', 1n << 63n, 127n)).toBe(1n);
    expect(run64('arsh', 1n << 63n, 63n)).toBe(M64);
    expect(run32('arsh', 0x8000_0000n, 31n)).toBe(M32);
  });

  it('zero-extends 32-bit results and sign-extends 64-bit immediates', () => {
    expect(run32('mov', 0xffff_ffff_ffff_ffffn, M32)).toBe(M32);
    expect(run32('add', 0xffff_ffff_ffff_ffffn, 1n)).toBe(0n);
    expect(run64('add', 0n, M64)).toBe(M64);
  });

  it('movsx sign-extends 8/16/32 bits', () => {
    expect(run64('movsx', 0n, 0x80n, 8)).toBe(0xffff_ffff_ffff_ff80n);
    expect(run64('movsx', 0n, 0x7fffn, 16)).toBe(0x7fffn);
    expect(run64('movsx', 0n, 0x8000_0000n, 32)).toBe(0xffff_ffff_8000_0000n);
    expect(run32('movsx', 0n, 0x8000n, 16)).toBe(0xffff_8000n);
  });

  it('le on a little-endian object truncates, be swaps, bswap always swaps', () => {
    const r = createRegisters();
    const swap = (v: bigint, bits: 16 | 32 | 64, doSwap: boolean): bigint => {
      setRegU64(r, 0, v);
      byteSwap(r, 0, bits, doSwap);
      return regU64(r, 0);
    };
    expect(swap(0x1122_3344_5566_7788n, 16, false)).toBe(0x7788n);
    expect(swap(0x1122_3344_5566_7788n, 32, false)).toBe(0x5566_7788n);
    expect(swap(0x1122_3344_5566_7788n, 64, false)).toBe(0x1122_3344_5566_7788n);
    expect(swap(0x1122_3344_5566_7788n, 16, true)).toBe(0x8877n);
    expect(swap(0x1122_3344_5566_7788n, 32, true)).toBe(0x8877_6655n);
    expect(swap(0x1122_3344_5566_7788n, 64, true)).toBe(0x8877_6655_4433_2211n);
  });
});

const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.constantFrom(0n, 1n, M64, M32, 1n << 63n, 1n << 31n, 0x8000_0000n, 63n, 64n, 31n, 32n),
);
const ops = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'neg', 'mov'] as const;

describe('ALU matches a BigInt model', () => {
  it('64-bit', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ops), u64, u64, (op, a, b) => {
        expect(run64(op, a, b)).toBe(model(op, a, b, 64));
      }),
      { numRuns: 20000 },
    );
  });

  it('32-bit (upper half of the destination ignored, result zero-extended)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ops), u64, u64, (op, a, b) => {
        expect(run32(op, a, b)).toBe(model(op, a, b, 32));
      }),
      { numRuns: 20000 },
    );
  });

  it('movsx', () => {
    fc.assert(
      fc.property(fc.constantFrom(8, 16, 32), u64, (ext, b) => {
        expect(run64('movsx', 0n, b, ext)).toBe(model('movsx', 0n, b, 64, ext));
        if (ext !== 32) expect(run32('movsx', 0n, b, ext)).toBe(model('movsx', 0n, b, 32, ext));
      }),
    );
  });
});

describe('jump conditions', () => {
  const conds = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'] as const;
  const reference = (c: (typeof conds)[number], a: bigint, b: bigint, width: 32 | 64): boolean => {
    const mask = width === 64 ? M64 : M32;
    const sx = width === 64 ? s64 : s32;
    const x = a & mask;
    const y = b & mask;
    switch (c) {
      case 'jeq': return x === y;
      case 'jne': return x !== y;
      case 'jgt': return x > y;
      case 'jge': return x >= y;
      case 'jlt': return x < y;
      case 'jle': return x <= y;
      case 'jsgt': return sx(x) > sx(y);
      case 'jsge': return sx(x) >= sx(y);
      case 'jslt': return sx(x) < sx(y);
      case 'jsle': return sx(x) <= sx(y);
      case 'jset': return (x & y) !== 0n;
    }
  };
  const lo = (x: bigint): number => Number(x & M32);
  const hi = (x: bigint): number => Number((x >> 32n) & M32);

  it('JMP32 compares only the low halves', () => {
    expect(cond32(COND.jeq, lo(0x1_0000_0000n), lo(0n))).toBe(true);
    expect(cond64(COND.jeq, lo(0x1_0000_0000n), hi(0x1_0000_0000n), 0, 0)).toBe(false);
    expect(cond32(COND.jslt, lo(0x8000_0000n), 0)).toBe(true);
    expect(cond64(COND.jslt, lo(0x8000_0000n), 0, 0, 0)).toBe(false);
  });

  it('an immediate is sign-extended to 64 bits for JMP', () => {
    // jgt r, -1 is never taken: -1 becomes 0xffffffffffffffff.
    expect(cond64(COND.jgt, 0xffff_ffff, 0, 0xffff_ffff, 0xffff_ffff)).toBe(false);
    expect(cond64(COND.jeq, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff)).toBe(true);
  });

  it('match a BigInt model', () => {
    fc.assert(
      fc.property(fc.constantFrom(...conds), u64, u64, (c, a, b) => {
        expect(cond64(COND[c], lo(a), hi(a), lo(b), hi(b))).toBe(reference(c, a, b, 64));
        expect(cond32(COND[c], lo(a), lo(b))).toBe(reference(c, a, b, 32));
      }),
      { numRuns: 20000 },
    );
  });
});
