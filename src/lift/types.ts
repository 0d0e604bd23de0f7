import type { MapRef, Sym } from './sym.js';

/** Comparison operators of guards, unsigned unless prefixed with `s`. */
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'slt' | 'sle' | 'sgt' | 'sge' | 'set' | 'clear';

/**
 * A condition a path depends on. Comparisons are over 64-bit values (32-bit jumps
 * compare zero-extended low halves, expressed with zext32); `set`/`clear` are `a & b`
 * non-zero / zero.
 */
export type Guard =
  | { readonly kind: 'cmp'; readonly op: CmpOp; readonly a: Sym; readonly b: Sym; readonly slot: SlotRef }
  /** A lookup found an entry (`hit`) or not. */
  | { readonly kind: 'lookup'; readonly lookup: number; readonly hit: boolean; readonly slot: SlotRef }
  /** A helper that can fail was taken to succeed or fail (result compared with 0). */
  | { readonly kind: 'helperResult'; readonly call: number; readonly helper: string; readonly ok: boolean; readonly slot: SlotRef }
  /**
   * One of several sets of run-time conditions holds (on map values, clocks, helper
   * results): what two merged paths knew separately. Never about packet or context
   * fields: those keep paths apart.
   */
  | {
      readonly kind: 'any';
      /** At most a few alternatives, flattened; empty when there were too many to keep. */
      readonly alternatives: readonly (readonly Guard[])[];
      /** A digest of the alternatives: merges compare guards by key, and these nest. */
      readonly key: string;
      readonly slot: SlotRef;
    };

/** An instruction of the object: section and slot, for provenance. */
export interface SlotRef {
  readonly section: string;
  readonly slot: number;
}

/** One map lookup on a path: which map, and the key bytes as pieces. */
export interface Lookup {
  readonly id: number;
  readonly map: MapRef;
  readonly key: readonly KeyPiece[];
  readonly slot: SlotRef;
}

/** `size` bytes at `offset` of a key or value hold `value` (in object byte order). */
export interface KeyPiece {
  readonly offset: number;
  readonly size: number;
  readonly value: Sym;
}

export type Effect =
  /** Bytes of the packet rewritten (direct store or skb_store_bytes). */
  | { readonly kind: 'packetWrite'; readonly offset: Sym; readonly pieces: readonly KeyPiece[]; readonly slot: SlotRef }
  /** A context field written: mark, priority, tstamp, cb, tc_classid, queue_mapping. */
  | { readonly kind: 'ctxWrite'; readonly field: string; readonly value: Sym; readonly slot: SlotRef }
  | { readonly kind: 'mapUpdate'; readonly map: MapRef; readonly key: readonly KeyPiece[]; readonly value: readonly KeyPiece[]; readonly flags: Sym; readonly call: number; readonly slot: SlotRef }
  | { readonly kind: 'mapDelete'; readonly map: MapRef; readonly key: readonly KeyPiece[]; readonly call: number; readonly slot: SlotRef }
  /** A store through a looked-up value pointer (including atomics). */
  | { readonly kind: 'mapValueWrite'; readonly lookup: number; readonly offset: number; readonly size: number; readonly value: Sym; readonly atomic: string | undefined; readonly slot: SlotRef }
  | { readonly kind: 'redirect'; readonly helper: string; readonly ifindex: Sym; readonly flags: Sym; readonly slot: SlotRef }
  /**
   * A tail call. `target` is the program in the slot (undefined: empty slot, the call falls
   * through); `notFollowed` says why the lifter fell through although a program was there,
   * and `stuckAt` where in the target the lifter stopped, when it tried.
   */
  | { readonly kind: 'tailCall'; readonly map: string; readonly index: Sym; readonly target: string | undefined; readonly notFollowed: string | undefined; readonly stuckAt: SlotRef | undefined; readonly slot: SlotRef }
  /** Any other helper or kfunc call, with its arguments: checksums, time, sockets, room... */
  | { readonly kind: 'call'; readonly helper: string; readonly args: readonly Sym[]; readonly call: number; readonly slot: SlotRef };

/** How a path ends. */
export type PathEnd =
  /** The entry frame returned `value` (TC_ACT_*, XDP_*). */
  | { readonly kind: 'return'; readonly value: Sym }
  /** The lifter stopped following this path; its verdict is unknown. */
  | { readonly kind: 'abandoned'; readonly reason: string; readonly cause: AbandonCause; readonly slot: SlotRef };

/**
 * Why the lifter stopped, in kind: `limit`, a bound on the path itself (loop passes,
 * instructions on the path, call depth); `budget`, the instructions one program may take
 * ran out before this path ended (a fact about the other paths as much as this one);
 * `memory`, an access at an address it cannot follow;
 * `helper`, a helper call it does not model in that form; `construct`, an instruction or
 * program shape it does not lift. The reason's wording depends on the code a compiler
 * emitted; the kind does not.
 */
export type AbandonCause = 'limit' | 'budget' | 'memory' | 'helper' | 'construct';

/** Everything one path through a program does, and what it depends on. */
export interface PathSummary {
  readonly program: string;
  readonly id: number;
  readonly guards: readonly Guard[];
  readonly lookups: readonly Lookup[];
  readonly effects: readonly Effect[];
  readonly end: PathEnd;
  /** Programs entered by tail calls on this path, in order. */
  readonly tailCalls: readonly string[];
}

export interface ProgramPaths {
  readonly program: string;
  readonly paths: readonly PathSummary[];
  /** True when the path budget ran out: some paths were never explored. */
  readonly truncated: boolean;
  readonly instructionsVisited: number;
  /** Every instruction some path executed, per section: the lifter's coverage. */
  readonly covered: ReadonlyMap<string, ReadonlySet<number>>;
}
