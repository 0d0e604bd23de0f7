import type { ByteStore } from './byte-store.js';
import type { Facts } from './facts.js';
import type { Sym } from './sym.js';
import type { Effect, Guard, Lookup, SlotRef } from './types.js';

/**
 * A persistent list: forking a path shares everything it has recorded so far. `depth`
 * lets two trails find their common part in time proportional to where they differ.
 */
export type Trail<T> = { readonly head: T; readonly tail: Trail<T>; readonly depth: number } | null;

export function push<T>(trail: Trail<T>, head: T): Trail<T> {
  return { head, tail: trail, depth: (trail?.depth ?? 0) + 1 };
}

export function toArray<T>(trail: Trail<T>): T[] {
  const out: T[] = [];
  for (let t = trail; t; t = t.tail) out.push(t.head);
  return out.reverse();
}

export interface Frame {
  /** Unique on the path, so stack pointers of different frames never alias. */
  readonly id: number;
  readonly regs: readonly Sym[];
  readonly stack: ByteStore;
  /** Where the caller continues (undefined for the entry frame). */
  readonly returnTo: SlotRef | undefined;
}

/**
 * Everything one path knows at one instruction. Treated as immutable: each step returns
 * a new state (sharing what did not change), so forking is copying a reference.
 */
export interface PathState {
  readonly section: string;
  readonly slot: number;
  /** The program whose code is running (changes on a tail call). */
  readonly program: string;
  readonly frames: readonly Frame[];
  readonly guards: Trail<Guard>;
  readonly lookups: Trail<Lookup>;
  readonly effects: Trail<Effect>;
  readonly facts: Facts;
  /** Lookups known to have found an entry (true) or not (false). */
  readonly lookupStatus: ReadonlyMap<number, boolean>;
  /** Helpers known to have succeeded (true) or failed (false). */
  readonly helperStatus: ReadonlyMap<number, boolean>;
  /** Packet bytes this path wrote at constant offsets. */
  readonly packet: ByteStore;
  /** Context fields this path wrote. */
  readonly ctx: ReadonlyMap<string, Sym>;
  /** Map value bytes this path wrote, per lookup. */
  readonly values: ReadonlyMap<number, ByteStore>;
  /** Bytes of writable data sections this path wrote, per section. */
  readonly globals: ReadonlyMap<string, ByteStore>;
  readonly counters: { readonly call: number; readonly unknown: number; readonly lookup: number; readonly frame: number };
  /** Back edges taken, per target, to bound loops. */
  readonly backEdges: ReadonlyMap<string, number>;
  readonly tailCalls: Trail<string>;
  readonly steps: number;
}

export function topFrame(s: PathState): Frame {
  return s.frames[s.frames.length - 1];
}

export function withTop(s: PathState, frame: Frame): PathState {
  return { ...s, frames: [...s.frames.slice(0, -1), frame] };
}

export function reg(s: PathState, r: number): Sym {
  return topFrame(s).regs[r];
}

/**
 * The state after one straight-line instruction, in one allocation: at `slot`, `steps`
 * taken, and register `r` of the top frame set to `v` when given.
 */
export function advance(s: PathState, slot: number, steps: number, r?: number, v?: Sym): PathState {
  if (r === undefined) return { ...s, slot, steps };
  const f = topFrame(s);
  const regs = f.regs.slice();
  regs[r] = v!;
  const frames = s.frames.slice();
  frames[frames.length - 1] = { ...f, regs };
  return { ...s, frames, slot, steps };
}

export function setReg(s: PathState, r: number, v: Sym): PathState {
  const f = topFrame(s);
  const regs = f.regs.slice();
  regs[r] = v;
  return withTop(s, { ...f, regs });
}
