/**
 * The canonical form of a pf table's contents: the same membership (longest-prefix match,
 * a negated entry meaning "no match" where it is the longest), written with as few
 * entries as merging allows, in a fixed order.
 *
 * The rule is "merge only what is uniform": a block whose every address has the same
 * membership becomes one entry (or none, when its enclosing entry already says so), and
 * a block that contains a negated entry is never merged with its neighbour: merging
 * across a `!` entry would need the negation re-expressed elsewhere. For tables without
 * negated entries this gives the unique minimal list (the maximal aligned blocks of the
 * union). The output never has more entries than the input.
 */
import { fail } from '../errors.js';
import { comparePrefixes, familyBits, formatTableEntry, parseTableEntry, type IpFamily, type Prefix, type TableEntry } from './cidr.js';

/**
 * Canonical table contents: IPv4 entries before IPv6, each by network then length
 * (an enclosing prefix before what it encloses). Text that is not a table entry, or a
 * prefix listed both plain and negated, is IR_INVALID: there is no membership to keep.
 */
export function normaliseTableContents(entries: readonly string[]): string[] {
  const parsed: TableEntry[] = [];
  for (const text of entries) {
    const e = parseTableEntry(text);
    if (!e) fail('IR_INVALID', `not a table entry: ${JSON.stringify(text)}`);
    parsed.push(e);
  }
  const out: TableEntry[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    for (const e of normaliseFamily(family, parsed.filter((x) => x.prefix.family === family))) out.push(e);
  }
  return out.map(formatTableEntry);
}

function normaliseFamily(family: IpFamily, entries: readonly TableEntry[]): TableEntry[] {
  const sorted = dedupe([...entries].sort((a, b) => comparePrefixes(a.prefix, b.prefix)));
  const root = uniformWalk(family, sorted)(0, sorted.length, 0n, 0, false);
  if (root.uniform === null) return root.entries;
  return root.uniform ? [{ prefix: { family, net: 0n, len: 0 }, negated: false }] : [];
}

function dedupe(sorted: readonly TableEntry[]): TableEntry[] {
  const out: TableEntry[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && comparePrefixes(last.prefix, e.prefix) === 0) {
      if (last.negated !== e.negated) fail('IR_INVALID', `${formatTableEntry({ ...e, negated: false })} is listed both plain and negated`);
      continue;
    }
    out.push(e);
  }
  return out;
}

/** A block's membership: the same for every address (true/false), or mixed with the entries that express it. */
interface BlockResult {
  readonly uniform: boolean | null;
  readonly entries: TableEntry[];
}

/**
 * The block net/len holding entries [lo, hi) of `sorted` (entries inside a block are
 * contiguous in (network, length) order). `inherited` is the membership the block's
 * addresses have from the entries above it, in the input and, as the recursion keeps it,
 * in the output.
 */
type BlockWalk = (lo: number, hi: number, net: bigint, len: number, inherited: boolean) => BlockResult;

function uniformWalk(family: IpFamily, sorted: readonly TableEntry[]): BlockWalk {
  const bits = familyBits(family);
  const entry = (net: bigint, len: number, member: boolean): TableEntry => {
    const prefix: Prefix = { family, net, len };
    return { prefix, negated: !member };
  };
  /** First index in [lo, hi) whose network is at least `net`. */
  const lowerBound = (lo: number, hi: number, net: bigint): number => {
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >> 1;
      if (sorted[m].prefix.net < net) a = m + 1;
      else b = m;
    }
    return a;
  };
  const block: BlockWalk = (lo, hi, net, len, inherited) => {
    let i = lo;
    let own = inherited;
    if (i < hi && sorted[i].prefix.len === len && sorted[i].prefix.net === net) {
      own = !sorted[i].negated;
      i++;
    }
    if (i === hi) return { uniform: own, entries: [] };
    const self = (): TableEntry[] => (own !== inherited ? [entry(net, len, own)] : []);
    if (hi - i === 1) {
      // One entry deeper down: the path to it is uniformly `own` on both sides.
      const only = sorted[i];
      if (!only.negated === own) return { uniform: own, entries: [] };
      return { uniform: null, entries: [...self(), only] };
    }
    const mid = net | (1n << BigInt(bits - len - 1));
    const split = lowerBound(i, hi, mid);
    const left = block(i, split, net, len + 1, own);
    const right = block(split, hi, mid, len + 1, own);
    if (left.uniform !== null && left.uniform === right.uniform) return { uniform: left.uniform, entries: [] };
    const entries = self();
    for (const [side, sideNet] of [
      [left, net],
      [right, mid],
    ] as const) {
      if (side.uniform === null) for (const e of side.entries) entries.push(e);
      else if (side.uniform !== own) entries.push(entry(sideNet, len + 1, side.uniform));
    }
    return { uniform: null, entries };
  };
  return block;
}
