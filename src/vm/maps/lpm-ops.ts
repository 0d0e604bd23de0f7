import { BPF_EXIST, BPF_NOEXIST, E } from './errno.js';
import { newValue, type LpmEntry, type LpmTrieModel } from './model.js';

/**
 * LPM_TRIE semantics (kernel/bpf/lpm_trie.c, reference §8). A key is a u32 prefix length
 * in host order followed by the data bytes; bits count from the most significant bit of
 * data[0]. Entries are indexed by (prefix length, data masked to it), so a lookup tries
 * each stored prefix length from the longest down, and an update or delete addresses
 * exactly one (prefix length, first bits) pair, ignoring trailing bits as the kernel does.
 */
export function lpmPrefixLen(key: Uint8Array, littleEndian: boolean): number {
  return littleEndian
    ? (key[0] | (key[1] << 8) | (key[2] << 16) | (key[3] << 24)) >>> 0
    : ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
}

/** The first `prefixlen` bits of the key's data, as a string (one char per byte). */
export function lpmMaskedKey(key: Uint8Array, prefixlen: number): string {
  const full = prefixlen >>> 3;
  const rest = prefixlen & 7;
  let s = '';
  for (let i = 0; i < full; i++) s += String.fromCharCode(key[4 + i]);
  if (rest) s += String.fromCharCode(key[4 + full] & (0xff << (8 - rest)) & 0xff);
  return s;
}

function maxPrefix(m: LpmTrieModel): number {
  return (m.def.keySize - 4) * 8;
}

/** Prefix lengths present, longest first (recomputed per lookup: tries hold few distinct lengths). */
function lengthsDescending(m: LpmTrieModel): number[] {
  return [...m.byPrefix.keys()].sort((a, b) => b - a);
}

export function lpmLookup(m: LpmTrieModel, key: Uint8Array, littleEndian: boolean): LpmEntry | undefined {
  const p = lpmPrefixLen(key, littleEndian);
  if (p > maxPrefix(m)) return undefined;
  for (const len of lengthsDescending(m)) {
    if (len > p) continue;
    const hit = m.byPrefix.get(len)?.get(lpmMaskedKey(key, len));
    if (hit) return hit;
  }
  return undefined;
}

/** trie_update_elem: EINVAL for bad flags or prefix length, EEXIST / ENOENT as for a hash, ENOSPC when full. */
export function lpmUpdate(
  m: LpmTrieModel,
  key: Uint8Array,
  value: Uint8Array,
  flags: number,
  littleEndian: boolean,
): { ret: number; buffer?: Uint8Array } {
  if (flags > BPF_EXIST) return { ret: -E.INVAL };
  const p = lpmPrefixLen(key, littleEndian);
  if (p > maxPrefix(m)) return { ret: -E.INVAL };
  const masked = lpmMaskedKey(key, p);
  let level = m.byPrefix.get(p);
  const old = level?.get(masked);
  if (old !== undefined) {
    if (flags === BPF_NOEXIST) return { ret: -E.EXIST };
  } else {
    if (flags === BPF_EXIST) return { ret: -E.NOENT };
    if (m.count >= m.def.maxEntries) return { ret: -E.NOSPC };
    m.count++;
  }
  if (level === undefined) {
    level = new Map();
    m.byPrefix.set(p, level);
  }
  // A new node replaces the old one: the stored key is the new key, trailing bits and all.
  const buffer = newValue(m.def, value);
  level.set(masked, { key: key.slice(), prefixlen: p, value: buffer });
  return { ret: 0, buffer };
}

export function lpmDelete(m: LpmTrieModel, key: Uint8Array, littleEndian: boolean): number {
  const p = lpmPrefixLen(key, littleEndian);
  if (p > maxPrefix(m)) return -E.INVAL;
  const level = m.byPrefix.get(p);
  const masked = lpmMaskedKey(key, p);
  if (level === undefined || !level.delete(masked)) return -E.NOENT;
  if (level.size === 0) m.byPrefix.delete(p);
  m.count--;
  return 0;
}

/** Every entry, for dumps and iteration. */
export function lpmEntries(m: LpmTrieModel): LpmEntry[] {
  const out: LpmEntry[] = [];
  for (const level of m.byPrefix.values()) for (const e of level.values()) out.push(e);
  return out;
}
