import { compile, evaluate, evaluateColumn, exact, leaves, NotNumeric, substitute, type Column } from '../eval-sym.js';
import { decideConst, negateOp, swapOp } from '../facts.js';
import { bin, konst, scalar, un, type Sym } from '../sym.js';
import type { CmpOp, Guard } from '../types.js';
import { complement, fromPredicate, fromRanges, fullSet, type ValueSet } from '../value-set.js';
import type { Atom, FrameShape, Location } from './atoms.js';
import { bitTestSet, type LeafBytes } from './bit-image.js';
import { classifyOffset, fieldOf, locate } from './locate.js';
import type { FieldDef } from './packet-layout.js';

type Leaf = Extract<Sym, { kind: 'scalar' }>;

/** A packet read placed in a field. */
interface PlacedRead {
  readonly leaf: Leaf;
  readonly loc: Location;
  readonly field: FieldDef;
  readonly size: number;
}

/**
 * A guard of a path as atoms (usually one; two when a merged load tests two fields at
 * once and the test splits into one per field; none when it is always true).
 */
/** `sets`: value sets of field tests already enumerated, by test and field layout. */
export function classifyGuard(g: Guard, shape: FrameShape, littleEndian: boolean, sets?: Map<string, ValueSet>): Atom[] {
  switch (g.kind) {
    case 'lookup':
      return [{ kind: 'lookup', lookup: g.lookup, hit: g.hit, slot: g.slot }];
    case 'helperResult':
      return [{ kind: 'helper', call: g.call, helper: g.helper, ok: g.ok, slot: g.slot }];
    case 'any':
      return [{ kind: 'opaque', why: 'one of several run-time conditions (merged paths)', guard: g, runtime: true, slot: g.slot }];
    case 'cmp':
      return classifyCmp(g, shape, littleEndian, sets);
    default: {
      const never: never = g;
      return never;
    }
  }
}

function opaque(g: Guard, why: string, runtime: boolean): Atom[] {
  return [{ kind: 'opaque', why, guard: g, runtime, slot: g.slot }];
}

function classifyCmp(g: Extract<Guard, { kind: 'cmp' }>, shape: FrameShape, le: boolean, sets: Map<string, ValueSet> | undefined): Atom[] {
  const all = [...leaves(g.b, leaves(g.a)).values()];
  const kinds = new Set(all.map((l) => l.source.kind));
  const traffic = kinds.has('pkt') || kinds.has('pktLen') || kinds.has('ctx');
  // The packet's length and departure time mixed with clocks or map values: pacing and
  // budgets (EDT, token buckets), run-time state rather than a property a rule can match.
  const identity = kinds.has('pkt') || all.some((l) => l.source.kind === 'ctx' && l.source.field !== 'len' && l.source.field !== 'tstamp');
  const state = kinds.has('helper') || kinds.has('mapValue');
  for (const k of ['helper', 'unknown', 'merged', 'global'] as const) {
    if (kinds.has(k)) return opaque(g, k === 'global' ? 'reads a writable global' : `depends on ${k === 'helper' ? 'a helper result' : k === 'merged' ? 'values merged from several paths' : 'a value the lifter does not follow'}`, !traffic || (state && !identity));
  }
  if (kinds.has('mapValue')) {
    if (identity) return opaque(g, 'compares the packet with a looked-up value', false);
    const lookups = [...new Set(all.map((l) => (l.source.kind === 'mapValue' ? l.source.lookup : -1)))].filter((x) => x >= 0).sort((a, b) => a - b);
    return [{ kind: 'value', lookups, guard: g, slot: g.slot }];
  }
  if (kinds.has('pktLen') || (kinds.has('ctx') && all.some((l) => l.source.kind === 'ctx' && l.source.field === 'len'))) return lengthAtom(g, shape);
  if (kinds.has('ctx')) {
    if (kinds.has('pkt')) return opaque(g, 'compares the packet with a context field', false);
    return ctxAtoms(g, all, le);
  }
  if (kinds.size === 0) return [];
  return fieldAtoms(g, all, shape, le, sets);
}

/** `need <= len` and its variants, with `need` a constant or past the IPv4 header. */
function lengthAtom(g: Extract<Guard, { kind: 'cmp' }>, shape: FrameShape): Atom[] {
  const isLen = (s: Sym): boolean => s.kind === 'scalar' && (s.source.kind === 'pktLen' || (s.source.kind === 'ctx' && s.source.field === 'len'));
  let op = g.op;
  let other = g.b;
  if (!isLen(g.a)) {
    if (!isLen(g.b)) return opaque(g, 'arithmetic on the packet length', false);
    op = swapOp(op);
    other = g.a;
  }
  // Now `len op other`.
  const need = classifyOffset(other, shape);
  if (!need) return opaque(g, 'compares the packet length with a computed value', false);
  switch (op) {
    case 'ge':
      return [{ kind: 'length', need, holds: true, slot: g.slot }];
    case 'gt':
      return [{ kind: 'length', need: { ...need, delta: need.delta + 1 }, holds: true, slot: g.slot }];
    case 'lt':
      return [{ kind: 'length', need, holds: false, slot: g.slot }];
    case 'le':
      return [{ kind: 'length', need: { ...need, delta: need.delta + 1 }, holds: false, slot: g.slot }];
    default:
      return opaque(g, `tests the packet length with ${op}`, false);
  }
}

/** Context tests: the EtherType in skb->protocol becomes a field atom, the rest stay ctx atoms. */
function ctxAtoms(g: Extract<Guard, { kind: 'cmp' }>, all: readonly Leaf[], le: boolean): Atom[] {
  const fields = new Set(all.map((l) => (l.source.kind === 'ctx' ? l.source.field : '?')));
  if (fields.size !== 1) return opaque(g, 'relates two context fields', false);
  const leaf = all[0];
  const field = [...fields][0];
  if (field === 'protocol') {
    // __be16 in a u32: the number a load gives is the EtherType in network byte order.
    const set = fromPredicate(16, (et) => truth(g, () => BigInt(le ? ((et & 0xff) << 8) | (et >> 8) : et)));
    return [{ kind: 'field', field: 'eth.type', set, fixedIhl: false, slot: g.slot }];
  }
  const shape = maskedTest(g, leaf);
  if (!shape) return opaque(g, `a test of ctx.${field} the translator cannot read`, false);
  return [{ kind: 'ctx', field, op: shape.op, mask: shape.mask, value: shape.value, slot: g.slot }];
}

/** `x op c` or `(x & m) op c` (also `x & m` set/clear) over one leaf x. */
function maskedTest(g: Extract<Guard, { kind: 'cmp' }>, x: Leaf): { op: CmpOp; mask: bigint | undefined; value: bigint } | undefined {
  let a = g.a;
  let b = g.b;
  let op = g.op;
  if (a.kind === 'const') {
    [a, b] = [b, a];
    op = swapOp(op);
  }
  if (b.kind !== 'const') return undefined;
  const strip = (s: Sym): Sym => (s.kind === 'un' && (s.op === 'zext32' || s.op === 'zext16' || s.op === 'zext8') ? strip(s.a) : s);
  const core = strip(a);
  if (core.key === x.key) {
    if (op === 'set' || op === 'clear') return { op: op === 'set' ? 'ne' : 'eq', mask: b.value, value: 0n };
    return { op, mask: undefined, value: b.value };
  }
  if (core.kind === 'bin' && core.op === 'and' && strip(core.a).key === x.key && core.b.kind === 'const' && (op === 'eq' || op === 'ne')) {
    return { op, mask: core.b.value, value: b.value };
  }
  return undefined;
}

function truth(g: Extract<Guard, { kind: 'cmp' }>, leafValue: (leaf: Leaf) => bigint | undefined): boolean {
  const a = evaluate(g.a, leafValue);
  const b = evaluate(g.b, leafValue);
  if (a === undefined || b === undefined) return false;
  return decideConst(g.op, a, b);
}


/** Value of a read of `size` bytes at `start` of a layer, from the bytes assigned there. */
function readValue(bytes: ReadonlyMap<string, number>, layer: string, start: number, size: number, le: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    const b = BigInt(bytes.get(`${layer}:${start + i}`) ?? 0);
    v |= le ? b << BigInt(8 * i) : b << BigInt(8 * (size - 1 - i));
  }
  return v;
}

function fieldAtoms(g: Extract<Guard, { kind: 'cmp' }>, all: readonly Leaf[], shape: FrameShape, le: boolean, sets: Map<string, ValueSet> | undefined): Atom[] {
  const reads: PlacedRead[] = [];
  for (const leaf of all) {
    if (leaf.source.kind !== 'pkt') return opaque(g, 'not a packet read', false);
    const loc = locate(leaf.source.offset, shape);
    if (!loc) return opaque(g, `reads the packet at ${leaf.source.offset.key}, a place this path's frame does not fix`, false);
    const at = fieldOf(loc, leaf.source.size, shape);
    if (!at) return opaque(g, `reads ${leaf.source.size} bytes across header fields at ${describe(loc)}`, false);
    reads.push({ leaf, loc, field: at.field, size: leaf.source.size });
  }
  const fixedIhl = reads.some((r) => r.loc.layer === 'l4' && r.loc.fixedIhl);
  const byField = new Map<string, PlacedRead[]>();
  for (const r of reads) {
    const k = `${r.loc.layer}/${r.field.id}`;
    byField.set(k, [...(byField.get(k) ?? []), r]);
  }
  const groups = [...byField.values()];
  const totalBits = groups.reduce((n, rs) => n + rs[0].field.size * 8, 0);
  if (totalBits <= 16) return enumerateFields(g, groups, le, fixedIhl, sets);
  if (groups.length === 1 && groups[0][0].field.size === 4) return wideField(g, groups[0], le, fixedIhl);
  return opaque(g, `tests ${groups.map((rs) => rs[0].field.id).join(' and ')} together`, false);
}

function describe(loc: Location): string {
  return `${loc.layer}+${loc.start}`;
}

/** The accepted values computed over doubles, or undefined when some value leaves their exact range. */
function numericSet(op: CmpOp, g: Extract<Guard, { kind: 'cmp' }>, groups: readonly (readonly PlacedRead[])[], starts: readonly number[], widths: readonly number[], total: number, le: boolean): ValueSet | undefined {
  const n = 2 ** total;
  // Value v is the fields side by side, the first one highest; each leaf is some bytes of one.
  const columns = new Map<string, Float64Array>();
  let shift = total;
  groups.forEach((rs, i) => {
    shift -= widths[i];
    const fsz = widths[i] / 8;
    const fieldShift = shift;
    const fieldMask = 2 ** widths[i] - 1;
    for (const r of rs) {
      const first = r.loc.start - starts[i];
      // Byte j of the read: where it sits in the field, and its weight in the loaded value.
      const from = Array.from({ length: r.size }, (_, j) => 8 * (fsz - 1 - (first + j)));
      const weight = Array.from({ length: r.size }, (_, j) => 2 ** (le ? 8 * j : 8 * (r.size - 1 - j)));
      const column = new Float64Array(n);
      // Fields are at most 16 bits here, so integer operators are exact.
      for (let v = 0; v < n; v++) {
        const field = (v >>> fieldShift) & fieldMask;
        let x = 0;
        for (let j = 0; j < from.length; j++) x += ((field >>> from[j]) & 0xff) * weight[j];
        column[v] = x;
      }
      columns.set(r.leaf.key, column);
    }
  });
  try {
    const a = evaluateColumn(g.a, (leaf) => columns.get(leaf.key), n);
    const b = evaluateColumn(g.b, (leaf) => columns.get(leaf.key), n);
    if (a === undefined || b === undefined) return undefined;
    return holdingValues(op, a, b, total);
  } catch (e) {
    if (e instanceof NotNumeric) return undefined;
    throw e;
  }
}

/** The values v in 0..2^bits - 1 for which `a[v] op b[v]` holds, as ranges: one pass, no callbacks. */
function holdingValues(op: CmpOp, a: Column, b: Column, bits: number): ValueSet {
  const n = 2 ** bits;
  const as = typeof a === 'number' ? undefined : a;
  const bs = typeof b === 'number' ? undefined : b;
  const ranges: [number, number][] = [];
  let start = -1;
  for (let v = 0; v < n; v++) {
    const holds = holdsNumber(op, exact(as ? as[v] : (a as number)), exact(bs ? bs[v] : (b as number)));
    if (holds) {
      if (start < 0) start = v;
    } else if (start >= 0) {
      ranges.push([start, v - 1]);
      start = -1;
    }
  }
  if (start >= 0) ranges.push([start, n - 1]);
  return { bits, ranges };
}

/** `holds` for values in 0..2^53, where signed and unsigned 64-bit comparisons agree. */
function holdsNumber(op: CmpOp, a: number, b: number): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'lt':
    case 'slt':
      return a < b;
    case 'le':
    case 'sle':
      return a <= b;
    case 'gt':
    case 'sgt':
      return a > b;
    case 'ge':
    case 'sge':
      return a >= b;
    case 'set':
    case 'clear': {
      if (a >= 2 ** 32 || b >= 2 ** 32) throw new NotNumeric();
      return ((a & b) !== 0) === (op === 'set');
    }
    default: {
      const never: never = op;
      return never;
    }
  }
}

/** Operators enumerated as the negation of their counterpart. */
const NEGATED: ReadonlySet<CmpOp> = new Set(['ne', 'ge', 'gt', 'sge', 'sgt', 'clear']);

/** Tries every value of up to 16 bits of fields; splits a test of two fields when it is a product. */
function enumerateFields(g: Extract<Guard, { kind: 'cmp' }>, groups: readonly (readonly PlacedRead[])[], le: boolean, fixedIhl: boolean, sets: Map<string, ValueSet> | undefined): Atom[] {
  const defs = groups.map((rs) => ({ layer: rs[0].loc.layer, field: rs[0].field }));
  const starts = groups.map((rs) => rs[0].field.offset);
  const widths = defs.map((d) => d.field.size * 8);
  const total = widths.reduce((a, b) => a + b, 0);
  // Each leaf is some bytes of one field value (inputs[i], big-endian as on the wire).
  const readers = new Map<string, (inputs: readonly bigint[]) => bigint>();
  groups.forEach((rs, i) => {
    for (const r of rs) {
      const first = r.loc.start - starts[i];
      const fsz = defs[i].field.size;
      readers.set(r.leaf.key, (inputs) => {
        let v = 0n;
        for (let j = 0; j < r.size; j++) {
          const byte = (inputs[i] >> BigInt(8 * (fsz - 1 - (first + j)))) & 0xffn;
          v |= le ? byte << BigInt(8 * j) : byte << BigInt(8 * (r.size - 1 - j));
        }
        return v;
      });
    }
  });
  // The same placement as bit positions: leaf byte j is v's bits from[j]..from[j]+7.
  const bytesOf = new Map<string, LeafBytes>();
  let above = total;
  groups.forEach((rs, i) => {
    above -= widths[i];
    for (const r of rs) {
      const first = r.loc.start - starts[i];
      const fsz = defs[i].field.size;
      const from = Array.from({ length: r.size }, (_, j) => above + 8 * (fsz - 1 - (first + j)));
      const at = Array.from({ length: r.size }, (_, j) => (le ? 8 * j : 8 * (r.size - 1 - j)));
      bytesOf.set(r.leaf.key, { from, at });
    }
  });
  const a = compile(g.a, (leaf) => readers.get(leaf.key));
  const b = compile(g.b, (leaf) => readers.get(leaf.key));
  if (!a || !b) return opaque(g, 'a test the translator cannot evaluate', false);
  const split = (v: number): bigint[] => {
    const out: bigint[] = [];
    let shift = total;
    for (const w of widths) {
      shift -= w;
      out.push(BigInt(Math.floor(v / 2 ** shift) % 2 ** w));
    }
    return out;
  };
  // The set depends on the test and on where each leaf sits in its field, not on the frame shape.
  const layout = groups.map((rs, i) => `${widths[i]}:${rs.map((r) => `${r.leaf.key}@${r.loc.start - starts[i]}+${r.size}`).join(',')}`).join(';');
  // A test and its negation (== and !=, the two sides of every branch) share one enumeration.
  const negated = NEGATED.has(g.op);
  const op = negated ? negateOp(g.op) : g.op;
  const memoKey = `${op}|${g.a.key}|${g.b.key}|${le ? 'le' : 'be'}|${layout}`;
  let holds = sets?.get(memoKey);
  if (!holds) {
    holds = bitTestSet(op, g.a, g.b, total, (key) => bytesOf.get(key)) ?? numericSet(op, g, groups, starts, widths, total, le) ?? fromPredicate(total, (v) => {
      const x = split(v);
      return decideConst(op, a(x), b(x));
    });
    sets?.set(memoKey, holds);
  }
  const accepted = negated ? complement(holds) : holds;
  if (defs.length === 1) return [{ kind: 'field', field: defs[0].field.id, set: accepted, fixedIhl, slot: g.slot }];
  // Two fields: a product of two sets splits into one atom per field.
  const [w0, w1] = widths;
  const first = new Set<number>();
  const second = new Set<number>();
  let count = 0;
  for (const [lo, hi] of accepted.ranges) {
    for (let v = lo; v <= hi; v++) {
      first.add(Math.floor(v / 2 ** w1));
      second.add(v % 2 ** w1);
      count++;
    }
  }
  if (count !== first.size * second.size) return opaque(g, `relates ${defs[0].field.id} and ${defs[1].field.id}`, false);
  return [
    { kind: 'field', field: defs[0].field.id, set: fromRanges(w0, [...first].map((v) => [v, v] as const)), fixedIhl, slot: g.slot },
    { kind: 'field', field: defs[1].field.id, set: fromRanges(w1, [...second].map((v) => [v, v] as const)), fixedIhl, slot: g.slot },
  ];
}

/**
 * A 32-bit field (an address): read whole, the test is rewritten over the field's value in
 * network byte order and must be `n op c` or `(n & prefix-mask) ==/!= c`; read in its
 * leading bytes, those bytes are tried one value at a time.
 */
function wideField(g: Extract<Guard, { kind: 'cmp' }>, reads: readonly PlacedRead[], le: boolean, fixedIhl: boolean): Atom[] {
  const field = reads[0].field;
  const fieldStart = field.offset;
  const whole = reads.length === 1 && reads[0].size === 4 && reads[0].loc.start === fieldStart;
  const atom = (set: ValueSet): Atom[] => [{ kind: 'field', field: field.id, set, fixedIhl, slot: g.slot }];
  if (whole) {
    const n = scalar({ kind: 'unknown', id: -9_999_999, why: 'field value' });
    const raw = le ? un('bswap32', n) : n;
    const a = substitute(g.a, (l) => (l.key === reads[0].leaf.key ? raw : undefined));
    const b = substitute(g.b, (l) => (l.key === reads[0].leaf.key ? raw : undefined));
    const set = overValue(g.op, a, b, n);
    return set ? atom(set) : opaque(g, `a test of ${field.id} pf cannot state`, false);
  }
  // Leading bytes only: each accepted prefix value is a block of addresses.
  const used = new Set<number>();
  for (const r of reads) for (let i = 0; i < r.size; i++) used.add(r.loc.start - fieldStart + i);
  const prefixBytes = Math.max(...used) + 1;
  if (prefixBytes > 2 || used.size !== prefixBytes) return opaque(g, `a test of scattered bytes of ${field.id}`, false);
  const bits = prefixBytes * 8;
  const layer = reads[0].loc.layer;
  const prefixes = fromPredicate(bits, (p) => {
    const bytes = new Map<string, number>();
    for (let j = 0; j < prefixBytes; j++) bytes.set(`${layer}:${fieldStart + j}`, (p >> (8 * (prefixBytes - 1 - j))) & 0xff);
    return truth(g, (leaf) => {
      const r = reads.find((x) => x.leaf.key === leaf.key);
      return r ? readValue(bytes, r.loc.layer, r.loc.start, r.size, le) : undefined;
    });
  });
  const scale = 2 ** (32 - bits);
  return atom(fromRanges(32, prefixes.ranges.map(([lo, hi]) => [lo * scale, hi * scale + scale - 1] as const)));
}

const U32 = 0xffffffffn;

function swap32(v: bigint): bigint {
  if (v > U32) return v | (1n << 40n); // not a 32-bit value: keeps it out of range
  return ((v & 0xffn) << 24n) | ((v & 0xff00n) << 8n) | ((v >> 8n) & 0xff00n) | ((v >> 24n) & 0xffn);
}

/** The values of n (32 bits) for which `a op b` holds, when a and b have one of the readable shapes. */
function overValue(op0: CmpOp, a0: Sym, b0: Sym, n: Sym): ValueSet | undefined {
  let a = a0;
  let b = b0;
  let op = op0;
  if (a.kind === 'const') {
    [a, b] = [b, a];
    op = swapOp(op);
  }
  if (b.kind !== 'const') return undefined;
  const strip = (s: Sym): Sym => (s.kind === 'un' && s.op === 'zext32' ? strip(s.a) : s);
  let core = strip(a);
  let c = b.value;
  // A little-endian load compares the address byte-swapped: equality survives the swap
  // (of both sides, and of a mask), order does not.
  if (op === 'eq' || op === 'ne') {
    if (core.kind === 'un' && core.op === 'bswap32' && strip(core.a).key === n.key) {
      core = n;
      c = swap32(c);
    } else if (core.kind === 'bin' && core.op === 'and' && core.b.kind === 'const' && core.a.kind === 'un' && core.a.op === 'bswap32' && strip(core.a.a).key === n.key) {
      core = bin('and', n, konst(swap32(core.b.value)));
      c = swap32(c);
    }
  }
  if (core.key === n.key) return interval(op, c);
  if (core.kind === 'bin' && core.op === 'and' && strip(core.a).key === n.key && core.b.kind === 'const' && (op === 'eq' || op === 'ne' || op === 'set' || op === 'clear')) {
    const m = core.b.value & U32;
    const lead = prefixLength(m);
    if (op === 'set' || op === 'clear') return undefined;
    if (lead === undefined || (c & ~m) !== 0n) return op === 'eq' && (c & ~m) !== 0n ? fromRanges(32, []) : undefined;
    const lo = Number(c);
    const block = fromRanges(32, [[lo, lo + 2 ** (32 - lead) - 1]]);
    return op === 'eq' ? block : complement(block);
  }
  if (core.kind === 'bin' && core.op === 'rsh' && strip(core.a).key === n.key && core.b.kind === 'const' && core.b.value < 32n) {
    // n >> k op c: the same as n op over blocks of 2^k.
    const k = Number(core.b.value);
    const inner = interval(op, c);
    if (!inner) return undefined;
    return fromRanges(32, inner.ranges.filter(([lo]) => lo <= U32N >> k).map(([lo, hi]) => [lo * 2 ** k, Math.min(U32N, hi * 2 ** k + 2 ** k - 1)] as const));
  }
  return undefined;
}

const U32N = 0xffffffff;

function interval(op: CmpOp, c: bigint): ValueSet | undefined {
  const full = fullSet(32);
  if (c > U32 && op !== 'slt' && op !== 'sle' && op !== 'sgt' && op !== 'sge') {
    return op === 'ne' || op === 'lt' || op === 'le' ? full : fromRanges(32, []);
  }
  const v = Number(c & U32);
  switch (op) {
    case 'eq':
      return fromRanges(32, [[v, v]]);
    case 'ne':
      return complement(fromRanges(32, [[v, v]]));
    case 'lt':
      return fromRanges(32, [[0, v - 1]]);
    case 'le':
      return fromRanges(32, [[0, v]]);
    case 'gt':
      return fromRanges(32, [[v + 1, U32N]]);
    case 'ge':
      return fromRanges(32, [[v, U32N]]);
    case 'slt':
    case 'sle':
    case 'sgt':
    case 'sge': {
      // n is zero-extended: never negative as a 64-bit number.
      const sc = BigInt.asIntN(64, c);
      if (sc < 0n) return op === 'sgt' || op === 'sge' ? full : fromRanges(32, []);
      return interval(op.slice(1) as CmpOp, c);
    }
    case 'set':
    case 'clear':
      return undefined;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function prefixLength(m: bigint): number | undefined {
  for (let len = 0; len <= 32; len++) {
    const mask = len === 0 ? 0n : (U32 << BigInt(32 - len)) & U32;
    if (mask === m) return len;
  }
  return undefined;
}

