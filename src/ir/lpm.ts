/**
 * pf table lookup (pf_table.c pfr_match_addr): the longest prefix containing the address
 * decides; a negated entry there means "no match"; no entry means no match. One table per
 * family, as pf keeps one radix tree per family.
 */
import { parseTableEntry, prefixMask, type IpAddress, type IpFamily } from './cidr.js';

export interface LpmTable {
  /** Prefix length -> network -> negated; lengths longest first. */
  readonly ipv4: LpmFamily;
  readonly ipv6: LpmFamily;
}

interface LpmFamily {
  readonly lengths: readonly number[];
  readonly byLength: ReadonlyMap<number, ReadonlyMap<bigint, boolean>>;
}

/** Entries that do not parse are ignored: validation rejects them before evaluation. */
export function buildLpmTable(entries: readonly string[]): LpmTable {
  const maps: Record<IpFamily, Map<number, Map<bigint, boolean>>> = { ipv4: new Map(), ipv6: new Map() };
  for (const text of entries) {
    const e = parseTableEntry(text);
    if (!e) continue;
    const byLength = maps[e.prefix.family];
    let m = byLength.get(e.prefix.len);
    if (!m) {
      m = new Map();
      byLength.set(e.prefix.len, m);
    }
    m.set(e.prefix.net, e.negated);
  }
  const family = (byLength: Map<number, Map<bigint, boolean>>): LpmFamily => ({
    lengths: [...byLength.keys()].sort((a, b) => b - a),
    byLength,
  });
  return { ipv4: family(maps.ipv4), ipv6: family(maps.ipv6) };
}

export function lpmMatch(table: LpmTable, a: IpAddress): boolean {
  const f = table[a.family];
  for (const len of f.lengths) {
    const negated = f.byLength.get(len)?.get(a.value & prefixMask(a.family, len));
    if (negated !== undefined) return !negated;
  }
  return false;
}

export function emptyLpmTable(): LpmTable {
  return buildLpmTable([]);
}
