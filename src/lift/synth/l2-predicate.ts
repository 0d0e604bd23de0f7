import { evaluate, leaves } from '../eval-sym.js';
import type { Sym } from '../sym.js';
import { complement, fromValues, intersect, isEmpty, isFull, sameSet, setKey, union, universeMax, type ValueSet } from '../value-set.js';
import type { Atom, FrameShape } from '../view/atoms.js';
import { fieldOf, locate } from '../view/locate.js';
import { ETHERTYPE, fieldById, type FieldId } from '../view/packet-layout.js';

/**
 * What a classifier can test of a frame, as the conjunction one path (or several merged
 * paths) requires: header fields in value sets and the frame length. Rendered in the
 * tcpdump-expression subset the cBPF compiler takes (`ether proto`, `ip`, `ip6`, `arp`,
 * `proto[off:size] op N`, `len op N`, and/or/not), offsets as libpcap counts them on
 * Ethernet (L3 from byte 14; ng_ether hooks never show an 802.1Q tag).
 */
export interface FrameConj {
  /** Only fields of the Ethernet, ARP and IPv6 headers, at most 4 bytes wide. */
  readonly fields: ReadonlyMap<FieldId, ValueSet>;
  /** The frame holds at least this many bytes (0: no test). */
  readonly minLen: number;
  /** The frame holds fewer than this many bytes (Infinity: no test). */
  readonly maxLenExcl: number;
}

/**
 * Layers by field-name prefix: the libpcap protocol a load is relative to, where that
 * protocol starts in the frame and where the field's layer starts in it. L4 fields on a
 * path the classifier sees are behind a fixed IPv6 header (IPv4 paths are pf's).
 */
const PROTO_LAYER: Readonly<Record<string, { readonly proto: string; readonly base: number; readonly within: number } | undefined>> = {
  eth: { proto: 'ether', base: 0, within: 0 },
  arp: { proto: 'arp', base: 14, within: 0 },
  ip6: { proto: 'ip6', base: 14, within: 0 },
  l4: { proto: 'ip6', base: 14, within: 40 },
  tcp: { proto: 'ip6', base: 14, within: 40 },
  udp: { proto: 'ip6', base: 14, within: 40 },
  icmp: { proto: 'ip6', base: 14, within: 40 },
};

/** The layer and frame offset of a field a classifier can load, or undefined. */
export function loadableField(id: FieldId): { proto: string; offset: number; size: number; frameEnd: number } | undefined {
  const def = fieldById(id);
  const layer = PROTO_LAYER[id.split('.')[0]];
  if (!def || !layer || def.size > 4 || def.size === 3) return undefined;
  const offset = layer.within + def.offset;
  return { proto: layer.proto, offset, size: def.size, frameEnd: layer.base + offset + def.size };
}

/**
 * A guard over several loads of one packet field that the guard classifier left opaque
 * (`(b3 << 24 | b2 << 16 | b1 << 8 | b0) != c` built from byte loads): when the loads
 * assemble the field's bytes in some order and the test is `==`/`!=` a constant, the
 * field's value set. Byte-by-byte assembly is how clang reads a `__u8 spa[4]` member.
 */
export function rereadFieldTest(atom: Extract<Atom, { kind: 'opaque' }>, shape: FrameShape, le: boolean): { field: FieldId; set: ValueSet } | undefined {
  const g = atom.guard;
  if (g.kind !== 'cmp' || (g.op !== 'eq' && g.op !== 'ne')) return undefined;
  const constSide = g.a.kind === 'const' ? g.a : g.b.kind === 'const' ? g.b : undefined;
  const expr: Sym | undefined = g.a.kind === 'const' ? g.b : g.b.kind === 'const' ? g.a : undefined;
  if (!constSide || constSide.kind !== 'const' || !expr) return undefined;
  const reads: { key: string; start: number; size: number }[] = [];
  let field: FieldId | undefined;
  let fieldStart = 0;
  let fieldSize = 0;
  for (const leaf of leaves(expr).values()) {
    if (leaf.source.kind !== 'pkt') return undefined;
    const loc = locate(leaf.source.offset, shape);
    const at = loc && fieldOf(loc, leaf.source.size, shape);
    if (!loc || !at) return undefined;
    if (field !== undefined && at.field.id !== field) return undefined;
    field = at.field.id;
    fieldStart = at.field.offset;
    fieldSize = at.field.size;
    reads.push({ key: leaf.key, start: loc.start - fieldStart, size: leaf.source.size });
  }
  if (field === undefined || fieldSize > 4) return undefined;
  // f(v): the expression with the field holding v (big-endian, as on the wire).
  const f = (v: number): bigint | undefined =>
    evaluate(expr, (leaf) => {
      const r = reads.find((x) => x.key === leaf.key);
      if (!r) return undefined;
      let out = 0n;
      for (let j = 0; j < r.size; j++) {
        const byte = BigInt(Math.floor(v / 2 ** (8 * (fieldSize - 1 - (r.start + j)))) % 256);
        out |= le ? byte << BigInt(8 * j) : byte << BigInt(8 * (r.size - 1 - j));
      }
      return out;
    });
  // Each field byte must land on its own 8 bits of the result, unchanged but for position.
  const byteAt = (i: number, b: number): number => b * 2 ** (8 * (fieldSize - 1 - i));
  if (f(0) !== 0n) return undefined;
  const masks: bigint[] = [];
  for (let i = 0; i < fieldSize; i++) {
    const m = f(byteAt(i, 0xff));
    if (m === undefined || m.toString(2).replace(/0/g, '').length !== 8) return undefined;
    if (masks.some((x) => (x & m) !== 0n)) return undefined;
    masks.push(m);
  }
  // Separable: f(v) is the OR of each byte's own image (checked on spread-out values).
  for (let k = 0; k < 64; k++) {
    const v = (Math.imul(k + 1, 0x9e3779b1) >>> 0) % 2 ** (8 * fieldSize);
    let joined = 0n;
    for (let i = 0; i < fieldSize; i++) joined |= f(byteAt(i, Math.floor(v / 2 ** (8 * (fieldSize - 1 - i))) % 256)) ?? -1n;
    if (f(v) !== joined) return undefined;
  }
  const c = constSide.value;
  const all = masks.reduce((a, b) => a | b, 0n);
  const bits = fieldSize * 8;
  let solution: number | undefined = 0;
  if ((c & ~all) !== 0n) solution = undefined;
  for (let i = 0; i < fieldSize && solution !== undefined; i++) {
    const want = c & masks[i];
    let found: number | undefined;
    for (let b = 0; b < 256 && found === undefined; b++) if (f(byteAt(i, b)) === want) found = b;
    solution = found === undefined ? undefined : solution + byteAt(i, found);
  }
  const eq = solution === undefined ? fromValues(bits, []) : fromValues(bits, [solution]);
  return { field, set: g.op === 'eq' ? eq : complement(eq) };
}

/** Two conjunctions as one when they differ in one field only: that field's sets joined. */
function mergeOne(a: FrameConj, b: FrameConj): FrameConj | undefined {
  if (a.minLen !== b.minLen || a.maxLenExcl !== b.maxLenExcl) return undefined;
  const keys = new Set([...a.fields.keys(), ...b.fields.keys()]);
  let differing: FieldId | undefined;
  for (const k of keys) {
    const x = a.fields.get(k);
    const y = b.fields.get(k);
    if (x && y && sameSet(x, y)) continue;
    if (differing !== undefined || !x || !y) return undefined;
    differing = k;
  }
  if (differing === undefined) return a;
  const fields = new Map(a.fields);
  const joined = union(a.fields.get(differing)!, b.fields.get(differing)!);
  if (isFull(joined)) fields.delete(differing);
  else fields.set(differing, joined);
  // A field any value satisfies is no longer loaded: its load's length requirement stays.
  return normalLength({ fields, minLen: Math.max(a.minLen, reachOf(a)), maxLenExcl: a.maxLenExcl });
}

/** Joins conjunctions that differ in one field until none do (the disjunction is unchanged). */
export function mergeConjs(conjs: readonly FrameConj[]): FrameConj[] {
  const out = [...conjs];
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < out.length && !changed; i++) {
      for (let j = i + 1; j < out.length && !changed; j++) {
        const m = mergeOne(out[i], out[j]);
        if (m) {
          out.splice(j, 1);
          out[i] = m;
          changed = true;
        }
      }
    }
  }
  return out;
}

export function conjKey(c: FrameConj): string {
  const f = [...c.fields].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, s]) => `${k}∈{${setKey(s)}}`);
  return [...f, `len>=${c.minLen}`, `len<${c.maxLenExcl}`].join(' & ');
}

/** The conjunction with the field restricted further. */
export function restrict(c: FrameConj, field: FieldId, set: ValueSet): FrameConj {
  const fields = new Map(c.fields);
  const now = fields.has(field) ? intersect(fields.get(field)!, set) : set;
  if (isFull(now)) fields.delete(field);
  else fields.set(field, now);
  return { ...c, fields };
}

/**
 * A frame matches only if every load of the predicate fits: its length is at least where
 * the conjunction's loads end, whatever `minLen` says.
 */
export function isVoid(c: FrameConj): boolean {
  return [...c.fields.values()].some(isEmpty) || Math.max(c.minLen, reachOf(c)) >= c.maxLenExcl;
}

/** The same frames with a length test the loads (or the Ethernet header) already make left out. */
export function normalLength(c: FrameConj): FrameConj {
  return c.minLen > 0 && c.minLen <= Math.max(14, reachOf(c)) ? { ...c, minLen: 0 } : c;
}

function num(v: number, size: number): string {
  return v < 10 ? String(v) : `0x${v.toString(16).padStart(size * 2, '0')}`;
}

const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [ETHERTYPE.ip4, 'ip'],
  [ETHERTYPE.ip6, 'ip6'],
  [ETHERTYPE.arp, 'arp'],
]);

/** libpcap reads `ether proto N` for N <= 1500 as an 802.3 length and tests the LLC header: raw loads there. */
function etherTypeText(v: number): string {
  return ETHERTYPE_NAMES.get(v) ?? (v > 1500 ? `ether proto ${num(v, 2)}` : `ether[12:2] == ${num(v, 2)}`);
}

function rangeText(x: string, lo: number, hi: number, max: number, size: number): string {
  if (lo === hi) return `${x} == ${num(lo, size)}`;
  if (lo === 0) return `${x} <= ${num(hi, size)}`;
  if (hi === max) return `${x} >= ${num(lo, size)}`;
  return `${x} >= ${num(lo, size)} and ${x} <= ${num(hi, size)}`;
}

/** In tcpdump, `and` and `or` bind equally (left to right): every mixed group is parenthesised. */
function group(t: string): string {
  return (t.includes(' and ') || t.includes(' or ')) && !(t.startsWith('(') && isOneGroup(t)) ? `(${t})` : t;
}

function anyOf(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0] : `(${parts.map(group).join(' or ')})`;
}

function not(t: string): string {
  return t.startsWith('(') && isOneGroup(t) ? `not ${t}` : `not ${group(t)}`;
}

/** Whether the parenthesis opening `t` closes at its end (so `t` is one group). */
function isOneGroup(t: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')') depth--;
    if (depth === 0) return i === t.length - 1;
  }
  return false;
}

/** `x in set`, written as the shorter of the set and its complement. */
function setText(field: FieldId, set: ValueSet): string {
  if (field === 'eth.type') {
    const pos = set.ranges.every(([lo, hi]) => hi - lo < 4) ? set.ranges.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)) : undefined;
    const neg = complement(set);
    const negValues = neg.ranges.every(([lo, hi]) => hi - lo < 4) ? neg.ranges.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)) : undefined;
    if (pos && (!negValues || pos.length <= negValues.length)) return anyOf(pos.map(etherTypeText));
    if (negValues) return not(anyOf(negValues.map(etherTypeText)));
  }
  const f = loadableField(field)!;
  const x = f.size === 1 ? `${f.proto}[${f.offset}]` : `${f.proto}[${f.offset}:${f.size}]`;
  const max = universeMax(set.bits);
  const neg = complement(set);
  if (neg.ranges.length < set.ranges.length || (neg.ranges.length === set.ranges.length && neg.ranges.length === 1 && neg.ranges[0][0] === neg.ranges[0][1])) {
    if (neg.ranges.length === 1 && neg.ranges[0][0] === neg.ranges[0][1]) return `${x} != ${num(neg.ranges[0][0], f.size)}`;
    return not(anyOf(neg.ranges.map(([lo, hi]) => rangeText(x, lo, hi, max, f.size))));
  }
  return anyOf(set.ranges.map(([lo, hi]) => rangeText(x, lo, hi, max, f.size)));
}

/** Where the loads of a conjunction end: a length test below it says nothing more. */
export function reachOf(c: FrameConj): number {
  let end = 0;
  for (const k of c.fields.keys()) end = Math.max(end, k === 'eth.type' ? 14 : (loadableField(k)?.frameEnd ?? 0));
  return end;
}

const FIELD_ORDER = (a: FieldId, b: FieldId): number => {
  if (a === 'eth.type' || b === 'eth.type') return a === 'eth.type' ? -1 : 1;
  const fa = loadableField(a)!;
  const fb = loadableField(b)!;
  return fa.frameEnd - fa.size - (fb.frameEnd - fb.size);
};

/**
 * The length the frame needs is always tested, before the loads: a load past the end ends
 * the whole program with no match, which would hide a later alternative matching a shorter
 * frame, and an optimising compiler (ours, libpcap's) drops a load whose outcome does not
 * matter, and with it the length it implied.
 */
export function conjText(c: FrameConj): string {
  if (isVoid(c)) return 'len < 0';
  const fields = [...c.fields.keys()].filter((k) => !isFull(c.fields.get(k)!)).sort(FIELD_ORDER).map((k) => setText(k, c.fields.get(k)!));
  const need = Math.max(c.minLen, reachOf(c));
  if (need > 14) fields.splice(c.fields.has('eth.type') ? 1 : 0, 0, `len >= ${need}`);
  if (c.maxLenExcl !== Infinity) fields.push(`len < ${c.maxLenExcl}`);
  return fields.length === 0 ? 'len >= 0' : fields.join(' and ');
}

/** The disjunction of conjunctions, parenthesised for the subset's precedence. */
export function disjunctionText(conjs: readonly FrameConj[]): string {
  // An alternative that is itself an `or` of EtherTypes joins the chain without parentheses.
  if (conjs.length === 1) return conjText(conjs[0]);
  return conjs
    .map((c) => {
      const t = conjText(c);
      return c.fields.size === 1 && c.fields.has('eth.type') && t.startsWith('(') && isOneGroup(t) && !t.slice(1, -1).includes('(') ? t.slice(1, -1) : group(t);
    })
    .join(' or ');
}
