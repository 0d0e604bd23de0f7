import type { BpfObject } from '../object/types.js';
import type { CodeImage, FunctionTarget, SectionImage } from './code/image.js';
import type { SkbState } from './context/skb-state.js';
import type { XdpState } from './context/xdp.js';
import type { Registers } from './cpu/registers.js';
import type { MapModel } from './maps/model.js';
import type { MapStore } from './maps/store.js';
import type { Memory } from './memory/memory.js';
import type { Region } from './memory/region.js';
import type { FibAnswer, FibRequest, RedirectKind, VmDevice, VmSocket } from './options.js';
import type { CallLog } from './run/call-log.js';
import type { RunScratch } from './run/scratch.js';

/** VmOptions with defaults filled in. */
export interface RunOptions {
  readonly now: bigint;
  readonly bootNs: bigint;
  readonly cpu: number;
  readonly prandomSeed: number;
  readonly hashSeed: number;
  readonly maxInstructions: number;
  readonly trace: boolean;
  readonly tailCallLimit: number;
  readonly devices: readonly VmDevice[];
  readonly fibLookup: ((req: FibRequest) => FibAnswer) | undefined;
  readonly sockets: readonly VmSocket[];
  readonly perfEventsOpen: boolean;
}

/** One bpf-to-bpf call level: where to return to, the caller's r6-r9, this level's stack. */
export interface Frame {
  returnImage: SectionImage | undefined;
  returnPc: number;
  readonly saved: Uint32Array;
  readonly savedTaint: Uint8Array;
  readonly stack: Region;
  /** may_goto's loop counter, as the kernel keeps one per frame. */
  mayGoto: number;
}

/** Everything a run collects for its result. */
export interface RunRecords {
  redirect: { ifindex: number; flags: number; kind: RedirectKind } | undefined;
  readonly clones: { ifindex: number; flags: number; packet: Uint8Array }[];
  readonly calls: CallLog;
  readonly printk: string[];
  readonly ringbuf: Uint8Array[];
  readonly perfEvents: Uint8Array[];
  readonly hostDependent: Set<string>;
  readonly trace: string[] | undefined;
}

/** A dynptr a kfunc initialised in program memory, by the address of its 16 bytes. */
export interface Dynptr {
  readonly kind: 'skb' | 'xdp' | 'null';
  readonly offset: number;
  readonly size: number;
  readonly readOnly: boolean;
}

/**
 * The state of one run: registers, memory, frames, the context, and what the run
 * records. Helpers receive it; nothing outlives the run except what it writes into the
 * map store.
 */
export interface Machine {
  readonly obj: BpfObject;
  readonly store: MapStore;
  readonly code: CodeImage;
  readonly opts: RunOptions;
  readonly regs: Registers;
  readonly mem: Memory;
  readonly env: SkbState | XdpState;
  readonly frames: Frame[];
  depth: number;
  instructions: number;
  tailCalls: number;
  /** Section and slot of the instruction being executed (helpers name it in records and errors). */
  section: string;
  slot: number;
  /** Executed-slot bitmaps by section image index, made on first entry into a section. */
  readonly executed: (Uint8Array | undefined)[];
  readonly records: RunRecords;
  /** Regions handed out this run, so the same thing keeps the same address. */
  readonly mapHandles: Map<MapModel, Region>;
  readonly valueRegions: Map<Uint8Array, Region>;
  readonly codeRegions: Map<string, Region>;
  /** Data section value regions by section, for lddw of globals. */
  readonly globals: Map<string, Region>;
  /** bpf_spin_lock held: the lock's address, or undefined. */
  heldLock: string | undefined;
  readonly dynptrs: Map<string, Dynptr>;
  /** Sockets returned by sk_lookup_* and not yet released, by region index. */
  readonly socketRefs: Set<number>;
  /** Ring buffer records reserved and not yet submitted or discarded, by region index. */
  readonly pendingRecords: Map<number, MapModel>;
  prandom: number;
  /** Buffers reused from run to run (the helper argument copy for call records among them). */
  readonly scratch: RunScratch;
  /**
   * Runs a function as a callback (bpf_loop, for_each_map_elem) in a new frame with
   * r1..r5 = (lo[i], hi[i]) and returns when it exits; its result is in r0.
   */
  readonly callFunction: (target: FunctionTarget, lo: readonly number[], hi: readonly number[]) => void;
}
