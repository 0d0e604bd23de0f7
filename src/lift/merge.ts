import type { ByteStore, Chunk } from './byte-store.js';
import type { Facts } from './facts.js';
import type { Frame, PathState, Trail } from './path-state.js';
import { push } from './path-state.js';
import { digest, fromTraffic, mapRefKey, phi, type Sym } from './sym.js';
import type { Effect, Guard, Lookup } from './types.js';

/**
 * Path merging at join points, the lifter's answer to path explosion. Two paths that
 * reach the same instruction in the same call context are one path again when what
 * tells them apart does not matter to policy:
 * - their conditions on packet and context fields (and on lookups keyed by them) are the
 *   same, or differ by one complementary condition (the two sides of one branch);
 * - other conditions (on map values, clocks, helper results: run-time state, which pf
 *   keeps in its own state tables) may differ; the merged path carries them as one
 *   `any` guard;
 * - the live registers agree, the same lookups were made, and the effects policy is made
 *   of (packet and context writes, redirects, tail calls) are the same.
 * What differs beyond that (a session's state byte, a checksum offset, a map update on
 * a retry) becomes a merged value or a "may" effect.
 */

/** The node where two trails meet, and the parts after it (oldest first). */
function splitTrails<T>(a: Trail<T>, b: Trail<T>): { common: Trail<T>; onlyA: T[]; onlyB: T[] } {
  const onlyA: T[] = [];
  const onlyB: T[] = [];
  let x = a;
  let y = b;
  while ((x?.depth ?? 0) > (y?.depth ?? 0)) {
    onlyA.push(x!.head);
    x = x!.tail;
  }
  while ((y?.depth ?? 0) > (x?.depth ?? 0)) {
    onlyB.push(y!.head);
    y = y!.tail;
  }
  while (x !== y) {
    onlyA.push(x!.head);
    onlyB.push(y!.head);
    x = x!.tail;
    y = y!.tail;
  }
  return { common: x, onlyA: onlyA.reverse(), onlyB: onlyB.reverse() };
}

function complementary(x: Guard, y: Guard): boolean {
  if (x.kind === 'lookup' && y.kind === 'lookup') return x.lookup === y.lookup && x.hit !== y.hit;
  if (x.kind === 'helperResult' && y.kind === 'helperResult') return x.call === y.call && x.ok !== y.ok;
  if (x.kind === 'cmp' && y.kind === 'cmp') {
    if (x.a.key !== y.a.key || x.b.key !== y.b.key) return false;
    const neg: Record<string, string> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le', slt: 'sge', sge: 'slt', sle: 'sgt', sgt: 'sle', set: 'clear', clear: 'set' };
    return neg[x.op] === y.op;
  }
  return false;
}

function sameSyms(a: readonly Sym[], b: readonly Sym[], mask: number): boolean {
  for (let r = 0; r < a.length; r++) if (mask & (1 << r) && a[r].key !== b[r].key) return false;
  return true;
}

function mergeRegs(a: readonly Sym[], b: readonly Sym[]): Sym[] {
  return a.map((x, r) => phi(x, b[r]));
}

/** Stores with the same chunk layout; differing values become merged values. */
function mergeStores(a: ByteStore, b: ByteStore): ByteStore | undefined {
  if (a === b) return a;
  if (a.length !== b.length) return undefined;
  const out: Chunk[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i].offset !== b[i].offset || a[i].size !== b[i].size) return undefined;
    out.push(a[i].value.key === b[i].value.key ? a[i] : { ...a[i], value: phi(a[i].value, b[i].value) });
  }
  return out;
}

function sameStore(a: ByteStore, b: ByteStore): boolean {
  return a === b || (a.length === b.length && a.every((c, i) => c.offset === b[i].offset && c.size === b[i].size && c.value.key === b[i].value.key));
}

function mergeStoreMaps<K>(a: ReadonlyMap<K, ByteStore>, b: ReadonlyMap<K, ByteStore>): Map<K, ByteStore> | undefined {
  const out = new Map<K, ByteStore>();
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const m = mergeStores(a.get(k) ?? [], b.get(k) ?? []);
    if (!m) return undefined;
    out.set(k, m);
  }
  return out;
}

/**
 * Effects that are policy: they must be identical on both sides. Map updates are not:
 * a session insert after one retry or after two is the same policy.
 */
function policyKey(e: Effect): string | undefined {
  switch (e.kind) {
    case 'packetWrite':
      return `pw ${e.offset.key} ${e.pieces.map((p) => `${p.offset}:${p.size}:${p.value.key}`).join(',')}`;
    case 'ctxWrite':
      return `cw ${e.field} ${e.value.key}`;
    case 'redirect':
      return `rd ${e.helper} ${e.ifindex.key} ${e.flags.key}`;
    case 'tailCall':
      return `tc ${e.map} ${e.index.key}`;
    case 'mapUpdate':
    case 'mapDelete':
    case 'mapValueWrite':
    case 'call':
      return undefined;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function mergeEffects(a: readonly Effect[], b: readonly Effect[]): Effect[] | undefined {
  const policyA = a.map(policyKey).filter((k): k is string => k !== undefined);
  const policyB = b.map(policyKey).filter((k): k is string => k !== undefined);
  if (policyA.length !== policyB.length || policyA.some((k, i) => k !== policyB[i])) return undefined;
  // Bookkeeping of both sides: what one side did, the merged path may do.
  const seen = new Set(a.map(bookkeepingKey));
  return [...a, ...b.filter((e) => policyKey(e) === undefined && !seen.has(bookkeepingKey(e)))];
}

function bookkeepingKey(e: Effect): string {
  switch (e.kind) {
    case 'mapValueWrite':
      return `mvw ${e.lookup} ${e.offset} ${e.size} ${e.value.key}`;
    case 'call':
      return `call ${e.call}`;
    case 'mapUpdate':
    case 'mapDelete':
      return `${e.kind} ${e.call}`;
    default:
      return policyKey(e) ?? e.kind;
  }
}

function intersectFacts(a: Facts, b: Facts): Facts {
  const out = new Map();
  for (const [k, f] of a) {
    const g = b.get(k);
    if (g && g.eq === f.eq && g.min === f.min && g.max === f.max && g.ne.length === f.ne.length && g.ne.every((v, i) => v === f.ne[i])) out.set(k, f);
  }
  return out;
}

function intersectStatus(a: ReadonlyMap<number, boolean>, b: ReadonlyMap<number, boolean>): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const [k, v] of a) if (b.get(k) === v) out.set(k, v);
  return out;
}

function sameFrameChain(a: readonly Frame[], b: readonly Frame[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].id !== b[i].id) return false;
    const ra = a[i].returnTo;
    const rb = b[i].returnTo;
    if (ra?.section !== rb?.section || ra?.slot !== rb?.slot) return false;
  }
  return true;
}

const CALLEE_SAVED = 0b11111000000; // r6..r10

/** A condition on run-time state only (map values, clocks, helper results). */
function runtime(g: Guard, lookups: ReadonlyMap<number, Lookup>): boolean {
  switch (g.kind) {
    case 'cmp':
      return !fromTraffic(g.a) && !fromTraffic(g.b);
    case 'lookup': {
      const l = lookups.get(g.lookup);
      if (!l || l.key.some((p) => fromTraffic(p.value))) return false;
      return l.map.kind === 'map' || runtime({ kind: 'lookup', lookup: l.map.lookup, hit: true, slot: g.slot }, lookups);
    }
    case 'helperResult':
    case 'any':
      return true;
    default: {
      const never: never = g;
      return never;
    }
  }
}

function guardKey(g: Guard): string {
  switch (g.kind) {
    case 'cmp':
      return `${g.a.key} ${g.op} ${g.b.key}`;
    case 'lookup':
      return `L${g.lookup}${g.hit}`;
    case 'helperResult':
      return `H${g.call}${g.ok}`;
    case 'any':
      return g.key;
    default: {
      const never: never = g;
      return never;
    }
  }
}

/**
 * The guards the merged path keeps after the common prefix, or undefined when the two
 * paths differ in a condition policy needs.
 */
function splitGuards(onlyA: readonly Guard[], onlyB: readonly Guard[], a: PathState, b: PathState): { keep: Guard[] } | undefined {
  const lookups = new Map<number, Lookup>();
  for (let t = a.lookups; t; t = t.tail) lookups.set(t.head.id, t.head);
  for (let t = b.lookups; t; t = t.tail) if (!lookups.has(t.head.id)) lookups.set(t.head.id, t.head);
  const relA = onlyA.filter((g) => !runtime(g, lookups));
  const relB = onlyB.filter((g) => !runtime(g, lookups));
  const keep: Guard[] = [];
  const same = relA.length === relB.length && relA.every((g, i) => guardKey(g) === guardKey(relB[i]));
  if (same) keep.push(...relA);
  else if (!(relA.length === 1 && relB.length === 1 && complementary(relA[0], relB[0]))) return undefined;
  const rtA = onlyA.filter((g) => runtime(g, lookups));
  const rtB = onlyB.filter((g) => runtime(g, lookups));
  const keyA = rtA.map(guardKey).join('&');
  const keyB = rtB.map(guardKey).join('&');
  // Either side with no run-time condition makes the disjunction true: nothing to keep.
  if (keyA === keyB) keep.push(...rtA);
  else if (rtA.length && rtB.length) keep.push(anyOf([rtA, rtB], (rtA[rtA.length - 1] ?? rtB[rtB.length - 1]).slot));
  return { keep };
}

/** Most alternatives an `any` guard lists before it only says "some run-time condition". */
const MAX_ALTERNATIVES = 8;

/** The disjunction of two guard lists; an `any` inside either is folded in by its key. */
function anyOf(lists: readonly (readonly Guard[])[], slot: Guard['slot']): Guard {
  const keys = lists.map((l) => (l.length === 1 && l[0].kind === 'any' ? l[0].key : digest(l.map(guardKey).join('&')))).sort();
  const flat: (readonly Guard[])[] = [];
  for (const l of lists) {
    const only = l.length === 1 ? l[0] : undefined;
    if (only?.kind === 'any') {
      if (!only.alternatives.length) return { kind: 'any', alternatives: [], key: `any#${digest(keys.join('|'))}`, slot };
      flat.push(...only.alternatives);
    } else flat.push(l);
  }
  return { kind: 'any', alternatives: flat.length <= MAX_ALTERNATIVES ? flat : [], key: `any#${digest(keys.join('|'))}`, slot };
}

function sameTailCalls(a: PathState, b: PathState): boolean {
  if (a.tailCalls === b.tailCalls) return true;
  const split = splitTrails(a.tailCalls, b.tailCalls);
  return split.onlyA.length === split.onlyB.length && split.onlyA.every((x, i) => x === split.onlyB[i]);
}

/** The same lookups in the same order (each side may have recorded its own copy). */
function sameLookups(a: PathState, b: PathState): boolean {
  if (a.lookups === b.lookups) return true;
  const split = splitTrails(a.lookups, b.lookups);
  if (split.onlyA.length !== split.onlyB.length) return false;
  return split.onlyA.every((x, i) => {
    const y = split.onlyB[i];
    return x.id === y.id && mapRefKey(x.map) === mapRefKey(y.map) && x.key.length === y.key.length && x.key.every((p, j) => p.offset === y.key[j].offset && p.size === y.key[j].size && p.value.key === y.key[j].value.key);
  });
}

/**
 * Signatures of what mergeStates requires to be equal apart from guards: frames and their
 * live registers, stack and map-value layouts, lookups, tail calls, packet and context
 * writes, policy effects. Two states with different signatures never merge, so a join
 * with hundreds of waiting paths compares signatures instead of states; mergeStates still
 * decides. One instance per lift: it numbers each distinct text it is given (so equal
 * numbers are equal texts, and a long symbol key is hashed once, natively) and remembers
 * the number of each shared trail node and store, which forks share.
 */
export class MergeSignatures {
  /** Per trail node (a node belongs to one kind of trail). */
  private readonly trails = new WeakMap<object, number>();
  /** Per store, by role: one array may be both an empty stack and an empty packet. */
  private readonly layouts = new WeakMap<ByteStore, number>();
  private readonly contents = new WeakMap<ByteStore, number>();
  private readonly syms = new WeakMap<Sym, number>();
  private readonly ids = new Map<string, number>();
  /** Per guard trail node: its path's policy guards as numbers (see mayMerge). */
  private readonly policies = new WeakMap<object, PolicyIds>();

  of(s: PathState, live: number): string {
    let out = `${s.program}\n${s.section}\n${s.slot}`;
    const top = s.frames.length - 1;
    for (let i = 0; i <= top; i++) {
      const f = s.frames[i];
      const mask = i === top ? live : CALLEE_SAVED;
      out += `\nF${f.id}@${f.returnTo?.section}:${f.returnTo?.slot} `;
      for (let r = 0; r < f.regs.length; r++) if (mask & (1 << r)) out += `${this.sym(f.regs[r])};`;
      out += ` ${this.layout(f.stack)}`;
    }
    out += `\n${this.trail(s.tailCalls, (t) => t)}`;
    out += `\n${this.trail(s.lookups, (l) => `${l.id} ${mapRefKey(l.map)} ${l.key.map((p) => `${p.offset}:${p.size}:${p.value.key}`).join(',')}`)}`;
    out += `\n${this.trail(s.effects, (e) => policyKey(e) ?? '')}`;
    out += `\n${remember(this.contents, s.packet, () => this.id(s.packet.map((c) => `${c.offset}:${c.size}:${this.sym(c.value)}`).join(',')))}`;
    if (s.ctx.size) out += `\nC${[...s.ctx].map(([k, v]) => `${k}=${v.key}`).sort().join(',')}`;
    for (const [name, m] of [['V', s.values], ['G', s.globals]] as const) {
      const keys: string[] = [];
      for (const [k, store] of m as ReadonlyMap<unknown, ByteStore>) if (store.length) keys.push(`${String(k)}=${this.layout(store)}`);
      if (keys.length) out += `\n${name}${keys.sort().join(',')}`;
    }
    return out;
  }

  /**
   * False when splitGuards must refuse `a` and `b`, decided on numbers: it merges paths
   * whose policy guards (the ones not about run-time state) read the same, or differ only
   * in a last pair of complementary tests, so equal sequences, or equal sequences but for
   * the last, are necessary. Most pairs with equal signatures fail here (Coppice's
   * from_cube: 7,951 of 8,312 tries); mergeStates still decides the rest.
   */
  mayMerge(a: PathState, b: PathState): boolean {
    const pa = this.policy(a);
    const pb = this.policy(b);
    return pa.full === pb.full || (pa.prefix === pb.prefix && pa.prefix !== NO_GUARDS);
  }

  /** The number of a path's policy guard keys, and of all of them but the last. */
  private policy(s: PathState): PolicyIds {
    const pending: NonNullable<Trail<Guard>>[] = [];
    let ids: PolicyIds = { full: EMPTY, prefix: NO_GUARDS };
    for (let n = s.guards; n; n = n.tail) {
      const known = this.policies.get(n);
      if (known) {
        ids = known;
        break;
      }
      pending.push(n);
    }
    if (pending.length === 0) return ids;
    // Whether a guard is about run-time state depends only on lookups made before it, so
    // the answer belongs to the trail node and holds for every path sharing it.
    const lookups = new Map<number, Lookup>();
    for (let t = s.lookups; t; t = t.tail) lookups.set(t.head.id, t.head);
    for (let i = pending.length - 1; i >= 0; i--) {
      const g = pending[i].head;
      if (!runtime(g, lookups)) ids = { full: this.id(`P${ids.full}|${guardKey(g)}`), prefix: ids.full };
      this.policies.set(pending[i], ids);
    }
    return ids;
  }

  /** A first, cheaper cut: lookups taken, call depth and the live registers of the top frame. */
  bucket(s: PathState, live: number): string {
    const regs = s.frames[s.frames.length - 1].regs;
    let out = `${s.lookups?.depth ?? 0}|${s.frames.length}`;
    for (let r = 0; r < regs.length; r++) if (live & (1 << r)) out += `|${this.sym(regs[r])}`;
    return out;
  }

  private id(text: string): number {
    let n = this.ids.get(text);
    if (n === undefined) this.ids.set(text, (n = this.ids.size));
    return n;
  }

  private sym(v: Sym): number {
    return remember(this.syms, v, () => this.id(v.key));
  }

  private layout(store: ByteStore): number {
    return remember(this.layouts, store, () => this.id(store.map((c) => `${c.offset}:${c.size}`).join(',')));
  }

  /** The number of a trail's keys, oldest first; empty keys are skipped. */
  private trail<T>(t: Trail<T>, key: (x: T) => string): number {
    const pending: NonNullable<Trail<T>>[] = [];
    let h = -1;
    for (let n = t; n; n = n.tail) {
      const known = this.trails.get(n);
      if (known !== undefined) {
        h = known;
        break;
      }
      pending.push(n);
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      const k = key(pending[i].head);
      if (k !== '') h = this.id(`${h}|${k}`);
      this.trails.set(pending[i], h);
    }
    return h;
  }
}

interface PolicyIds {
  /** The policy guards' keys, in order, numbered. */
  readonly full: number;
  /** The same without the last one; NO_GUARDS when there is none. */
  readonly prefix: number;
}

const EMPTY = -1;
const NO_GUARDS = -2;

function remember<K extends object>(memo: WeakMap<K, number>, o: K, make: () => number): number {
  let h = memo.get(o);
  if (h === undefined) memo.set(o, (h = make()));
  return h;
}

/**
 * `a` and `b` as one path, or undefined when they must stay apart. `live` is the set of
 * registers live at their common instruction (bit r for register r).
 */
export function mergeStates(a: PathState, b: PathState, live: number): PathState | undefined {
  if (a.program !== b.program || a.section !== b.section || a.slot !== b.slot) return undefined;
  if (!sameFrameChain(a.frames, b.frames) || !sameTailCalls(a, b) || !sameLookups(a, b)) return undefined;
  if (!sameSyms(a.frames[a.frames.length - 1].regs, b.frames[b.frames.length - 1].regs, live)) return undefined;
  const guards = splitTrails(a.guards, b.guards);
  const split = splitGuards(guards.onlyA, guards.onlyB, a, b);
  if (!split) return undefined;
  if (!sameStore(a.packet, b.packet)) return undefined;
  if (a.ctx.size !== b.ctx.size || [...a.ctx].some(([k, v]) => b.ctx.get(k)?.key !== v.key)) return undefined;

  const frames: Frame[] = [];
  for (let i = 0; i < a.frames.length; i++) {
    const fa = a.frames[i];
    const fb = b.frames[i];
    const mask = i === a.frames.length - 1 ? live : CALLEE_SAVED;
    if (!sameSyms(fa.regs, fb.regs, mask)) return undefined;
    const stack = mergeStores(fa.stack, fb.stack);
    if (!stack) return undefined;
    frames.push({ ...fa, regs: mergeRegs(fa.regs, fb.regs), stack });
  }
  const values = mergeStoreMaps(a.values, b.values);
  const globals = mergeStoreMaps(a.globals, b.globals);
  if (!values || !globals) return undefined;
  const effects = splitTrails(a.effects, b.effects);
  const merged = mergeEffects(effects.onlyA, effects.onlyB);
  if (!merged) return undefined;
  let effectTrail = effects.common;
  for (const e of merged) effectTrail = push(effectTrail, e);

  let guardTrail = guards.common;
  for (const g of split.keep) guardTrail = push(guardTrail, g);
  const lookupStatus = intersectStatus(a.lookupStatus, b.lookupStatus);
  const helperStatus = intersectStatus(a.helperStatus, b.helperStatus);
  return {
    ...a,
    frames,
    guards: guardTrail,
    effects: effectTrail,
    facts: intersectFacts(a.facts, b.facts),
    lookupStatus,
    helperStatus,
    values,
    globals,
    counters: {
      call: Math.max(a.counters.call, b.counters.call),
      unknown: Math.max(a.counters.unknown, b.counters.unknown),
      lookup: Math.max(a.counters.lookup, b.counters.lookup),
      frame: Math.max(a.counters.frame, b.counters.frame),
    },
    backEdges: a.backEdges,
    steps: Math.max(a.steps, b.steps),
  };
}
