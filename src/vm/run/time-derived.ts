import { toHex } from '../../state/map-state.js';
import { SKB } from '../context/skb-state.js';
import { skbFieldName } from '../context/skb-access.js';
import type { Machine } from '../machine.js';
import { lpmMaskedKey, lpmPrefixLen } from '../maps/lpm-ops.js';
import { arrayIndex, keyString } from '../maps/model.js';
import type { MapStore, TaintedValue } from '../maps/store.js';
import type { TimeDerivedMapBytes } from '../options.js';

/**
 * Where clock-derived bytes ended up: context fields (by name) and map value bytes that
 * are in the store's canonical dump (CPU 0's copy of per-CPU values), so a comparison
 * with the kernel can check those bytes for presence only.
 */
export function timeDerived(m: Machine): { ctx: string[]; maps: TimeDerivedMapBytes[] } {
  const ctx: string[] = [];
  const t = m.env.kind === 'skb' ? m.env.ctx.taint : null;
  if (t !== null) {
    for (let off = 0; off < SKB.size; off++) {
      if (!t[off]) continue;
      const name = skbFieldName(off);
      if (!ctx.includes(name)) ctx.push(name);
    }
  }
  return { ctx, maps: taintedMapBytes(m.store) };
}

function dumped(store: MapStore, v: TaintedValue): boolean {
  const model = v.model;
  switch (model.kind) {
    case 'hash':
      return model.entries.get(keyString(v.key))?.values[0] === v.buffer;
    case 'array':
      return model.values.get(arrayIndex(v.key, store.littleEndian))?.[0] === v.buffer;
    case 'lpm': {
      const p = lpmPrefixLen(v.key, store.littleEndian);
      return model.byPrefix.get(p)?.get(lpmMaskedKey(v.key, p))?.value === v.buffer;
    }
    default:
      return false;
  }
}

export function taintedMapBytes(store: MapStore): TimeDerivedMapBytes[] {
  const out: TimeDerivedMapBytes[] = [];
  for (const [buffer, v] of store.tainted) {
    const shadow = store.taint.get(buffer);
    const bytes: number[] = [];
    if (shadow) shadow.forEach((x, i) => x && bytes.push(i));
    if (bytes.length === 0 || !dumped(store, v)) {
      // A replaced or deleted value, or one that no longer holds clock bytes.
      if (bytes.length === 0 || !stillHeld(store, v)) store.tainted.delete(buffer);
      continue;
    }
    const key = v.model.kind === 'lpm' ? lpmStoredKey(v) : toHex(v.key);
    out.push({ map: v.model.path.map, key, ...(v.model.path.outerKey !== undefined && { inner: v.model.path.outerKey }), bytes });
  }
  return out.sort((a, b) => (a.map + (a.inner ?? '') + a.key < b.map + (b.inner ?? '') + b.key ? -1 : 1));
}

/** The LPM entry's key as stored (the dump shows it), which may differ in trailing bits. */
function lpmStoredKey(v: TaintedValue): string {
  if (v.model.kind !== 'lpm') return toHex(v.key);
  for (const level of v.model.byPrefix.values()) for (const e of level.values()) if (e.value === v.buffer) return toHex(e.key);
  return toHex(v.key);
}

/** Whether any CPU's copy of the entry is still this buffer (per-CPU values other than CPU 0 stay tracked). */
function stillHeld(store: MapStore, v: TaintedValue): boolean {
  const model = v.model;
  if (model.kind === 'hash') return model.entries.get(keyString(v.key))?.values.includes(v.buffer) ?? false;
  if (model.kind === 'array') return model.values.get(arrayIndex(v.key, store.littleEndian))?.includes(v.buffer) ?? false;
  return dumped(store, v);
}
