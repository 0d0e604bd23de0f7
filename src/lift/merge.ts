import type { ByteStore, Chunk } from './byte-store.js';
import type { Facts } from './facts.js';
import type { Frame, PathState, Trail } from './path-state.js';
import { push } from './path-state.js';
import { mapRefKey, phi, type Sym } from './sym.js';
import type { Effect, Guard } from './types.js';

/**
 * Path merging at join points, the lifter's answer to path explosion. Two paths that
 * reach the same instruction in the same call context, after a branch whose two sides
 * they took (their guards differ by one complementary guard), are one path again if the
 * branch changed nothing that matters later: the live registers agree, the same lookups
 * were made, and the effects that policy is made of (packet and context writes,
 * redirects, tail calls, map updates and deletes) are the same. What differs beyond that
 * (bookkeeping such as a session's state byte or a checksum offset) becomes a merged
 * value. The merged path's guards are the common prefix: nothing is lost about when it
 * runs.
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

/** Effects that are policy: they must be identical on both sides. */
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
      return `mu ${e.map.kind === 'map' ? e.map.name : e.map.outer} ${e.key.map((p) => p.value.key).join(',')}`;
    case 'mapDelete':
      return `md ${e.map.kind === 'map' ? e.map.name : e.map.outer} ${e.key.map((p) => p.value.key).join(',')}`;
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
  if (a.length !== b.length) return undefined;
  const out: Effect[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.kind !== y.kind) return undefined;
    const kx = policyKey(x);
    if (kx !== undefined) {
      if (kx !== policyKey(y)) return undefined;
      out.push(x);
    } else if (x.kind === 'mapValueWrite' && y.kind === 'mapValueWrite') {
      if (x.lookup !== y.lookup || x.offset !== y.offset || x.size !== y.size) return undefined;
      out.push({ ...x, value: phi(x.value, y.value) });
    } else if (x.kind === 'call' && y.kind === 'call') {
      if (x.helper !== y.helper) return undefined;
      out.push({ ...x, args: x.args.map((v, r) => phi(v, y.args[r] ?? v)) });
    } else {
      return undefined;
    }
  }
  return out;
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
 * `a` and `b` as one path, or undefined when they must stay apart. `live` is the set of
 * registers live at their common instruction (bit r for register r).
 */
export function mergeStates(a: PathState, b: PathState, live: number): PathState | undefined {
  if (a.program !== b.program || a.section !== b.section || a.slot !== b.slot) return undefined;
  if (!sameFrameChain(a.frames, b.frames) || !sameTailCalls(a, b) || !sameLookups(a, b)) return undefined;
  if (!sameSyms(a.frames[a.frames.length - 1].regs, b.frames[b.frames.length - 1].regs, live)) return undefined;
  const guards = splitTrails(a.guards, b.guards);
  // A helper that succeeded is an assumption of normal operation (its failure path has
  // ended on its own), not a condition that tells the two sides apart.
  const assumed = (g: Guard): boolean => g.kind === 'helperResult' && g.ok;
  const onlyA = guards.onlyA.filter((g) => !assumed(g));
  const onlyB = guards.onlyB.filter((g) => !assumed(g));
  if (onlyA.length !== 1 || onlyB.length !== 1 || !complementary(onlyA[0], onlyB[0])) return undefined;
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

  const dropped = onlyA[0];
  let guardTrail = guards.common;
  for (const g of [...guards.onlyA, ...guards.onlyB]) if (assumed(g)) guardTrail = push(guardTrail, g);
  const lookupStatus = intersectStatus(a.lookupStatus, b.lookupStatus);
  const helperStatus = intersectStatus(a.helperStatus, b.helperStatus);
  if (dropped.kind === 'lookup') lookupStatus.delete(dropped.lookup);
  if (dropped.kind === 'helperResult') helperStatus.delete(dropped.call);
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
