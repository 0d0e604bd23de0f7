import { MapType } from '../object/map-types.js';
import type { MapDeclaration } from '../object/map-declaration.js';
import { factOf, learn } from './facts.js';
import { readPieces, writePieces, type MemoryEnv } from './memory.js';
import { push, reg, setReg, toArray, type PathState } from './path-state.js';
import { bin, konst, lookupPtr, mapRefKey, maxValue, pktPtr, scalar, type MapRef, type Sym } from './sym.js';
import type { KeyPiece, SlotRef } from './types.js';

/** What a helper call does to a path. */
export type HelperOutcome =
  | { readonly kind: 'next'; readonly states: readonly PathState[] }
  | { readonly kind: 'tailCall'; readonly state: PathState; readonly map: string; readonly index: Sym }
  | { readonly kind: 'abandon'; readonly reason: string };

/** Helpers whose result is 0 on success and a negative errno on failure. */
const ZERO_ON_SUCCESS: ReadonlySet<string> = new Set([
  'map_update_elem', 'map_delete_elem', 'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'skb_load_bytes',
  'skb_load_bytes_relative', 'clone_redirect', 'skb_change_tail', 'skb_change_head', 'skb_adjust_room', 'skb_change_proto',
  'skb_change_type', 'skb_vlan_push', 'skb_vlan_pop', 'xdp_adjust_head', 'xdp_adjust_tail', 'xdp_adjust_meta',
  'bpf_dynptr_from_skb', 'ringbuf_output', 'perf_event_output', 'skb_pull_data', 'xdp_load_bytes', 'xdp_store_bytes',
]);
/** Helpers whose result is non-negative on success. */
const NONNEG_ON_SUCCESS: ReadonlySet<string> = new Set(['csum_diff']);

export function canFail(helper: string): 'zero' | 'nonneg' | undefined {
  if (ZERO_ON_SUCCESS.has(helper)) return 'zero';
  if (NONNEG_ON_SUCCESS.has(helper)) return 'nonneg';
  return undefined;
}

/** Pure values: a new scalar per call. */
const VALUE_HELPERS: ReadonlySet<string> = new Set([
  'ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_coarse_ns', 'jiffies64', 'get_prandom_u32', 'get_smp_processor_id',
  'get_hash_recalc', 'get_cgroup_classid', 'get_route_realm', 'check_mtu', 'fib_lookup', 'trace_printk', 'snprintf',
  'csum_update', 'csum_level', 'set_hash_invalid', 'set_hash', 'skb_ecn_set_ce', 'xdp_get_buff_len', 'sk_release',
  'ringbuf_submit', 'ringbuf_discard', 'skb_cgroup_id', 'get_socket_cookie',
]);

export interface HelperEnv extends MemoryEnv {
  readonly isXdp: boolean;
  readonly maps: ReadonlyMap<string, MapDeclaration>;
}

function nextCall(s: PathState): { state: PathState; call: number } {
  const call = s.counters.call + 1;
  return { state: { ...s, counters: { ...s.counters, call } }, call };
}

function clobber(s: PathState): PathState {
  let out = s;
  for (let r = 1; r <= 5; r++) out = setReg(out, r, scalar({ kind: 'unknown', id: -r, why: 'clobbered by a call' }));
  return out;
}

/** The declaration of the map a MapRef names (the inner template for inner maps). */
export function declarationOf(env: HelperEnv, ref: MapRef): MapDeclaration | undefined {
  if (ref.kind === 'map') return env.maps.get(ref.name);
  return env.maps.get(ref.outer)?.inner;
}

/** A map argument: a map address, or the inner map a map-in-map lookup found. */
export function asMapRef(env: HelperEnv, s: PathState, v: Sym, lookupMap: (id: number) => MapRef | undefined): MapRef | undefined {
  if (v.kind === 'mapPtr') return v.map;
  if (v.kind === 'lookupPtr' && s.lookupStatus.get(v.lookup) !== false) {
    const outer = lookupMap(v.lookup);
    const decl = outer && declarationOf(env, outer);
    if (outer?.kind === 'map' && decl && (decl.type === MapType.HASH_OF_MAPS || decl.type === MapType.ARRAY_OF_MAPS)) {
      return { kind: 'inner', lookup: v.lookup, outer: outer.name };
    }
  }
  return undefined;
}

const ALWAYS_PRESENT: ReadonlySet<number> = new Set([MapType.ARRAY, MapType.PERCPU_ARRAY]);

/**
 * An earlier lookup of the same element of an array map on this path, if any. An array's
 * element is one piece of memory for the whole run (per-CPU ones too: a program and the
 * stages it tail-calls run on one CPU), so a second lookup of it (a parser stage reading
 * the scratch slot its caller filled) must see what the path stored there. Not after an
 * update of the map: that replaces the element's contents wholesale.
 */
function sameArrayElement(s: PathState, map: MapRef, decl: MapDeclaration, key: readonly KeyPiece[]): number | undefined {
  if (map.kind !== 'map' || !ALWAYS_PRESENT.has(decl.type)) return undefined;
  const bound = keyBound(key);
  if (bound === undefined || bound >= BigInt(decl.maxEntries)) return undefined;
  const text = pieceKey(key);
  const prev = toArray(s.lookups).find((l) => l.map.kind === 'map' && l.map.name === map.name && s.lookupStatus.get(l.id) === true && pieceKey(l.key) === text);
  if (!prev) return undefined;
  for (let e = s.effects; e; e = e.tail) if ((e.head.kind === 'mapUpdate' || e.head.kind === 'mapDelete') && e.head.map.kind === 'map' && e.head.map.name === map.name) return undefined;
  return prev.id;
}

function pieceKey(ps: readonly KeyPiece[]): string {
  return ps.map((p) => `${p.offset}:${p.size}:${p.value.key}`).join(',');
}

/** The largest value a one-piece key can have (a constant, or a value its arithmetic bounds). */
function keyBound(ps: readonly KeyPiece[]): bigint | undefined {
  if (ps.length !== 1) return undefined;
  return maxValue(ps[0].value);
}

export function callHelper(env: HelperEnv, state: PathState, name: string, at: SlotRef, lookupMap: (id: number) => MapRef | undefined): HelperOutcome {
  const args = [1, 2, 3, 4, 5].map((r) => reg(state, r));
  const { state: s0, call } = nextCall(state);
  const result = (s: PathState, value: Sym): HelperOutcome => ({ kind: 'next', states: [setReg(clobber(s), 0, value)] });
  const helperResult = scalar({ kind: 'helper', helper: name, call });
  const recordCall = (s: PathState): PathState => ({ ...s, effects: push(s.effects, { kind: 'call', helper: name, args, call, slot: at }) });

  switch (name) {
    case 'map_lookup_elem': {
      const map = asMapRef(env, s0, args[0], lookupMap);
      const decl = map && declarationOf(env, map);
      if (!map || !decl) return { kind: 'abandon', reason: `map_lookup_elem on ${args[0].key}, not a map we know` };
      const key = readPieces(env, s0, args[1], decl.keySize);
      if (!key) return { kind: 'abandon', reason: `map_lookup_elem(${mapRefKey(map)}) with a key at ${args[1].key}` };
      const same = sameArrayElement(key.state, map, decl, key.pieces);
      if (same !== undefined) return result(key.state, lookupPtr(same, 0, false));
      const id = key.state.counters.lookup + 1;
      let s: PathState = { ...key.state, counters: { ...key.state.counters, lookup: id } };
      s = { ...s, lookups: push(s.lookups, { id, map, key: key.pieces, slot: at }) };
      // An array always has its in-range slots: the kernel never returns NULL for them.
      const k = keyBound(key.pieces);
      if (ALWAYS_PRESENT.has(decl.type) && k !== undefined && k < BigInt(decl.maxEntries)) {
        s = { ...s, lookupStatus: new Map(s.lookupStatus).set(id, true) };
      }
      return result(s, lookupPtr(id, 0, false));
    }
    case 'map_update_elem':
    case 'map_delete_elem': {
      const map = asMapRef(env, s0, args[0], lookupMap);
      const decl = map && declarationOf(env, map);
      if (!map || !decl) return { kind: 'abandon', reason: `${name} on ${args[0].key}, not a map we know` };
      const key = readPieces(env, s0, args[1], decl.keySize);
      if (!key) return { kind: 'abandon', reason: `${name}(${mapRefKey(map)}) with a key at ${args[1].key}` };
      let s = key.state;
      if (name === 'map_update_elem') {
        const value = readPieces(env, s, args[2], decl.valueSize);
        if (!value) return { kind: 'abandon', reason: `map_update_elem(${mapRefKey(map)}) with a value at ${args[2].key}` };
        s = value.state;
        s = { ...s, effects: push(s.effects, { kind: 'mapUpdate', map, key: key.pieces, value: value.pieces, flags: args[3], call, slot: at }) };
      } else {
        s = { ...s, effects: push(s.effects, { kind: 'mapDelete', map, key: key.pieces, call, slot: at }) };
      }
      return result(s, helperResult);
    }
    case 'tail_call': {
      const map = args[1].kind === 'mapPtr' && args[1].map.kind === 'map' ? args[1].map.name : undefined;
      if (!map) return { kind: 'abandon', reason: `tail call through ${args[1].key}` };
      return { kind: 'tailCall', state: s0, map, index: args[2] };
    }
    case 'redirect':
    case 'redirect_neigh':
    case 'redirect_peer': {
      const flags = name === 'redirect' ? args[1] : name === 'redirect_peer' ? args[1] : args[3];
      const s = { ...s0, effects: push(s0.effects, { kind: 'redirect' as const, helper: name, ifindex: args[0], flags, slot: at }) };
      return result(s, konst(env.isXdp ? 4n : 7n));
    }
    case 'skb_store_bytes':
    case 'xdp_store_bytes': {
      const len = args[3];
      if (len.kind !== 'const') return { kind: 'abandon', reason: `${name} of a non-constant length` };
      const from = readPieces(env, s0, args[2], Number(len.value));
      if (!from) return { kind: 'abandon', reason: `${name} from ${args[2].key}` };
      const offset = args[1];
      let s: PathState = { ...from.state, effects: push(from.state.effects, { kind: 'packetWrite', offset, pieces: from.pieces, slot: at }) };
      if (offset.kind === 'const') {
        const wrote = writePieces(env, s, pktPtr(offset), from.pieces);
        if (wrote) s = wrote;
      }
      return result(s, helperResult);
    }
    case 'skb_load_bytes':
    case 'skb_load_bytes_relative':
    case 'xdp_load_bytes': {
      const offset = args[1];
      const len = args[3];
      const max = len.kind === 'const' ? len.value : factOf(s0.facts, len).max;
      if (max > 4096n) return { kind: 'abandon', reason: `${name} of an unbounded length` };
      const copied =
        len.kind === 'const' && offset.kind === 'const'
          ? { state: s0, pieces: [{ offset: 0, size: Number(max), value: scalar({ kind: 'pkt', offset, size: Number(max) }) }] }
          : unknownBytes(s0, Number(max), `${name} of a variable range`);
      const wrote = writePieces(env, copied.state, args[2], splitPieces(copied.pieces, offset, name === 'skb_load_bytes_relative' ? args[4] : undefined));
      if (!wrote) return { kind: 'abandon', reason: `${name} into ${args[2].key}` };
      return result(recordCall(wrote), helperResult);
    }
    case 'bpf_dynptr_slice':
    case 'bpf_dynptr_slice_rdwr': {
      // A slice of the packet, or NULL when the packet is shorter than offset + len.
      const end = bin('add', args[1], args[3]);
      const len = scalar({ kind: 'pktLen' });
      const have = { ...s0, guards: push(s0.guards, { kind: 'cmp' as const, op: 'ge' as const, a: len, b: end, slot: at }), facts: learn('ge', len, end, s0.facts) };
      const short = { ...s0, guards: push(s0.guards, { kind: 'cmp' as const, op: 'lt' as const, a: len, b: end, slot: at }), facts: learn('lt', len, end, s0.facts) };
      return { kind: 'next', states: [setReg(clobber(have), 0, pktPtr(args[1])), setReg(clobber(short), 0, konst(0n))] };
    }
    case 'spin_lock':
    case 'spin_unlock':
      return result(s0, konst(0n));
    case 'sk_lookup_tcp':
    case 'sk_lookup_udp':
    case 'skc_lookup_tcp':
    case 'ringbuf_reserve': {
      // A pointer that may be NULL: modelled as a lookup in a pseudo-map so the null test forks.
      const id = s0.counters.lookup + 1;
      let s: PathState = { ...recordCall(s0), counters: { ...s0.counters, lookup: id } };
      s = { ...s, lookups: push(s.lookups, { id, map: { kind: 'map', name: `(${name})` }, key: [], slot: at }) };
      return result(s, lookupPtr(id, 0, false));
    }
    case 'loop':
    case 'for_each_map_elem':
    case 'timer_set_callback':
      return { kind: 'abandon', reason: `${name} runs a callback the lifter does not follow` };
    default:
      if (VALUE_HELPERS.has(name) || canFail(name)) return result(recordCall(s0), helperResult);
      return { kind: 'abandon', reason: `helper ${name} is not modelled by the lifter` };
  }
}

/**
 * `size` bytes the lifter cannot name (packet bytes from a variable offset): a fresh
 * unknown per 8 bytes. A symbol is a 64-bit value; one unknown for a wider buffer would
 * lose the bytes past the eighth, and in big-endian order, where a part is found by
 * shifting from the far end, every part of it (a 12-byte DNS header read as zeros).
 */
function unknownBytes(s: PathState, size: number, why: string): { state: PathState; pieces: KeyPiece[] } {
  const pieces: KeyPiece[] = [];
  let id = s.counters.unknown;
  for (let at = 0; at < size; at += 8) pieces.push({ offset: at, size: Math.min(8, size - at), value: scalar({ kind: 'unknown', id: ++id, why }) });
  return { state: { ...s, counters: { ...s.counters, unknown: id } }, pieces };
}

/** skb_load_bytes copies packet bytes one for one; keep them addressable per byte range. */
function splitPieces(ps: readonly KeyPiece[], offset: Sym, _start: Sym | undefined): KeyPiece[] {
  if (offset.kind !== 'const') return [...ps];
  const out: KeyPiece[] = [];
  for (const p of ps) {
    if (p.value.kind !== 'scalar' || p.value.source.kind !== 'pkt') {
      out.push(p);
      continue;
    }
    // Pieces of at most 8 bytes: wider values do not fit a register-sized symbol.
    for (let at = 0; at < p.size; at += 8) {
      const size = Math.min(8, p.size - at);
      out.push({ offset: p.offset + at, size, value: scalar({ kind: 'pkt', offset: konst(offset.value + BigInt(at)), size }) });
    }
  }
  return out;
}
