/**
 * Conditions of JMP (64-bit) and JMP32 (low 32 bits) jumps. An immediate operand is
 * sign-extended to 64 bits before a JMP compares; JMP32 compares the low halves only.
 */
export const COND = {
  jeq: 0, jgt: 1, jge: 2, jset: 3, jne: 4, jsgt: 5, jsge: 6, jlt: 7, jle: 8, jslt: 9, jsle: 10,
} as const;

/** Signed/unsigned three-way comparison of two 64-bit values given as halves. */
function cmpU64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return ahi < bhi ? -1 : 1;
  return alo === blo ? 0 : alo < blo ? -1 : 1;
}

function cmpS64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi !== bhi) return (ahi | 0) < (bhi | 0) ? -1 : 1;
  return alo === blo ? 0 : alo < blo ? -1 : 1;
}

export function cond64(c: number, alo: number, ahi: number, blo: number, bhi: number): boolean {
  switch (c) {
    case COND.jeq:
      return alo === blo && ahi === bhi;
    case COND.jne:
      return alo !== blo || ahi !== bhi;
    case COND.jset:
      return (alo & blo) !== 0 || (ahi & bhi) !== 0;
    case COND.jgt:
      return cmpU64(alo, ahi, blo, bhi) > 0;
    case COND.jge:
      return cmpU64(alo, ahi, blo, bhi) >= 0;
    case COND.jlt:
      return cmpU64(alo, ahi, blo, bhi) < 0;
    case COND.jle:
      return cmpU64(alo, ahi, blo, bhi) <= 0;
    case COND.jsgt:
      return cmpS64(alo, ahi, blo, bhi) > 0;
    case COND.jsge:
      return cmpS64(alo, ahi, blo, bhi) >= 0;
    case COND.jslt:
      return cmpS64(alo, ahi, blo, bhi) < 0;
    case COND.jsle:
      return cmpS64(alo, ahi, blo, bhi) <= 0;
    default:
      throw new Error(`cond ${c}`);
  }
}

export function cond32(c: number, a: number, b: number): boolean {
  switch (c) {
    case COND.jeq:
      return a === b;
    case COND.jne:
      return a !== b;
    case COND.jset:
      return (a & b) !== 0;
    case COND.jgt:
      return a > b;
    case COND.jge:
      return a >= b;
    case COND.jlt:
      return a < b;
    case COND.jle:
      return a <= b;
    case COND.jsgt:
      return (a | 0) > (b | 0);
    case COND.jsge:
      return (a | 0) >= (b | 0);
    case COND.jslt:
      return (a | 0) < (b | 0);
    case COND.jsle:
      return (a | 0) <= (b | 0);
    default:
      throw new Error(`cond ${c}`);
  }
}
