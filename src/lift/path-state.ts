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
  const frames = s.frames.slice();
  frames[frames.length - 1] = frame;
  return moved(s, frames, s.slot, s.steps);
}

export function reg(s: PathState, r: number): Sym {
  return topFrame(s).regs[r];
}

/**
 * The state after one straight-line instruction, in one allocation: at `slot`, `steps`
 * taken, and register `r` of the top frame set to `v` when given.
 */
export function advance(s: PathState, slot: number, steps: number, r?: number, v?: Sym): PathState {
  if (r === undefined) return moved(s, s.frames, slot, steps);
  const f = topFrame(s);
  const regs = f.regs.slice();
  regs[r] = v!;
  const frames = s.frames.slice();
  frames[frames.length - 1] = { id: f.id, regs, stack: f.stack, returnTo: f.returnTo };
  return moved(s, frames, slot, steps);
}

/**
 * `s` at another instruction with other frames. Written out field by field: this runs for
 * every instruction, and in a warm lift a spread of a state this size cost several times as much.
 */
function moved(s: PathState, frames: readonly Frame[], slot: number, steps: number): PathState {
  return {
    section: s.section, slot, program: s.program, frames,
    guards: s.guards, lookups: s.lookups, effects: s.effects, facts: s.facts, lookupStatus: s.lookupStatus, helperStatus: s.helperStatus,
    packet: s.packet, ctx: s.ctx, values: s.values, globals: s.globals,
    counters: s.counters, backEdges: s.backEdges, tailCalls: s.tailCalls, steps,
  };
}

export function setReg(s: PathState, r: number, v: Sym): PathState {
  const f = topFrame(s);
  const regs = f.regs.slice();
  regs[r] = v;
  return withTop(s, { ...f, regs });
}
