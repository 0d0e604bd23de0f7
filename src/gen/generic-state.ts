import type { BpfObject } from '../object/types.js';
import type { MapDeclaration } from '../object/map-declaration.js';
import { MapType } from '../object/map-types.js';
import { isNetworkOrder, type TypeSchema } from '../object/schema.js';
import { parseCidr } from '../packet/addresses.js';
import type { EncodableValue } from '../state/encode-value.js';
import { entry, innerMapEntry, lpmKey, sized } from '../state/map-entries.js';
import { toHex, type MapEntry, type MapStateFile } from '../state/map-state.js';
import { stateFile } from '../state/state-file.js';
import { WELL_KNOWN_PORTS } from './draw-fields.js';
import type { Rng } from './rng.js';

/**
 * A state for any object, from its map layouts alone: LPM tries get a few overlapping
 * prefixes, hashes a few keys whose addresses and ports look like real traffic (so the
 * packet generator, drawing from the same state, hits them), arrays a few non-zero
 * slots, maps of maps a few inner maps keyed like ifindexes. Program arrays and
 * initialised map-of-map slots keep what the object's initialisers say.
 */
export function genericState(obj: BpfObject, rng: Rng): MapStateFile {
  const contents: Record<string, MapEntry[]> = {};
  for (const m of obj.maps) {
    if (m.type === MapType.PROG_ARRAY || m.initialSlots.length) continue;
    const entries = genericEntries(m, rng, obj.littleEndian);
    if (entries) contents[m.name] = entries;
  }
  return stateFile(obj.maps, contents, obj.littleEndian);
}

export const REALISTIC_HOSTS: readonly string[] = ['192.0.2.1', '192.0.2.77', '198.51.100.7', '203.0.113.9', '10.0.0.2', '10.1.2.3', '172.16.5.4', '192.168.1.10', '8.8.8.8', '1.1.1.1', '93.184.216.34'];
const V4_PREFIXES: readonly string[] = ['10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24', '198.51.100.7/32', '203.0.113.0/25', '172.16.0.0/12', '0.0.0.0/1'];
const V6_PREFIXES: readonly string[] = ['2001:db8::/32', '2001:db8:1::/48', 'fe80::/10', '::ffff:0:0/96', '2606:4700::/32', '2001:db8::1/128'];

/** Entries for one map (or an inner template); undefined for maps a state does not fill. */
export function genericEntries(m: MapDeclaration, rng: Rng, le: boolean): MapEntry[] | undefined {
  const n = Math.min(m.maxEntries, rng.range(3, 6));
  const out = new Map<string, MapEntry>();
  const add = (e: MapEntry): void => {
    out.set(e.key, e);
  };
  switch (m.type) {
    case MapType.LPM_TRIE: {
      const data = m.keySize - 4;
      const pool = data === 4 ? V4_PREFIXES : data === 16 ? V6_PREFIXES : [];
      for (let i = 0; i < n; i++) {
        const cidr = pool.length ? parseCidr(rng.pick(pool)) : { address: rng.bytes(data), prefixLength: rng.int(8 * data + 1) };
        add(entry(m, lpmKey(m.keySize, cidr, le), valueOf(m, rng, le), le));
      }
      break;
    }
    case MapType.HASH:
    case MapType.LRU_HASH:
    case MapType.PERCPU_HASH:
    case MapType.LRU_PERCPU_HASH:
      for (let i = 0; i < n; i++) add(entry(m, keyOf(m, rng, le), valueOf(m, rng, le), le));
      break;
    case MapType.ARRAY:
    case MapType.PERCPU_ARRAY:
      for (let i = 0; i < n; i++) add(entry(m, rng.int(Math.min(m.maxEntries, 8)), valueOf(m, rng, le), le));
      break;
    case MapType.HASH_OF_MAPS:
    case MapType.ARRAY_OF_MAPS: {
      const inner = m.inner;
      if (!inner) return undefined;
      for (let i = 0; i < Math.min(n, 3); i++) {
        const key = m.type === MapType.HASH_OF_MAPS ? 11 + i : i;
        add(innerMapEntry(m, key, genericEntries(inner, rng, le) ?? [], le));
      }
      break;
    }
    default:
      return undefined;
  }
  return [...out.values()];
}

function keyOf(m: MapDeclaration, rng: Rng, le: boolean): Uint8Array {
  return m.key ? sized(m, 'key', drawValue(m.key, 'key', rng), le) : rng.bytes(m.keySize);
}

function valueOf(m: MapDeclaration, rng: Rng, le: boolean): Uint8Array {
  if (!m.value) return rng.bytes(m.valueSize);
  const v = sized(m, 'value', drawValue(m.value, 'value', rng), le);
  // A set whose value is all zero still has the entry, but an array slot would vanish.
  if (v.every((b) => b === 0)) v[0] = 1;
  return v;
}

/** A plausible value for a field of this type and name. */
export function drawValue(t: TypeSchema, name: string, rng: Rng): EncodableValue {
  switch (t.kind) {
    case 'int':
      return drawInt(t.size, isNetworkOrder(t), t.bool, name, rng);
    case 'enum':
      return t.values.length ? rng.pick(t.values).name : 0;
    case 'float':
      return rng.int(1000) / 10;
    case 'pointer':
      return 0;
    case 'opaque':
      return toHex(rng.bytes(t.size));
    case 'array': {
      if (t.element.kind === 'int' && t.element.size === 1 && /addr|ip/i.test(name) && (t.length === 4 || t.length === 16)) {
        return [...(t.length === 4 ? parseCidr(rng.pick(REALISTIC_HOSTS)).address : parseCidr('2001:db8::' + rng.int(65536).toString(16)).address)];
      }
      // Large arrays (bitmaps, buffers) stay mostly zero, with a few words set.
      if (t.length > 16) {
        const out: EncodableValue[] = new Array<EncodableValue>(t.length).fill(0);
        for (let i = 0; i < 4; i++) out[rng.int(t.length)] = drawValue(t.element, `${name}_word`, rng);
        return out;
      }
      return Array.from({ length: t.length }, () => drawValue(t.element, name, rng));
    }
    case 'struct': {
      const out: Record<string, EncodableValue> = {};
      for (const f of t.fields) {
        if (!f.name) continue;
        if (f.bitSize > 0) out[f.name] = rng.int(2 ** Math.min(f.bitSize, 16));
        else out[f.name] = /^(pad|reserved)/.test(f.name) || isKernelManaged(f.type) ? undefined : drawValue(f.type, f.name, rng);
      }
      return out;
    }
    case 'union': {
      const f = t.fields.find((x) => x.name && x.bitSize === 0);
      return f ? { [f.name]: drawValue(f.type, f.name, rng) } : {};
    }
    default: {
      const never: never = t;
      return never;
    }
  }
}

/**
 * Special fields the kernel owns inside map values: it never copies them from user
 * space, so a state must hold them as zero (a spin lock is "unlocked").
 */
export function isKernelManaged(t: TypeSchema): boolean {
  return t.kind === 'struct' && /^bpf_(spin_lock|res_spin_lock|timer|wq|list_head|list_node|rb_root|rb_node|refcount|task_work)$/.test(t.name);
}

function drawInt(size: number, net: boolean, bool: boolean, name: string, rng: Rng): EncodableValue {
  if (bool) return rng.chance(0.5);
  if (net && size === 4) return rng.pick(REALISTIC_HOSTS);
  if (net && size === 2) return { net: rng.pick(WELL_KNOWN_PORTS) };
  if (net) return 0;
  if (/port/i.test(name) && size === 2) return rng.pick(WELL_KNOWN_PORTS);
  if (/proto/i.test(name) && size === 1) return rng.pick([6, 17, 1]);
  if (/ifindex/i.test(name)) return rng.pick([11, 12, 13]);
  if (/action|verdict|mode|flag/i.test(name)) return rng.int(3);
  if (/_ns$|time|last|seen|stamp/i.test(name)) return rng.chance(0.5) ? 0 : 1n << 62n;
  if (size === 1) return rng.int(256);
  return rng.weighted<number>([[1, 30], [rng.int(1000), 50], [rng.int(65536), 20]]);
}

