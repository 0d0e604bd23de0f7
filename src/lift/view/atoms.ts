import type { CmpOp, Guard, SlotRef } from '../types.js';
import type { ValueSet } from '../value-set.js';
import { setKey } from '../value-set.js';
import type { FieldId } from './packet-layout.js';

/** How a path's frame is laid out, as its own EtherType tests say. */
export interface FrameShape {
  /** Where L3 starts: 14, or 18 behind an 802.1Q tag. */
  readonly l3Base: number;
  readonly l3: 'ip4' | 'ip6' | 'arp' | 'other';
  /** The EtherTypes the path accepts (16 bits). */
  readonly etherTypes: ValueSet;
  /** No test of the path fixed the EtherType: L3 is read as IPv4 because the program does. */
  readonly assumed: boolean;
  /** IP protocols the path accepts, once known (names the L4 fields). */
  readonly protos: ValueSet | undefined;
}

/** A place in the packet a read refers to, relative to a layer. */
export type Location =
  | { readonly layer: 'eth' | 'vlan' | 'ip4' | 'ip6' | 'arp'; readonly start: number }
  /** `fixedIhl`: found at a constant offset, i.e. assuming an IPv4 header without options. */
  | { readonly layer: 'l4'; readonly start: number; readonly fixedIhl: boolean };

/** The offset from the frame start of a length test: a constant, or past the IPv4 header. */
export interface LengthNeed {
  readonly base: 'frame' | 'l4';
  readonly delta: number;
}

/**
 * A guard of a path in the terms recognisers and pf think in: a packet field in a set of
 * values, a length, a context test, a map lookup's outcome, a condition on a looked-up
 * value, or something opaque (with the reason).
 */
export type Atom =
  | { readonly kind: 'field'; readonly field: FieldId; readonly set: ValueSet; readonly fixedIhl: boolean; readonly slot: SlotRef }
  /** The packet holds at least `need` bytes (`holds`) or fewer. */
  | { readonly kind: 'length'; readonly need: LengthNeed; readonly holds: boolean; readonly slot: SlotRef }
  /** `(ctx.field & mask) op value` (mask undefined: the whole field). */
  | { readonly kind: 'ctx'; readonly field: string; readonly op: CmpOp; readonly mask: bigint | undefined; readonly value: bigint; readonly slot: SlotRef }
  | { readonly kind: 'lookup'; readonly lookup: number; readonly hit: boolean; readonly slot: SlotRef }
  | { readonly kind: 'helper'; readonly call: number; readonly helper: string; readonly ok: boolean; readonly slot: SlotRef }
  /** A condition on values found by lookups (and maybe constants). */
  | { readonly kind: 'value'; readonly lookups: readonly number[]; readonly guard: Guard; readonly slot: SlotRef }
  /** Anything else; `runtime` when it depends on no packet or context value. */
  | { readonly kind: 'opaque'; readonly why: string; readonly guard: Guard; readonly runtime: boolean; readonly slot: SlotRef };

export function atomKey(a: Atom): string {
  switch (a.kind) {
    case 'field':
      return `${a.field}∈{${setKey(a.set)}}${a.fixedIhl ? '@ihl5' : ''}`;
    case 'length':
      return `len${a.holds ? '>=' : '<'}${a.need.base}+${a.need.delta}`;
    case 'ctx':
      return `ctx.${a.field}${a.mask === undefined ? '' : `&0x${a.mask.toString(16)}`} ${a.op} 0x${a.value.toString(16)}`;
    case 'lookup':
      return `L${a.lookup}${a.hit ? '+' : '-'}`;
    case 'helper':
      return `H${a.call}${a.ok ? '+' : '-'}`;
    case 'value':
    case 'opaque':
      return guardText(a.guard);
    default: {
      const never: never = a;
      return never;
    }
  }
}

export function guardText(g: Guard): string {
  switch (g.kind) {
    case 'cmp':
      return `${g.a.key} ${g.op} ${g.b.key}`;
    case 'lookup':
      return `L${g.lookup}${g.hit ? '+' : '-'}`;
    case 'helperResult':
      return `H${g.call}${g.ok ? '+' : '-'}`;
    case 'any':
      return g.key;
    default: {
      const never: never = g;
      return never;
    }
  }
}
