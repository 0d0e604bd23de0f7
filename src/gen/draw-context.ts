import type { SkbContextIn } from '../vm/run-types.js';
import type { ContextReads } from './context-reads.js';
import type { DrawPools } from './draw-pools.js';
import type { Rng } from './rng.js';

/**
 * The `__sk_buff` fields of a run, for the fields the program reads: marks around the
 * constants it tests, ifindexes from the state (and one that is in no map), timestamps.
 * Fields it does not read stay unset (the kernel's defaults).
 *
 * An ifindex above 1 must name a real device for BPF_PROG_TEST_RUN (reference §9.3), so
 * whoever runs these against the kernel creates devices with the ifindexes used here;
 * `unknownIfindex` is the one chosen to be in no map.
 */
export interface ContextOptions {
  readonly unknownIfindex?: number;
}

export function drawContext(reads: ContextReads, p: DrawPools, rng: Rng, options: ContextOptions = {}): SkbContextIn | undefined {
  const ctx: { -readonly [K in keyof SkbContextIn]: SkbContextIn[K] } = {};
  if (reads.mark) ctx.mark = drawMark(p, rng);
  if (reads.ifindex) {
    const i = drawIfindex(p, rng, options);
    if (i !== undefined) ctx.ifindex = i;
  }
  if (reads.ingressIfindex) {
    const i = drawIfindex(p, rng, options);
    if (i !== undefined) ctx.ingressIfindex = i;
  }
  if (reads.priority && rng.chance(0.3)) ctx.priority = rng.int(8);
  if (reads.cb && rng.chance(0.3)) ctx.cb = [rng.int(4), rng.int(65536), 0, 0, rng.u32()];
  if (reads.tstamp && rng.chance(0.2)) ctx.tstamp = rng.chance(0.5) ? 1n << 62n : BigInt(rng.u32());
  return Object.keys(ctx).length ? ctx : undefined;
}

function drawMark(p: DrawPools, rng: Rng): number {
  const k = p.constants.values;
  return rng.weighted<() => number>([
    [() => 0, 25],
    [() => rng.pick(k), k.length ? 30 : 0],
    [() => (rng.pick(k) | (rng.u32() & 0x0000ffff)) >>> 0, k.length ? 10 : 0],
    [() => (rng.u32() & 0x8000ffff) >>> 0, 15],
    [() => rng.u32(), 20],
  ])();
}

/** A known ifindex most of the time; else an unknown one, or none (the loopback default). */
function drawIfindex(p: DrawPools, rng: Rng, options: ContextOptions): number | undefined {
  return rng.weighted<() => number | undefined>([
    [() => rng.pick(p.ifindexes), p.ifindexes.length ? 75 : 0],
    [() => options.unknownIfindex, options.unknownIfindex !== undefined ? 15 : 0],
    [() => undefined, 10],
  ])();
}
