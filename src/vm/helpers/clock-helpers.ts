import type { Machine } from '../machine.js';
import { retInt, retU64, type HelperEntry } from './helper-def.js';

/**
 * Clocks read the run's virtual time (VmOptions.now, .bootNs) and taint r0: anything
 * computed from them and stored into a map value or the context is reported as
 * time-derived, since the kernel's clock will say something else.
 */
export const CLOCK_HELPERS: readonly HelperEntry[] = [
  [5, { name: 'ktime_get_ns', args: 0, call: (m) => retU64(m, m.opts.now, true) }],
  [125, { name: 'ktime_get_boot_ns', args: 0, call: (m) => retU64(m, m.opts.bootNs, true) }],
  [160, { name: 'ktime_get_coarse_ns', args: 0, call: (m) => retU64(m, m.opts.now - (m.opts.now % TICK_NS), true) }],
  [118, { name: 'jiffies64', args: 0, call: (m) => retU64(m, jiffies(m.opts.now), true) }],
  // CLOCK_TAI is wall-clock based; with no wall clock in the model it reads like `now`.
  [208, { name: 'ktime_get_tai_ns', args: 0, call: (m) => retU64(m, m.opts.now, true) }],
];

/** Debian's kernels tick at HZ=250. */
const HZ = 250n;
const TICK_NS = 1_000_000_000n / HZ;
/** INITIAL_JIFFIES: jiffies start 300 s before wrapping a u32, so wrap bugs show early. */
const INITIAL_JIFFIES = (1n << 32n) - 300n * HZ;

function jiffies(now: bigint): bigint {
  return INITIAL_JIFFIES + now / TICK_NS;
}

/** get_prandom_u32 (a seeded xorshift: the kernel's generator is per-CPU and unseeded), the CPU, classid. */
export const MISC_HELPERS: readonly HelperEntry[] = [
  [7, { name: 'get_prandom_u32', args: 0, call: prandom, hostDependent: true }],
  [8, { name: 'get_smp_processor_id', args: 0, call: (m) => retInt(m, m.opts.cpu) }],
  // net_cls classid of the task running test_run: 0 unless the host uses net_cls.
  [17, { name: 'get_cgroup_classid', args: 1, call: (m) => retInt(m, 0) }],
  [42, { name: 'get_numa_node_id', args: 0, call: (m) => retInt(m, 0) }],
];

function prandom(m: Machine): void {
  let x = m.prandom | 0 || 1;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  m.prandom = x;
  retInt(m, x >>> 0);
}
