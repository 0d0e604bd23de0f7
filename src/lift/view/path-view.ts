import type { MapDeclaration } from '../../object/map-declaration.js';
import type { HelperEnv } from '../helpers.js';
import { declarationOf } from '../helpers.js';
import { bin, konst, mapRefKey, type MapRef, type Sym } from '../sym.js';
import type { Effect, Guard, KeyPiece, PathSummary, SlotRef } from '../types.js';
import { fullSet, intersect, isEmpty, setKey, type ValueSet } from '../value-set.js';
import { atomKey, guardText, type Atom, type FrameShape } from './atoms.js';
import { classifyGuard } from './classify-guard.js';
import { fieldOf, locate } from './locate.js';
import { ETHERTYPE, type FieldId } from './packet-layout.js';
import { memberAt } from './schema-names.js';

/** Where the bytes of a lookup key (or of a written field) come from. */
export type ByteSource =
  /** A whole header field, as the packet holds it (`swapped`: byte-reversed first). */
  | { readonly kind: 'field'; readonly field: FieldId; readonly fixedIhl: boolean; readonly swapped: boolean }
  | { readonly kind: 'ctx'; readonly field: string }
  | { readonly kind: 'const'; readonly value: bigint }
  /** Bytes of a value an earlier lookup found. */
  | { readonly kind: 'value'; readonly lookup: number; readonly offset: number; readonly size: number }
  | { readonly kind: 'other'; readonly text: string };

export interface KeyPart {
  readonly offset: number;
  readonly size: number;
  /** The key member these bytes are, e.g. `ip`, `prefixlen`. */
  readonly member: string;
  readonly source: ByteSource;
}

export interface LookupView {
  readonly id: number;
  readonly map: MapRef;
  /** The map's name, or for an inner map the outer map's. */
  readonly mapName: string;
  readonly decl: MapDeclaration;
  /** For an inner map: the lookup in the outer map that found it. */
  readonly outerLookup: number | undefined;
  readonly key: readonly KeyPart[];
  readonly slot: SlotRef;
}

/** A header field the path rewrote, with its final value. */
export interface FieldWrite {
  readonly field: FieldId;
  readonly source: ByteSource;
  readonly value: Sym;
  readonly slot: SlotRef;
}

export interface ActionView {
  readonly end: { readonly kind: 'return'; readonly code: bigint | undefined; readonly value: Sym } | { readonly kind: 'abandoned'; readonly reason: string; readonly slot: SlotRef };
  /** The last redirect the path asked for. */
  readonly redirect: Extract<Effect, { kind: 'redirect' }> | undefined;
  /** Whole fields rewritten, last write wins, in field order. */
  readonly writes: readonly FieldWrite[];
  /** Fields touched by writes the view cannot state as whole-field values (MACs in pieces...). */
  readonly touched: readonly FieldId[];
  /** Packet writes at places the view could not name. */
  readonly unplacedWrites: readonly Extract<Effect, { kind: 'packetWrite' }>[];
  readonly ctxWrites: ReadonlyMap<string, { readonly value: Sym; readonly slot: SlotRef }>;
  readonly mapEffects: readonly Extract<Effect, { kind: 'mapUpdate' | 'mapDelete' | 'mapValueWrite' }>[];
  readonly calls: readonly Extract<Effect, { kind: 'call' }>[];
  readonly tailCalls: readonly Extract<Effect, { kind: 'tailCall' }>[];
}

/** A path in the terms of packet fields, lookups and actions. */
export interface PathView {
  readonly path: PathSummary;
  readonly shape: FrameShape;
  readonly atoms: readonly Atom[];
  /** Intersection of the field atoms: what the path accepts per field. */
  readonly fields: ReadonlyMap<FieldId, ValueSet>;
  readonly lookups: ReadonlyMap<number, LookupView>;
  readonly action: ActionView;
  /** False when the field atoms contradict each other: no packet takes this path. */
  readonly feasible: boolean;
}

const ANY_ETHERTYPE = fullSet(16);

/**
 * What classifying a program's guards has found so far. Guards recur across the paths of
 * a program (every path repeats its prefix): `atoms` holds them per guard instruction and
 * frame shape, so it belongs to one program. `sets` holds the value sets of field tests
 * (the costly part), keyed by the test itself and its byte order: the same test in another
 * program or object has the same set, so one map may serve a whole translation.
 */
export interface ClassifyCache {
  readonly atoms: Map<string, Atom[]>;
  readonly sets: Map<string, ValueSet>;
  /** The same, by guard object and shape key: paths forked from one prefix share guards. */
  readonly byGuard: WeakMap<Guard, Map<string, Atom[]>>;
  /** Lookup views by lookup object and shape key: forked paths share their lookups too. */
  readonly byLookup: WeakMap<PathSummary['lookups'][number], Map<string, LookupView | null>>;
  /** Where each packet write lands (fields touched, the write recorded), by effect object and shape key. */
  readonly byWrite: WeakMap<PacketWrite, Map<string, readonly PiecePlace[]>>;
}

export function classifyCache(sets: Map<string, ValueSet> = new Map()): ClassifyCache {
  return { atoms: new Map(), sets, byGuard: new WeakMap(), byLookup: new WeakMap(), byWrite: new WeakMap() };
}

function shapeKey(s: FrameShape): string {
  return `${s.l3Base}/${s.l3}/${setKey(s.etherTypes)}/${s.assumed}/${s.protos ? setKey(s.protos) : '-'}`;
}

function classifyCached(g: Guard, shape: FrameShape, le: boolean, cache: ClassifyCache | undefined, shapeId = cache && shapeKey(shape)): Atom[] {
  if (!cache || shapeId === undefined) return classifyGuard(g, shape, le);
  let mine = cache.byGuard.get(g);
  if (!mine) cache.byGuard.set(g, (mine = new Map()));
  const known = mine.get(shapeId);
  if (known) return known;
  const key = `${shapeId}|${g.slot.section}:${g.slot.slot}|${guardText(g)}`;
  let atoms = cache.atoms.get(key);
  if (!atoms) {
    atoms = classifyGuard(g, shape, le, cache.sets);
    cache.atoms.set(key, atoms);
  }
  mine.set(shapeId, atoms);
  return atoms;
}

/** `set` is exactly `{ v }`. */
function isOnly(set: ValueSet, v: number): boolean {
  return set.ranges.length === 1 && set.ranges[0][0] === v && set.ranges[0][1] === v;
}

/** The frame shape a path's own EtherType and protocol tests establish. */
export function frameShape(path: PathSummary, le: boolean, cache?: ClassifyCache): FrameShape {
  const probe: FrameShape = { l3Base: 14, l3: 'other', etherTypes: ANY_ETHERTYPE, assumed: false, protos: undefined };
  let types = ANY_ETHERTYPE;
  const probeId = cache && shapeKey(probe);
  for (const g of path.guards) for (const a of classifyCached(g, probe, le, cache, probeId)) if (a.kind === 'field' && a.field === 'eth.type') types = intersect(types, a.set);
  let l3Base = 14;
  if (isOnly(types, ETHERTYPE.vlan)) {
    l3Base = 18;
    let inner = ANY_ETHERTYPE;
    const vlan: FrameShape = { ...probe, l3Base: 18 };
    const vlanId = cache && shapeKey(vlan);
    for (const g of path.guards) for (const a of classifyCached(g, vlan, le, cache, vlanId)) if (a.kind === 'field' && a.field === 'vlan.type') inner = intersect(inner, a.set);
    types = inner;
  }
  const only = (t: number): boolean => isOnly(types, t);
  const assumed = types.ranges.length === 1 && types.ranges[0][0] === 0 && types.ranges[0][1] === 0xffff;
  const l3: FrameShape['l3'] = only(ETHERTYPE.ip4) || assumed ? 'ip4' : only(ETHERTYPE.ip6) ? 'ip6' : only(ETHERTYPE.arp) ? 'arp' : 'other';
  const shape: FrameShape = { l3Base, l3, etherTypes: types, assumed, protos: undefined };
  if (l3 !== 'ip4' && l3 !== 'ip6') return shape;
  let protos = fullSet(8);
  const protoField: FieldId = l3 === 'ip4' ? 'ip4.proto' : 'ip6.next';
  const shapeId = cache && shapeKey(shape);
  for (const g of path.guards) for (const a of classifyCached(g, shape, le, cache, shapeId)) if (a.kind === 'field' && a.field === protoField) protos = intersect(protos, a.set);
  return { ...shape, protos };
}

/** Builds the view of one path. */
export function viewPath(path: PathSummary, env: HelperEnv, cache?: ClassifyCache): PathView {
  const le = env.obj.littleEndian;
  const shape = frameShape(path, le, cache);
  const shapeId = cache && shapeKey(shape);
  const atoms = path.guards.flatMap((g) => classifyCached(g, shape, le, cache, shapeId));
  const fields = new Map<FieldId, ValueSet>();
  let feasible = true;
  for (const a of atoms) {
    if (a.kind !== 'field') continue;
    const now = fields.has(a.field) ? intersect(fields.get(a.field)!, a.set) : a.set;
    fields.set(a.field, now);
    if (isEmpty(now)) feasible = false;
  }
  const lookups = new Map<number, LookupView>();
  for (const l of path.lookups) {
    const view = lookupViewCached(l, env, shape, cache, shapeId);
    if (view) lookups.set(l.id, view);
  }
  return { path, shape, atoms, fields, lookups, action: viewAction(path, shape, cache, shapeId), feasible };
}

type Lookup = PathSummary['lookups'][number];

function lookupViewCached(l: Lookup, env: HelperEnv, shape: FrameShape, cache: ClassifyCache | undefined, shapeId: string | undefined): LookupView | undefined {
  if (!cache || shapeId === undefined) return lookupView(l, env, shape);
  let mine = cache.byLookup.get(l);
  if (!mine) cache.byLookup.set(l, (mine = new Map()));
  let view = mine.get(shapeId);
  if (view === undefined) mine.set(shapeId, (view = lookupView(l, env, shape) ?? null));
  return view ?? undefined;
}

/** A lookup with its map's declaration and its key's parts named; undefined for an undeclared map. */
function lookupView(l: Lookup, env: HelperEnv, shape: FrameShape): LookupView | undefined {
  const decl = declarationOf(env, l.map);
  if (!decl) return undefined;
  return {
    id: l.id,
    map: l.map,
    mapName: l.map.kind === 'map' ? l.map.name : l.map.outer,
    decl,
    outerLookup: l.map.kind === 'inner' ? l.map.lookup : undefined,
    key: l.key.map((p) => ({ offset: p.offset, size: p.size, member: memberAt(decl.key, p.offset, p.size), source: byteSource(p.value, p.size, shape) })),
    slot: l.slot,
  };
}

export function atomsKey(atoms: readonly Atom[]): string {
  return atoms.map(atomKey).join(' & ');
}

const strip = (s: Sym): Sym => (s.kind === 'un' && (s.op === 'zext8' || s.op === 'zext16' || s.op === 'zext32') ? strip(s.a) : s);

/** What `size` bytes holding `value` (as stored from a register) are. */
export function byteSource(value: Sym, size: number, shape: FrameShape): ByteSource {
  const v = strip(value);
  if (v.kind === 'const') return { kind: 'const', value: v.value };
  let swapped = false;
  let core: Sym = v;
  if (core.kind === 'un' && (core.op === 'bswap16' || core.op === 'bswap32' || core.op === 'bswap64')) {
    swapped = true;
    core = strip(core.a);
  }
  if (core.kind === 'scalar') {
    const src = core.source;
    if (src.kind === 'pkt' && src.size === size) {
      const loc = locate(src.offset, shape);
      const at = loc && fieldOf(loc, size, shape);
      if (loc && at && at.byte === 0 && at.field.size === size) return { kind: 'field', field: at.field.id, fixedIhl: loc.layer === 'l4' && loc.fixedIhl, swapped };
    }
    if (!swapped && src.kind === 'ctx') return { kind: 'ctx', field: src.field };
    if (!swapped && src.kind === 'mapValue' && src.size === size) return { kind: 'value', lookup: src.lookup, offset: src.offset, size: src.size };
  }
  return { kind: 'other', text: value.key };
}

function viewAction(path: PathSummary, shape: FrameShape, cache: ClassifyCache | undefined, shapeId: string | undefined): ActionView {
  let redirect: Extract<Effect, { kind: 'redirect' }> | undefined;
  const writes = new Map<FieldId, FieldWrite>();
  const touched = new Set<FieldId>();
  const unplaced: Extract<Effect, { kind: 'packetWrite' }>[] = [];
  const ctxWrites = new Map<string, { value: Sym; slot: SlotRef }>();
  const mapEffects: Extract<Effect, { kind: 'mapUpdate' | 'mapDelete' | 'mapValueWrite' }>[] = [];
  const calls: Extract<Effect, { kind: 'call' }>[] = [];
  const tailCalls: Extract<Effect, { kind: 'tailCall' }>[] = [];
  for (const e of path.effects) {
    switch (e.kind) {
      case 'redirect':
        redirect = e;
        break;
      case 'packetWrite':
        if (!placeWrite(placesCached(e, shape, cache, shapeId), writes, touched)) unplaced.push(e);
        break;
      case 'ctxWrite':
        ctxWrites.set(e.field, { value: e.value, slot: e.slot });
        break;
      case 'mapUpdate':
      case 'mapDelete':
      case 'mapValueWrite':
        mapEffects.push(e);
        break;
      case 'call':
        calls.push(e);
        break;
      case 'tailCall':
        tailCalls.push(e);
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
  }
  const end: ActionView['end'] =
    path.end.kind === 'return'
      ? { kind: 'return', code: path.end.value.kind === 'const' ? path.end.value.value : undefined, value: path.end.value }
      : { kind: 'abandoned', reason: path.end.reason, slot: path.end.slot };
  const order = [...writes.keys()].sort();
  return { end, redirect, writes: order.map((k) => writes.get(k)!), touched: [...touched].sort(), unplacedWrites: unplaced, ctxWrites, mapEffects, calls, tailCalls };
}

type PacketWrite = Extract<Effect, { kind: 'packetWrite' }>;

/**
 * Where one piece of a packet write lands: the fields it touches (up to the byte that
 * lands nowhere, when one does) and what it does to their recorded writes.
 */
type PiecePlace =
  | { readonly kind: 'nowhere'; readonly touched: readonly FieldId[] }
  | { readonly kind: 'whole'; readonly touched: readonly FieldId[]; readonly write: FieldWrite }
  | { readonly kind: 'part'; readonly touched: readonly FieldId[] };

/** Records a packet write per field; false when some piece lands nowhere the view can name. */
function placeWrite(places: readonly PiecePlace[], writes: Map<FieldId, FieldWrite>, touched: Set<FieldId>): boolean {
  let ok = true;
  for (const p of places) {
    for (const f of p.touched) touched.add(f);
    if (p.kind === 'nowhere') ok = false;
    else if (p.kind === 'whole') writes.set(p.write.field, p.write);
    // A write to part of a field leaves its value unknown: no write of it is recorded.
    else for (const f of p.touched) writes.delete(f);
  }
  return ok;
}

function placesCached(e: PacketWrite, shape: FrameShape, cache: ClassifyCache | undefined, shapeId: string | undefined): readonly PiecePlace[] {
  if (!cache || shapeId === undefined) return e.pieces.map((p) => placePiece(e, p, shape));
  let mine = cache.byWrite.get(e);
  if (!mine) cache.byWrite.set(e, (mine = new Map()));
  let places = mine.get(shapeId);
  if (!places) mine.set(shapeId, (places = e.pieces.map((p) => placePiece(e, p, shape))));
  return places;
}

function placePiece(e: PacketWrite, p: KeyPiece, shape: FrameShape): PiecePlace {
  const at = bin('add', e.offset, konst(BigInt(p.offset)));
  const loc = locate(at, shape);
  if (!loc) return { kind: 'nowhere', touched: [] };
  // A piece may cover several fields (a MAC pair, a whole header copy): each is touched.
  const touched: FieldId[] = [];
  let whole: FieldId | undefined;
  for (let i = 0; i < p.size; i++) {
    const f = fieldOf({ ...loc, start: loc.start + i } as typeof loc, 1, shape);
    if (!f) return { kind: 'nowhere', touched };
    touched.push(f.field.id);
    if (i === 0 && f.byte === 0 && f.field.size === p.size) whole = f.field.id;
  }
  if (whole !== undefined) return { kind: 'whole', touched, write: { field: whole, source: byteSource(p.value, p.size, shape), value: p.value, slot: e.slot } };
  return { kind: 'part', touched };
}

export function lookupMapKey(l: LookupView): string {
  return mapRefKey(l.map);
}
