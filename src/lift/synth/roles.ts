import { fitName } from '../../ir/names.js';
import { MapType } from '../../object/map-types.js';
import type { FieldId } from '../view/packet-layout.js';
import type { ByteSource, LookupView, PathView } from '../view/path-view.js';

/**
 * What a map is for, recognised from how the programs use it (its type, what its key is
 * made of, what its value feeds), never from its name.
 */
export type MapRole =
  /** Keyed by the interface the packet came in on: one instance per key (a sandbox). */
  | { readonly kind: 'family'; readonly map: string; readonly keyField: string }
  /** A map-in-map keyed by the interface: its inner maps are per-instance sets. */
  | { readonly kind: 'familyOuter'; readonly map: string }
  /** Keyed by a packet address (prefix trie or hash) and only tested: a pf table. */
  | { readonly kind: 'set'; readonly map: string; readonly field: 'ip4.src' | 'ip4.dst'; readonly inner: boolean; readonly keyField: string }
  /** Keyed by a connection's addresses and ports and filled by the programs: pf state. */
  | { readonly kind: 'session'; readonly map: string }
  /** Keyed by the interface and a port, its value a port: the reverse of a translation, pf state. */
  | { readonly kind: 'reverse'; readonly map: string }
  /** Keyed by one packet field, its value used to act: one rule per entry. */
  | { readonly kind: 'perEntry'; readonly map: string; readonly field: FieldId; readonly keyField: string }
  /** Indexed by a computed number (a hash of an address): a pool the program picks from. */
  | { readonly kind: 'pool'; readonly map: string }
  | { readonly kind: 'other'; readonly map: string; readonly why: string };

/** The pf table a map becomes: validated and cut to pf's limits, the same everywhere. */
export function setName(map: string): string {
  return fitName('table', map);
}

const IFINDEX_CTX = new Set(['ifindex', 'ingress_ifindex']);

function isIfindex(s: ByteSource): boolean {
  return s.kind === 'ctx' && IFINDEX_CTX.has(s.field);
}

function meaningful(l: LookupView) {
  // Constant parts are padding or a fixed prefix length; they do not say what the key is.
  return l.key.filter((p) => p.source.kind !== 'const');
}

/** Whether a path acts on the value its lookup `id` found (redirects to it, writes it). */
function valueUsedOn(v: PathView, id: number): boolean {
  const uses = (key: string): boolean => key.includes(`val#${id}[`);
  const a = v.action;
  return (a.redirect !== undefined && uses(a.redirect.ifindex.key)) || a.writes.some((w) => uses(w.value.key));
}

/**
 * What identifies a lookup across paths: lookup ids are numbered per path, so the same
 * lookup has different ids on different paths; its map and key make it the same.
 */
export function lookupSignature(l: LookupView): string {
  return `${l.mapName}${l.outerLookup !== undefined ? '[inner]' : ''}|${l.key.map((p) => `${p.offset}:${p.size}:${describeSource(p.source)}`).join(',')}`;
}

/** The role of the map behind one lookup, judged on every path that makes it. */
function roleOfLookup(l: LookupView, valueUsed: boolean): MapRole {
  const map = l.mapName;
  const parts = meaningful(l);
  const t = l.decl.type;
  if (parts.length === 0) return { kind: 'other', map, why: 'its key is a constant' };
  if (parts.every((p) => isIfindex(p.source))) {
    if (t === MapType.HASH_OF_MAPS || t === MapType.ARRAY_OF_MAPS) return { kind: 'familyOuter', map };
    return { kind: 'family', map, keyField: parts[0].member };
  }
  const fields = parts.map((p) => (p.source.kind === 'field' ? p.source.field : undefined));
  if (parts.length === 1 && (fields[0] === 'ip4.src' || fields[0] === 'ip4.dst')) {
    const inner = l.outerLookup !== undefined;
    if ((t === MapType.LPM_TRIE || t === MapType.HASH) && !valueUsed) return { kind: 'set', map, field: fields[0], inner, keyField: parts[0].member };
    if (t === MapType.HASH && !inner) return { kind: 'perEntry', map, field: fields[0], keyField: parts[0].member };
  }
  if (fields.filter((f) => f !== undefined).length >= 3 && (fields.includes('ip4.src') || fields.includes('ip4.dst')) && (fields.includes('l4.sport') || fields.includes('l4.dport'))) {
    return { kind: 'session', map };
  }
  if (parts.length === 2 && parts.some((p) => isIfindex(p.source)) && parts.some((p) => p.source.kind === 'field' && (p.source.field === 'l4.sport' || p.source.field === 'l4.dport'))) {
    return { kind: 'reverse', map };
  }
  if (parts.length === 1 && fields[0] !== undefined && t === MapType.HASH) return { kind: 'perEntry', map, field: fields[0], keyField: parts[0].member };
  if ((t === MapType.ARRAY || t === MapType.PERCPU_ARRAY) && parts.every((p) => p.source.kind === 'other')) return { kind: 'pool', map };
  return { kind: 'other', map, why: `keyed by ${parts.map((p) => describeSource(p.source)).join(' and ')}` };
}

export function describeSource(s: ByteSource): string {
  switch (s.kind) {
    case 'field':
      return s.field;
    case 'ctx':
      return `ctx.${s.field}`;
    case 'const':
      return `0x${s.value.toString(16)}`;
    case 'value':
      return `a value found by lookup ${s.lookup}`;
    case 'other':
      return 'a computed value';
  }
}

/**
 * Roles of every lookup id of a program. A map used two ways keeps the role of each
 * lookup; the session role wins for a map any lookup treats as one (both directions of a
 * connection table are keyed differently).
 */
export interface Roles {
  /** Role of each distinct lookup (by signature), in signature order. */
  readonly all: ReadonlyMap<string, MapRole>;
  /** The roles of one path's lookups, by that path's lookup ids. */
  readonly of: (v: PathView) => ReadonlyMap<number, MapRole>;
}

export function lookupRoles(views: readonly PathView[]): Roles {
  const first = new Map<string, LookupView>();
  const used = new Set<string>();
  for (const v of views) {
    for (const [id, l] of v.lookups) {
      const sig = lookupSignature(l);
      if (!first.has(sig)) first.set(sig, l);
      if (valueUsedOn(v, id)) used.add(sig);
    }
  }
  const all = new Map<string, MapRole>();
  for (const sig of [...first.keys()].sort()) all.set(sig, roleOfLookup(first.get(sig)!, used.has(sig)));
  const sessionMaps = new Set([...all.values()].filter((r) => r.kind === 'session').map((r) => r.map));
  for (const [sig, r] of all) if (sessionMaps.has(r.map) && r.kind !== 'session') all.set(sig, { kind: 'session', map: r.map });
  const perView = new WeakMap<PathView, Map<number, MapRole>>();
  const of = (v: PathView): Map<number, MapRole> => {
    let m = perView.get(v);
    if (!m) {
      m = new Map();
      for (const [id, l] of v.lookups) m.set(id, all.get(lookupSignature(l))!);
      perView.set(v, m);
    }
    return m;
  };
  return { all, of };
}
