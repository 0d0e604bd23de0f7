import type { SlotRef } from '../types.js';
import { intersect, isEmpty, isSubset, setKey, fromRanges, type ValueSet } from '../value-set.js';
import type { Atom } from '../view/atoms.js';
import type { FieldId } from '../view/packet-layout.js';
import type { PathView } from '../view/path-view.js';
import type { MapRole } from './roles.js';
import { valueCondition, type ValueCondition } from './set-condition.js';

/**
 * A path's conditions in the terms rules are written in: what the recognisers made of
 * each atom. Conditions pf cannot see (well-formedness, helper success) are gone; those
 * the translator cannot state stay as `opaque` and force the rule closed.
 */
export type Step =
  | { readonly kind: 'field'; readonly field: FieldId; readonly set: ValueSet; readonly slot: SlotRef }
  /** The packet's interface is (or is not) a registered instance of the family. */
  | { readonly kind: 'family'; readonly map: string; readonly hit: boolean; readonly slot: SlotRef }
  /** The address is (or is not) in the set (pf table). */
  | { readonly kind: 'set'; readonly map: string; readonly field: 'ip4.src' | 'ip4.dst'; readonly inner: boolean; readonly hit: boolean; readonly slot: SlotRef }
  /**
   * The address's entry in the set holds a value that passes (or fails) a test: the
   * entries that pass are a table of their own (an allow entry that demands L7 steering).
   */
  | { readonly kind: 'setValue'; readonly map: string; readonly field: 'ip4.src' | 'ip4.dst'; readonly inner: boolean; readonly condition: ValueCondition; readonly holds: boolean; readonly slot: SlotRef }
  /** The packet's key field has (or has not) an entry in a per-entry map. */
  | { readonly kind: 'entry'; readonly map: string; readonly field: FieldId; readonly lookup: number; readonly hit: boolean; readonly slot: SlotRef }
  | { readonly kind: 'opaque'; readonly why: string; readonly text: string; readonly slot: SlotRef };

/** How the recognisers see one path. */
export type NormPath =
  | { readonly kind: 'rule'; readonly view: PathView; readonly steps: readonly Step[]; readonly stateful: readonly string[]; readonly runtime: readonly string[] }
  /** A frame pf never sees as IP (ARP, other EtherTypes): for ng_bpf. */
  | { readonly kind: 'l2'; readonly view: PathView; readonly why: string }
  /** Covered by something other than a rule of its own (pf state, the IP stack). */
  | { readonly kind: 'covered'; readonly view: PathView; readonly by: CoveredBy; readonly why: string };

export type CoveredBy = 'state' | 'stack' | 'helper';

/** ip4.vihl values of a well-formed IPv4 header: version 4, IHL 5..15. */
const WELL_FORMED_VIHL = fromRanges(8, [[0x45, 0x4f]]);

export function stepKey(s: Step): string {
  switch (s.kind) {
    case 'field':
      return `f:${s.field}:${setKey(s.set)}`;
    case 'family':
      return `fam:${s.map}:${s.hit ? '+' : '-'}`;
    case 'set':
      return `set:${s.map}:${s.field}:${s.hit ? '+' : '-'}`;
    case 'setValue':
      return `sv:${s.map}:${s.field}:${s.condition.key}:${s.holds ? '+' : '-'}`;
    case 'entry':
      return `ent:${s.map}:${s.field}:${s.hit ? '+' : '-'}`;
    case 'opaque':
      return `op:${s.text}`;
  }
}

/**
 * Normalises a feasible IPv4 path. `roles` are the lookups' map roles; `outerOf` maps an
 * inner set lookup's outer lookup id to the set it leads to (an instance with no inner
 * map has an empty set: the outer miss is the set's miss).
 */
export function normalisePath(view: PathView, roles: ReadonlyMap<number, MapRole>, innerSetOfOuter: ReadonlyMap<string, MapRole & { kind: 'set' }>): NormPath {
  const shape = view.shape;
  if (shape.l3 !== 'ip4') {
    return { kind: 'l2', view, why: shape.l3 === 'arp' ? 'an ARP frame' : shape.l3 === 'ip6' ? 'an IPv6 packet' : 'a frame that is not IPv4' };
  }
  const steps: Step[] = [];
  const stateful: string[] = [];
  const runtime: string[] = [];
  for (const a of view.atoms) {
    const r = stepOf(a, view, roles, innerSetOfOuter);
    if (r === undefined) continue;
    if ('covered' in r) return { kind: 'covered', view, by: r.covered, why: r.why };
    if ('runtime' in r) {
      runtime.push(r.runtime);
      continue;
    }
    if ('stateful' in r) {
      if (!stateful.includes(r.stateful)) stateful.push(r.stateful);
      continue;
    }
    steps.push(r);
  }
  return { kind: 'rule', view, steps, stateful, runtime };
}

type StepResult = Step | { readonly covered: CoveredBy; readonly why: string } | { readonly stateful: string } | { readonly runtime: string } | undefined;

function stepOf(a: Atom, view: PathView, roles: ReadonlyMap<number, MapRole>, innerSetOfOuter: ReadonlyMap<string, MapRole & { kind: 'set' }>): StepResult {
  switch (a.kind) {
    case 'length':
      // pf only sees packets the IP stack accepted: whole headers.
      return a.holds ? undefined : { covered: 'stack', why: 'a truncated packet: the IP stack drops it before pf' };
    case 'helper':
      return a.ok ? undefined : { covered: 'helper', why: `${a.helper} failing at run time` };
    case 'field':
      return fieldStep(a);
    case 'ctx':
      return { kind: 'opaque', why: `tests ctx.${a.field}`, text: `ctx.${a.field}`, slot: a.slot };
    case 'lookup': {
      const role = roles.get(a.lookup);
      const l = view.lookups.get(a.lookup);
      if (!role || !l) return { kind: 'opaque', why: `a lookup in a map the translator cannot name`, text: `L${a.lookup}${a.hit ? '+' : '-'}`, slot: a.slot };
      switch (role.kind) {
        case 'family':
          return { kind: 'family', map: role.map, hit: a.hit, slot: a.slot };
        case 'familyOuter': {
          const inner = innerSetOfOuter.get(role.map);
          if (!inner) return { kind: 'opaque', why: `a lookup in ${role.map} whose inner maps are not address sets`, text: `L${role.map}${a.hit ? '+' : '-'}`, slot: a.slot };
          // Hit: the inner lookup decides. Miss: no set for this instance, i.e. not in it.
          return a.hit ? undefined : { kind: 'set', map: inner.map, field: inner.field, inner: true, hit: false, slot: a.slot };
        }
        case 'set':
          return { kind: 'set', map: role.map, field: role.field, inner: role.inner, hit: a.hit, slot: a.slot };
        case 'session':
        case 'reverse':
          return a.hit ? { covered: 'state', why: `a packet of a connection ${role.map} tracks: pf state carries it` } : { stateful: role.map };
        case 'perEntry':
          return { kind: 'entry', map: role.map, field: role.field, lookup: a.lookup, hit: a.hit, slot: a.slot };
        case 'pool':
          return a.hit ? undefined : { kind: 'opaque', why: `${role.map} has no entry at the computed index`, text: `pool:${role.map}-`, slot: a.slot };
        case 'other':
          return { kind: 'opaque', why: `a lookup in ${role.map} (${role.why})`, text: `L:${role.map}${a.hit ? '+' : '-'}`, slot: a.slot };
      }
      break;
    }
    case 'value': {
      // A test of the flags an address set's entry carries: a subset of the set.
      const role = a.lookups.length === 1 ? roles.get(a.lookups[0]) : undefined;
      const vc = role?.kind === 'set' ? valueCondition(a.guard, a.lookups[0]) : undefined;
      if (role?.kind === 'set' && vc) return { kind: 'setValue', map: role.map, field: role.field, inner: role.inner, condition: vc.condition, holds: vc.holds, slot: a.slot };
      // Run-time state (a counter, a flag in an entry): not a packet property pf can test.
      // Paths that differ only here become one rule; build-ir decides what it does.
      return { runtime: `a condition on a value found in a map (${guardSlot(a.slot)})` };
    }
    case 'opaque':
      if (a.runtime) return { runtime: `${a.why} (${guardSlot(a.slot)})` };
      return { kind: 'opaque', why: a.why, text: `opaque:${guardSlot(a.slot)}:${a.why}`, slot: a.slot };
  }
  return undefined;
}

function guardSlot(s: SlotRef): string {
  return `${s.section}:${s.slot}`;
}

function fieldStep(a: Extract<Atom, { kind: 'field' }>): StepResult {
  if (a.field === 'eth.type') {
    // The path is IPv4 (its shape says so): the EtherType test is pf's `inet`.
    return undefined;
  }
  if (a.field === 'ip4.vihl') {
    if (isSubset(WELL_FORMED_VIHL, a.set)) return undefined;
    if (isEmpty(intersect(WELL_FORMED_VIHL, a.set))) return { covered: 'stack', why: 'a malformed IPv4 header: the IP stack drops it before pf' };
    // Options or not: pf cannot see the header length.
    return { kind: 'field', field: a.field, set: a.set, slot: a.slot };
  }
  return { kind: 'field', field: a.field, set: a.set, slot: a.slot };
}
