/**
 * dummynet's limits and units, in one place. dnctl(8) parses pipe parameters exactly as
 * ipfw(8) does (sbin/ipfw/dummynet.c; /work/shared/reference/pf.md §8):
 *
 * - `bw`: a number, an optional multiplier K/M/G (powers of 1000), then `bit/s` (the
 *   default) or `Byte/s` (x8). The value is held in a signed 32-bit int (the kernel's
 *   `dn_link.bandwidth` is an int too), so 2147483647 bit/s is the most a pipe can be
 *   given; larger values are refused ("bandwidth too large") or, in code that does not
 *   check, wrap. `0` means unlimited.
 * - `delay`: whole milliseconds (parsed with strtoul: `5.5` would silently become 5).
 * - `burst`: bytes.
 *
 * eBPF maps hold rates in bytes per second; `bw` is written in bit/s (bytes x 8), so a
 * whole number of bytes per second is always exact, and K/M/G is used only when the
 * bit rate is a whole multiple of it.
 */
import { fail } from '../../errors.js';

export const DUMMYNET_LIMITS = {
  /** INT32_MAX: the bandwidth field is a signed 32-bit int (pf.md §8). */
  maxBitsPerSecond: 2147483647,
  /**
   * dnctl's usage text for `delay` says 0..10000 ms (sbin/ipfw/dummynet.c, "delay needs
   * argument 0..10000ms"; not in the reference, unverified on 15.0).
   */
  maxDelayMs: 10000,
  /** dnctl refuses a burst outside 0..2^48-1 (sbin/ipfw/dummynet.c; unverified on 15.0). */
  maxBurstBytes: 2 ** 48 - 1,
} as const;

/** The multipliers `bw` accepts, largest first. */
const BW_UNITS: readonly { readonly suffix: string; readonly factor: number }[] = [
  { suffix: 'G', factor: 1e9 },
  { suffix: 'M', factor: 1e6 },
  { suffix: 'K', factor: 1e3 },
];

/**
 * `bw` text for a bit rate: `10Mbit/s` for 10,000,000, `8bit/s` for 8. Exact by
 * construction (the largest multiplier that divides the rate). EMIT_LIMIT outside
 * 1..maxBitsPerSecond: never a wrapped or rounded value.
 */
export function bwText(bitsPerSecond: number): string {
  if (!Number.isSafeInteger(bitsPerSecond) || bitsPerSecond < 1 || bitsPerSecond > DUMMYNET_LIMITS.maxBitsPerSecond) {
    fail('EMIT_LIMIT', `dummynet bandwidth ${bitsPerSecond} bit/s is outside 1..${DUMMYNET_LIMITS.maxBitsPerSecond} (dnctl holds bw in a signed 32-bit int)`);
  }
  for (const u of BW_UNITS) {
    if (bitsPerSecond % u.factor === 0) return `${bitsPerSecond / u.factor}${u.suffix}bit/s`;
  }
  return `${bitsPerSecond}bit/s`;
}

export type BandwidthProblem =
  | 'zero' // bw 0 means unlimited to dummynet; what 0 meant to the program is unknown
  | 'inexact' // not a whole number of bits per second
  | 'too-large'; // more than a signed 32-bit int of bit/s

export type Bandwidth =
  | { readonly ok: true; readonly bytesPerSecond: number; readonly bitsPerSecond: number; readonly text: string }
  | { readonly ok: false; readonly bytesPerSecond: number; readonly problem: BandwidthProblem; readonly message: string };

/** What a rate in bytes per second becomes as a dummynet `bw`, or why it cannot. */
export function bandwidthFromBytes(bytesPerSecond: number): Bandwidth {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
    fail('EMIT_BAD_IR', `a rate of ${bytesPerSecond} bytes/s is not a rate`);
  }
  if (bytesPerSecond === 0) {
    return { ok: false, bytesPerSecond, problem: 'zero', message: 'the rate is 0 bytes/s, and dummynet reads bw 0 as unlimited' };
  }
  const bits = bytesPerSecond * 8;
  if (!Number.isSafeInteger(bits)) {
    return { ok: false, bytesPerSecond, problem: 'inexact', message: `${bytesPerSecond} bytes/s is not a whole number of bit/s (dummynet takes whole bit/s)` };
  }
  if (bits > DUMMYNET_LIMITS.maxBitsPerSecond) {
    return {
      ok: false,
      bytesPerSecond,
      problem: 'too-large',
      message: `${bytesPerSecond} bytes/s is ${bits} bit/s, more than the ${DUMMYNET_LIMITS.maxBitsPerSecond} bit/s dummynet's bw holds (a signed 32-bit int)`,
    };
  }
  return { ok: true, bytesPerSecond, bitsPerSecond: bits, text: bwText(bits) };
}

/** A delay in whole ms within dnctl's range; EMIT_BAD_IR / EMIT_LIMIT otherwise. */
export function checkDelay(ms: number, what: string): number {
  if (!Number.isInteger(ms) || ms < 0) fail('EMIT_BAD_IR', `${what}: delay ${ms} ms is not a whole number of milliseconds (dnctl would cut it silently)`);
  if (ms > DUMMYNET_LIMITS.maxDelayMs) fail('EMIT_LIMIT', `${what}: delay ${ms} ms is more than dnctl's ${DUMMYNET_LIMITS.maxDelayMs} ms`);
  return ms;
}

/** A burst in whole bytes within dnctl's range; EMIT_BAD_IR / EMIT_LIMIT otherwise. */
export function checkBurst(bytes: number, what: string): number {
  if (!Number.isInteger(bytes) || bytes < 0) fail('EMIT_BAD_IR', `${what}: burst ${bytes} is not a whole number of bytes`);
  if (bytes > DUMMYNET_LIMITS.maxBurstBytes) fail('EMIT_LIMIT', `${what}: burst ${bytes} bytes is more than dnctl's 2^48-1`);
  return bytes;
}
