import { SKB } from '../context/skb-state.js';
import { SKB_MAX_LEN } from '../context/skb-setup.js';
import { XDP_FRAME } from '../context/xdp.js';
import { createRegisters, type Registers } from '../cpu/registers.js';

/** A buffer with its view, made once. */
export interface PooledBytes {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/**
 * Memory a run needs every time (registers, stacks, the context, the packet buffer),
 * made once per store and reused: typed arrays are costly to allocate and collect, and
 * a short program spends most of its time on them otherwise. Runs never overlap, and
 * nothing a run returns points into these buffers.
 */
export interface RunScratch {
  readonly regs: Registers;
  readonly argLo: Uint32Array;
  readonly argHi: Uint32Array;
  /** By frame depth: the caller's saved r6-r9 and the frame's stack. */
  readonly frames: { readonly saved: Uint32Array; readonly savedTaint: Uint8Array; readonly stack: PooledBytes }[];
  readonly skbCtx: PooledBytes;
  readonly xdpCtx: PooledBytes;
  readonly packet: PooledBytes;
  readonly xdpFrame: PooledBytes;
}

function pooled(size: number): PooledBytes {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer) };
}

export function createScratch(): RunScratch {
  return {
    regs: createRegisters(),
    argLo: new Uint32Array(6),
    argHi: new Uint32Array(6),
    frames: [],
    skbCtx: pooled(SKB.size),
    xdpCtx: pooled(24),
    packet: pooled(SKB_MAX_LEN),
    xdpFrame: pooled(XDP_FRAME),
  };
}

/** Clears what a previous run left in the scratch that the next run must see as zero. */
export function resetScratch(s: RunScratch): void {
  s.regs.lo.fill(0);
  s.regs.hi.fill(0);
  s.regs.taint.fill(0);
  s.skbCtx.bytes.fill(0);
  s.xdpCtx.bytes.fill(0);
}

export function scratchFrame(s: RunScratch, depth: number): RunScratch['frames'][number] {
  let f = s.frames[depth];
  if (f === undefined) {
    f = { saved: new Uint32Array(8), savedTaint: new Uint8Array(4), stack: pooled(512) };
    s.frames[depth] = f;
  }
  return f;
}
