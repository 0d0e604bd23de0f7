import type { Fidelity, Finding } from '../../ir/types.js';
import { evaluate, leaves } from '../eval-sym.js';
import type { Sym } from '../sym.js';
import type { Guard, SlotRef } from '../types.js';
import type { Atom } from '../view/atoms.js';
import type { LookupView, PathView } from '../view/path-view.js';

/**
 * recognise-rate-pipes: a rate limiter in the paths becomes a dummynet pipe.
 *
 * - Earliest departure time: the path computes a packet's transmission time as
 *   `len * 1e9 / rate` (ns), with the rate a field of a map value or a constant, and
 *   stamps `skb->tstamp` (on some path of the program): the fq qdisc then paces packets.
 * - Token bucket in bytes: a map value field refilled from the clock (`tokens + f(now -
 *   last)`), compared with the packet length, and the packet dropped when it is short: a
 *   policer. The rate is what one second of refill adds; a constant the bucket is reset to
 *   is its burst.
 *
 * The limiter's own conditions (the clock, the bucket, the rate entry found or not) are
 * run-time state to the rule synthesis: `claimLimiter` turns them into run-time atoms, so
 * the paths they split become one rule, which build-ir sends through the pipe (`dnpipe`).
 * Recognised from the arithmetic and the effects, never from names.
 */
export interface RateEnv {
  readonly program: string;
  /** The member name at an offset of a lookup's map value (BTF), a valid field name. */
  readonly memberOf: (view: PathView, lookup: number, offset: number, size: number) => string;
  readonly finding: (code: string, severity: Finding['severity'], message: string, slot: SlotRef | null, construct: string, suggestion: string) => Finding;
}

export type PipeRate =
  | { readonly kind: 'map'; readonly map: string; readonly field: string; readonly offset: number; readonly size: number }
  | { readonly kind: 'const'; readonly bytesPerSecond: number };

/** A pipe before build-ir numbers it and decides its scope. */
export interface PipeDraft {
  readonly name: string;
  readonly mechanism: 'edt' | 'bucket';
  readonly rate: PipeRate;
  /** Keyed by the packet's interface: one pipe per instance of the program's family. */
  readonly perInterface: boolean;
  readonly burstBytes: number | undefined;
  readonly fidelity: Fidelity;
  /** `section:slot` of the limiter's instructions: a pass rule whose provenance has one is shaped. */
  readonly slots: ReadonlySet<string>;
  /** Maps the limiter reads and keeps its state in. */
  readonly maps: ReadonlySet<string>;
}

export interface RateResult {
  readonly pipes: readonly PipeDraft[];
  readonly findings: readonly Finding[];
  /** The views with the limiters' conditions made run-time atoms. */
  readonly views: readonly PathView[];
}

const NS_PER_S = 1_000_000_000n;
const LENGTH_CTX = new Set(['len', 'wire_len']);
const CLOCKS = new Set(['ktime_get_ns', 'ktime_get_boot_ns', 'ktime_get_coarse_ns', 'ktime_get_tai_ns']);
const IFINDEX_CTX = new Set(['ifindex', 'ingress_ifindex']);

type Leaf = Extract<Sym, { kind: 'scalar' }>;

const isLength = (l: Leaf): boolean => l.source.kind === 'pktLen' || (l.source.kind === 'ctx' && LENGTH_CTX.has(l.source.field));
const isClock = (l: Leaf): boolean => l.source.kind === 'helper' && CLOCKS.has(l.source.helper);
const strip = (s: Sym): Sym => (s.kind === 'un' && (s.op === 'zext32' || s.op === 'zext16' || s.op === 'zext8') ? strip(s.a) : s);

type Division = Extract<Sym, { kind: 'bin' }>;

/**
 * The divisions in `s`, outermost first, each once. Paths share their guards and values,
 * and expressions share sub-expressions, so the search is memoised per expression object
 * (`memo` lives for one recognition) instead of walking every path's trees in full.
 */
function divisions(s: Sym, memo: WeakMap<Sym, readonly Division[]>): readonly Division[] {
  if (s.kind !== 'un' && s.kind !== 'bin') return [];
  const known = memo.get(s);
  if (known) return known;
  const inner = s.kind === 'un' ? divisions(s.a, memo) : union(divisions(s.a, memo), divisions(s.b, memo));
  const out = s.kind === 'bin' && s.op === 'div' ? [s, ...inner.filter((d) => d !== s)] : inner;
  memo.set(s, out);
  return out;
}

function union<T>(a: readonly T[], b: readonly T[]): readonly T[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

/** The values a path computes, what it writes and what it compares, each with its slot. */
function eachValue(v: PathView, visit: (sym: Sym, slot: SlotRef) => void): void {
  for (const e of v.path.effects) {
    if (e.kind === 'ctxWrite' || e.kind === 'mapValueWrite') visit(e.value, e.slot);
    else if (e.kind === 'mapUpdate') for (const p of e.value) visit(p.value, e.slot);
  }
  for (const g of v.path.guards) if (g.kind === 'cmp') {
    visit(g.a, g.slot);
    visit(g.b, g.slot);
  }
}

/** How a lookup's key is made: per interface, one entry, or per something else. */
function keying(l: LookupView): 'interface' | 'global' | 'other' {
  const parts = l.key.filter((p) => p.source.kind !== 'const');
  if (parts.length === 0) return 'global';
  return parts.every((p) => p.source.kind === 'ctx' && IFINDEX_CTX.has(p.source.field)) ? 'interface' : 'other';
}

interface Found {
  readonly mechanism: 'edt' | 'bucket';
  readonly rate: PipeRate | { readonly kind: 'unit'; readonly why: string };
  /** The lookup whose key decides the scope (the rate's, or the bucket's). */
  readonly keyLookup: LookupView | undefined;
  readonly stateMaps: readonly string[];
  readonly burst: number | undefined;
  readonly slot: SlotRef;
}

/** `len * K / rate` (EDT transmission time in ns): the rate, when `K` makes it bytes per second. */
function edtCost(v: PathView, s: Sym, slot: SlotRef, env: RateEnv): Found | undefined {
  if (s.kind !== 'bin' || s.op !== 'div') return undefined;
  const num = [...leaves(s.a).values()];
  if (num.length !== 1 || !isLength(num[0])) return undefined;
  const k = evaluate(s.a, () => 1n);
  if (k === undefined || k === 0n) return undefined;
  const den = strip(s.b);
  if (den.kind === 'const') {
    if (den.value === 0n) return undefined;
    return { mechanism: 'edt', rate: { kind: 'const', bytesPerSecond: Number((den.value * NS_PER_S) / k) }, keyLookup: undefined, stateMaps: [], burst: undefined, slot };
  }
  if (den.kind !== 'scalar' || den.source.kind !== 'mapValue') return undefined;
  const l = v.lookups.get(den.source.lookup);
  if (!l) return undefined;
  const { offset, size } = den.source;
  const rate: Found['rate'] =
    k === NS_PER_S
      ? { kind: 'map', map: l.mapName, field: env.memberOf(v, l.id, offset, size), offset, size }
      : { kind: 'unit', why: `the rate in ${l.mapName} is in units of ${k} ns per byte, not bytes per second` };
  return { mechanism: 'edt', rate, keyLookup: l, stateMaps: [l.mapName], burst: undefined, slot };
}

/**
 * A bucket refill: a write of `tokens + f(now - last)` to the tokens field of a looked-up
 * value, where some guard compares the tokens with the packet length.
 */
function bucketRefill(v: PathView, e: Extract<PathView['path']['effects'][number], { kind: 'mapValueWrite' }>): Found | undefined {
  const ls = [...leaves(e.value).values()];
  const own = (l: Leaf): boolean => l.source.kind === 'mapValue' && l.source.lookup === e.lookup;
  const tokens = ls.find((l) => own(l) && l.source.kind === 'mapValue' && l.source.offset === e.offset);
  if (!tokens || !ls.some(isClock)) return undefined;
  if (!ls.every((l) => own(l) || isClock(l) || isLength(l))) return undefined;
  const comparedWithLength = v.path.guards.some((g) => {
    if (g.kind !== 'cmp') return false;
    const gl = [...leaves(g.b, leaves(g.a)).values()];
    return gl.some(isLength) && gl.some((l) => own(l) && l.source.kind === 'mapValue' && l.source.offset === e.offset);
  });
  if (!comparedWithLength) return undefined;
  const t0 = 1_000_000_000_000n;
  const refill = (elapsed: bigint): bigint | undefined =>
    evaluate(e.value, (l) => (l.key === tokens.key ? 0n : isClock(l) ? t0 + elapsed : isLength(l) ? 0n : own(l) ? t0 : undefined));
  const ms = refill(1_000_000n);
  const ms2 = refill(2_000_000n);
  if (ms === undefined || ms2 === undefined || ms <= 0n || ms > 1n << 40n) return undefined;
  const d = ms2 - 2n * ms;
  if (d < -2n || d > 2n) return undefined;
  const l = v.lookups.get(e.lookup);
  return { mechanism: 'bucket', rate: { kind: 'const', bytesPerSecond: Number(ms * 1000n) }, keyLookup: l, stateMaps: l ? [l.mapName] : [], burst: undefined, slot: e.slot };
}

/** A constant the path resets the bucket's tokens field to: its capacity. */
function bucketCap(v: PathView, lookupMap: string, offset: number): number | undefined {
  let cap: number | undefined;
  for (const e of v.path.effects) {
    if (e.kind !== 'mapValueWrite' || e.value.kind !== 'const' || e.offset !== offset) continue;
    if (v.lookups.get(e.lookup)?.mapName !== lookupMap || e.value.value === 0n) continue;
    cap = Math.max(cap ?? 0, Number(e.value.value));
  }
  return cap;
}

function rateKey(f: Found): string {
  const r = f.rate;
  const rate = r.kind === 'map' ? `map:${r.map}:${r.offset}` : r.kind === 'const' ? `const:${r.bytesPerSecond}` : `unit:${r.why}`;
  return `${f.mechanism}|${rate}|${f.keyLookup?.mapName ?? ''}`;
}

function slotKey(s: SlotRef): string {
  return `${s.section}:${s.slot}`;
}

type LeavesOf = (s: Sym) => readonly Leaf[];

/** `leaves`, memoised per expression object for one recognition (paths share their expressions). */
function memoLeaves(): LeavesOf {
  const memo = new WeakMap<Sym, readonly Leaf[]>();
  return (s) => {
    let out = memo.get(s);
    if (!out) memo.set(s, (out = [...leaves(s).values()]));
    return out;
  };
}

export function recogniseRatePipes(views: readonly PathView[], env: RateEnv): RateResult {
  const findings: Finding[] = [];
  const stampsTime = views.some((v) => v.action.ctxWrites.has('tstamp'));
  // A view notes the same limiter once per expression that shows it: a set, not a list.
  const found = new Map<string, { f: Found; views: Set<PathView> }>();
  const memo = new WeakMap<Sym, readonly Division[]>();
  const leavesOf = memoLeaves();
  const note = (f: Found, v: PathView): void => {
    const k = rateKey(f);
    const at = found.get(k);
    if (at) {
      at.views.add(v);
      if (f.burst !== undefined) at.f = { ...at.f, burst: Math.max(at.f.burst ?? 0, f.burst) } as Found;
    } else found.set(k, { f, views: new Set([v]) });
  };
  // The largest cap any path puts on a bucket, once per bucket field (every refilling path asks).
  const bursts = new Map<string, number | undefined>();
  const burstOf = (map: string, offset: number): number | undefined => {
    const k = `${map}@${offset}`;
    if (!bursts.has(k)) {
      const caps = views.map((x) => bucketCap(x, map, offset)).filter((x): x is number => x !== undefined);
      bursts.set(k, caps.length > 0 ? Math.max(...caps) : undefined);
    }
    return bursts.get(k);
  };
  for (const v of views) {
    eachValue(v, (sym, slot) => {
      for (const n of divisions(sym, memo)) {
        const f = edtCost(v, n, slot, env);
        if (f) note(stampsTime ? f : { ...f, mechanism: 'bucket' }, v);
      }
    });
    for (const e of v.path.effects) {
      if (e.kind !== 'mapValueWrite') continue;
      const f = bucketRefill(v, e);
      if (!f) continue;
      const map = f.keyLookup?.mapName;
      note({ ...f, burst: map ? burstOf(map, e.offset) : undefined }, v);
    }
  }

  const pipes: PipeDraft[] = [];
  for (const { f, views: vs } of [...found.values()].sort((a, b) => (rateKey(a.f) < rateKey(b.f) ? -1 : 1))) {
    const scope = f.keyLookup ? keying(f.keyLookup) : 'global';
    const what = f.mechanism === 'edt' ? 'departure-time pacing (skb->tstamp)' : 'a token bucket on the clock';
    if (f.rate.kind === 'unit' || scope === 'other') {
      const why = f.rate.kind === 'unit' ? f.rate.why : `its state is keyed by ${f.keyLookup!.key.map((p) => p.member).join(', ')}, not by the interface: one pipe per key needs a dummynet mask`;
      findings.push(env.finding('B2P-RATE-UNCLAIMED', 'warning', `${what} in ${f.keyLookup?.mapName ?? 'the program'} is not translated: ${why}`, f.slot, what, 'configure a dummynet pipe by hand (dnctl pipe N config bw ... mask ...) and send the traffic to it with dnpipe'));
      continue;
    }
    const maps = limiterState(f.stateMaps, vs, leavesOf);
    const reason =
      f.mechanism === 'edt'
        ? 'the program paces each packet to an earliest departure time (skb->tstamp, held by the fq qdisc) and drops packets that would wait past its horizon; dummynet queues them in the pipe instead and drops only when the queue is full'
        : `the program polices: it drops packets the bucket${f.burst !== undefined ? ` (${f.burst} bytes)` : ''} cannot pay for; dummynet shapes: it queues them and drops only when the queue is full`;
    const name = `${env.program}_${f.rate.kind === 'map' ? f.rate.map : (f.keyLookup?.mapName ?? 'rate')}`;
    pipes.push({
      name,
      mechanism: f.mechanism,
      rate: f.rate,
      perInterface: scope === 'interface',
      burstBytes: f.burst,
      fidelity: { level: 'approximate', reason },
      slots: new Set(),
      maps,
    });
  }
  if (pipes.length === 0) return { pipes, findings, views };
  const slotsOf = new Map(pipes.map((p) => [p, new Set<string>()] as const));
  // Per set of present pipes, what each guard says about them: paths share their guards.
  const touching = new Map<string, WeakMap<Guard, boolean>>();
  const out = views.map((v) => {
    const present = pipes.filter((p) => [...v.lookups.values()].some((l) => p.maps.has(l.mapName)) || (p.maps.size === 0 && v.action.ctxWrites.has('tstamp')));
    if (present.length === 0) return v;
    const maps = new Set(present.flatMap((p) => [...p.maps]));
    const which = present.map((p) => pipes.indexOf(p)).join(',');
    let memo = touching.get(which);
    if (!memo) touching.set(which, (memo = new WeakMap()));
    return claimLimiter(v, maps, guardTouches(v, maps, leavesOf, memo), (slot) => {
      for (const p of present) slotsOf.get(p)!.add(slotKey(slot));
    });
  });
  return { pipes: pipes.map((p) => ({ ...p, slots: slotsOf.get(p)! })), findings, views: out };
}

/**
 * The maps a limiter keeps its state in: the ones it was found in, and the maps written
 * with a value that mixes the packet length with the clock or with state already known,
 * to a fixed point (a path's write may only show as state after another path's).
 */
function limiterState(found: readonly string[], views: ReadonlySet<PathView>, leavesOf: LeavesOf): Set<string> {
  const maps = new Set(found);
  const writes: { readonly view: PathView; readonly target: string; readonly leaves: readonly Leaf[] }[] = [];
  // Paths share their effects; a shared write reads the same lookups on every path.
  const seen = new Set<PathView['path']['effects'][number]>();
  for (const v of views) {
    for (const e of v.path.effects) {
      if ((e.kind !== 'mapValueWrite' && e.kind !== 'mapUpdate') || seen.has(e)) continue;
      seen.add(e);
      const syms = e.kind === 'mapValueWrite' ? [e.value] : e.value.map((p) => p.value);
      const target = e.kind === 'mapValueWrite' ? v.lookups.get(e.lookup)?.mapName : e.map.kind === 'map' ? e.map.name : undefined;
      if (target && syms.some((s) => leavesOf(s).some(isLength))) writes.push({ view: v, target, leaves: syms.flatMap(leavesOf) });
    }
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const w of writes) {
      if (maps.has(w.target)) continue;
      const mixes = w.leaves.some((l) => isClock(l) || (l.source.kind === 'mapValue' && maps.has(w.view.lookups.get(l.source.lookup)?.mapName ?? '')));
      if (mixes) {
        maps.add(w.target);
        grew = true;
      }
    }
  }
  return maps;
}

/**
 * Whether a guard tests the limiter: one of its state maps' values, the clock, or
 * skb->tstamp. Remembered per guard object: a guard's lookups were made before it, so
 * every path sharing the guard reads them from the same maps.
 */
function guardTouches(v: PathView, maps: ReadonlySet<string>, leavesOf: LeavesOf, memo: WeakMap<Guard, boolean>): (g: Guard) => boolean {
  const touches = (l: Leaf): boolean =>
    isClock(l) || (l.source.kind === 'ctx' && l.source.field === 'tstamp') || (l.source.kind === 'mapValue' && maps.has(v.lookups.get(l.source.lookup)?.mapName ?? ''));
  return (g) => {
    let known = memo.get(g);
    if (known === undefined) memo.set(g, (known = g.kind === 'cmp' && (leavesOf(g.a).some(touches) || leavesOf(g.b).some(touches))));
    return known;
  };
}

/**
 * The view with the limiter's conditions as run-time atoms: tests of its maps' values,
 * of the clock and of skb->tstamp, and the lookups of its state maps (the first
 * per-interface lookup of a path stays: it says which instance the packet belongs to).
 */
function claimLimiter(v: PathView, maps: ReadonlySet<string>, touches: (g: Guard) => boolean, claimed: (slot: SlotRef) => void): PathView {
  const limiterLookups = new Set([...v.lookups.values()].filter((l) => maps.has(l.mapName)).map((l) => l.id));
  for (const e of v.path.effects) {
    if (e.kind === 'mapValueWrite' && limiterLookups.has(e.lookup)) claimed(e.slot);
    else if (e.kind === 'mapUpdate' && e.map.kind === 'map' && maps.has(e.map.name)) claimed(e.slot);
    else if (e.kind === 'ctxWrite' && e.field === 'tstamp') claimed(e.slot);
  }
  const registration = v.atoms.find((a): a is Extract<Atom, { kind: 'lookup' }> => a.kind === 'lookup' && v.lookups.get(a.lookup) !== undefined && keying(v.lookups.get(a.lookup)!) === 'interface');
  let changed = false;
  const atoms = v.atoms.map((a): Atom => {
    const runtime = (why: string): Atom => {
      changed = true;
      claimed(a.slot);
      return { kind: 'opaque', why: `the rate limiter's ${why}`, guard: guardOf(v, a), runtime: true, slot: a.slot };
    };
    switch (a.kind) {
      case 'lookup': {
        const map = v.lookups.get(a.lookup)?.mapName;
        if (!limiterLookups.has(a.lookup) || a === registration) return a;
        return runtime(`state (${map} entry ${a.hit ? 'found' : 'missing'})`);
      }
      case 'opaque':
      case 'value': {
        if (!touches(a.guard)) return a;
        if (a.kind === 'value') {
          claimed(a.slot);
          return a;
        }
        return runtime('clock and budget');
      }
      case 'ctx':
        return a.field === 'tstamp' ? runtime('departure time') : a;
      default:
        return a;
    }
  });
  return changed ? { ...v, atoms } : v;
}

/** The guard behind an atom (every atom comes from one guard at its slot). */
function guardOf(v: PathView, a: Atom): Guard {
  if (a.kind === 'opaque' || a.kind === 'value') return a.guard;
  return v.path.guards.find((g) => g.slot.section === a.slot.section && g.slot.slot === a.slot.slot) ?? { kind: 'any', alternatives: [], key: `limiter@${slotKey(a.slot)}`, slot: a.slot };
}
