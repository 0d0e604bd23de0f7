import type { IrAddressMatch, IrMatch, IrPortMatch } from '../../ir/types.js';
import { complement, fullSet, intersect, isFull, isSubset, sameSet, size, toPrefixes, fromRanges, type ValueSet } from '../value-set.js';
import type { FieldId } from '../view/packet-layout.js';
import type { Step } from './steps.js';

/** IPv4 fragment field values of an unfragmented packet (MF clear, offset 0; DF free). */
export const UNFRAGMENTED = fromRanges(16, [[0, 0], [0x4000, 0x4000], [0x8000, 0x8000], [0xc000, 0xc000]]);
/** What pf calls a fragment (MF set or a non-zero offset): the first fragment is one too. */
export const FRAGMENTS = complement(UNFRAGMENTED);

function ip4(n: number): string {
  return `${Math.floor(n / 2 ** 24)}.${Math.floor(n / 2 ** 16) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** A set of addresses as one pf host (a prefix, or all but one prefix), or undefined. */
export function addressMatch(set: ValueSet): IrAddressMatch | undefined {
  if (isFull(set)) return undefined;
  const p = toPrefixes(set);
  if (p.length === 1) return { address: { kind: 'cidr', cidr: `${ip4(p[0].value)}/${p[0].length}` }, negate: false };
  const c = toPrefixes(complement(set));
  if (c.length === 1) return { address: { kind: 'cidr', cidr: `${ip4(c[0].value)}/${c[0].length}` }, negate: true };
  return undefined;
}

export function portMatch(set: ValueSet): IrPortMatch | undefined {
  if (set.ranges.length === 1) {
    const [lo, hi] = set.ranges[0];
    if (lo === hi) return { op: 'eq', port: lo };
    if (lo === 0) return { op: 'le', port: hi };
    if (hi === 65535) return { op: 'ge', port: lo };
    return { op: 'range', from: lo, to: hi };
  }
  const c = complement(set);
  if (c.ranges.length === 1 && c.ranges[0][0] === c.ranges[0][1]) return { op: 'ne', port: c.ranges[0][0] };
  return undefined;
}

/** `flags set/mask` when the set of flag bytes is exactly "these bits of mask are set". */
export function flagsMatch(set: ValueSet): { set: number; mask: number } | undefined {
  const values: number[] = [];
  for (const [lo, hi] of set.ranges) for (let v = lo; v <= hi; v++) values.push(v);
  if (values.length === 0) return undefined;
  let mask = 0xff;
  for (const v of values) mask &= ~(v ^ values[0]) & 0xff;
  const bitsFree = 8 - popcount(mask);
  if (values.length !== 2 ** bitsFree) return undefined;
  return { set: values[0] & mask, mask };
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v; v &= v - 1) c++;
  return c;
}

/**
 * How a field's set is written in a rule. A set pf cannot state may still have a
 * statable superset (`widen`): a rule closed to a block uses it, so that it blocks as
 * few packets of other paths as it can.
 */
type Piece = { readonly ok: true; readonly apply: (m: IrMatch) => IrMatch } | { readonly ok: false; readonly why: string; readonly widen?: (m: IrMatch) => IrMatch };

function fieldPiece(field: FieldId, set: ValueSet): Piece {
  const none: Piece = { ok: true, apply: (m) => m };
  if (isFull(set)) return none;
  switch (field) {
    case 'ip4.proto': {
      if (size(set) > 16 || set.ranges.some(([lo]) => lo === 0)) return { ok: false, why: `protocol in {${describe(set)}}` };
      const list: number[] = [];
      for (const [lo, hi] of set.ranges) for (let v = lo; v <= hi; v++) list.push(v);
      return { ok: true, apply: (m) => ({ ...m, proto: list }) };
    }
    case 'ip4.src':
    case 'ip4.dst': {
      const a = addressMatch(set);
      if (!a) return { ok: false, why: `${field} in ${toPrefixes(set).length} blocks` };
      return { ok: true, apply: (m) => (field === 'ip4.src' ? { ...m, src: a } : { ...m, dst: a }) };
    }
    case 'l4.sport':
    case 'l4.dport': {
      const p = portMatch(set);
      if (!p) return { ok: false, why: `${field} in {${describe(set)}}` };
      return { ok: true, apply: (m) => (field === 'l4.sport' ? { ...m, srcPort: p } : { ...m, dstPort: p }) };
    }
    case 'tcp.flags': {
      const f = flagsMatch(set);
      if (!f) return { ok: false, why: `TCP flags in a set pf cannot write as set/mask` };
      return { ok: true, apply: (m) => ({ ...m, tcpFlags: f }) };
    }
    case 'icmp.type': {
      if (size(set) !== 1) return { ok: false, why: `ICMP type in {${describe(set)}}` };
      const type = set.ranges[0][0];
      return { ok: true, apply: (m) => ({ ...m, icmpType: { ...m.icmpType, type } }) };
    }
    case 'ip4.frag': {
      if (isSubset(set, UNFRAGMENTED)) return { ok: false, why: 'unfragmented packets only' };
      if (sameSet(set, FRAGMENTS)) return { ok: true, apply: (m) => ({ ...m, fragment: true }) };
      // Some fragments only (pf cannot tell a first fragment from a later one): all of them.
      if (isSubset(set, FRAGMENTS)) return { ok: false, why: 'a test of the fragment offset pf cannot state', widen: asFragmentRule };
      return { ok: false, why: 'a test of the fragment offset pf cannot state' };
    }
    default:
      return { ok: false, why: `${field} in {${describe(set)}}` };
  }
}

/** pf's `fragment` takes no port, flag or ICMP criteria: a fragment carries none it can see. */
function asFragmentRule(m: IrMatch): IrMatch {
  const { srcPort: _s, dstPort: _d, tcpFlags: _f, icmpType: _i, ...rest } = m;
  return { ...rest, fragment: true };
}

function describe(set: ValueSet): string {
  const r = set.ranges.slice(0, 4).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  return r.join(',') + (set.ranges.length > 4 ? ',...' : '');
}

/** How hard a step is to state: the hardest sibling goes last and is left implied. */
export function difficulty(s: Step, context: ReadonlyMap<FieldId, ValueSet>): number {
  switch (s.kind) {
    case 'field': {
      const within = intersect(context.get(s.field) ?? fullSet(s.set.bits), s.set);
      if (s.field === 'ip4.frag') return isSubset(within, FRAGMENTS) ? 0 : 9;
      if (!(fieldPiece(s.field, s.set).ok && fieldPiece(s.field, within).ok)) return 8;
      // An address that is "all but" takes the rule's address slot, which a set test of the
      // same address may need later: state the positive sibling and leave this one implied.
      if ((s.field === 'ip4.src' || s.field === 'ip4.dst') && addressMatch(within)?.negate) return 1;
      return 0;
    }
    case 'set':
      return s.hit ? 0 : 4;
    case 'setValue':
      return s.holds ? 0 : 4;
    case 'family':
    case 'entry':
      return s.hit ? 0 : 10;
    case 'opaque':
      return 20;
  }
}

/**
 * The criteria of kept steps; what cannot be written goes to `unstated`. `widen` turns
 * a match into the one a rule closed to a block uses: with the statable supersets of
 * what was unstated.
 */
export function buildMatch(steps: readonly Step[]): { match: IrMatch; unstated: string[]; widen: (m: IrMatch) => IrMatch } {
  const perField = new Map<FieldId, ValueSet>();
  const unstated: string[] = [];
  for (const s of steps) {
    if (s.kind === 'field') perField.set(s.field, perField.has(s.field) ? intersect(perField.get(s.field)!, s.set) : s.set);
    if (s.kind === 'opaque') unstated.push(s.why);
    if (s.kind === 'entry' && !s.hit) unstated.push(`no entry for the packet's ${s.field} in ${s.map}`);
    if (s.kind === 'family' && !s.hit) unstated.push(`the interface is not registered in ${s.map}`);
  }
  let match: IrMatch = { af: 'inet' };
  const widenings: ((m: IrMatch) => IrMatch)[] = [];
  for (const [field, set] of [...perField].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const p = fieldPiece(field, set);
    if (p.ok) match = p.apply(match);
    else {
      unstated.push(p.why);
      if (p.widen) widenings.push(p.widen);
    }
  }
  return { match, unstated, widen: (m) => widenings.reduce((acc, w) => w(acc), m) };
}
