import type { BpfMap, BpfObject } from '../object/types.js';
import { isNetworkOrder, type TypeSchema } from '../object/schema.js';
import { MapType } from '../object/map-types.js';
import { formatIpv4, formatIpv6, parseCidr } from '../packet/addresses.js';
import { fromHex, type MapContents, type MapStateFile } from '../state/map-state.js';
import { programConstants, type ProgramConstants } from './program-constants.js';

/**
 * What packets are drawn from: the addresses, prefixes, ports and ifindexes a map state
 * and an object mention, so that generated traffic hits the entries (and just misses
 * them). Collected by walking every key and value through its layout:
 * - `__be32` fields and 4-byte byte arrays named like addresses are IPv4 addresses,
 *   16-byte ones IPv6 addresses; LPM keys give prefixes;
 * - `__be16` fields and host-order 16-bit fields named like ports are ports;
 * - 8-bit fields named like protocols are IP protocol numbers;
 * - 32-bit fields named like ifindexes, and u32 keys of maps of maps, are ifindexes;
 * - `.rodata`/`.data` globals are read the same way, by their types and names.
 */
export interface DrawPools {
  readonly hosts: readonly string[];
  readonly prefixes: readonly Prefix[];
  readonly hosts6: readonly string[];
  readonly prefixes6: readonly Prefix[];
  readonly ports: readonly number[];
  readonly protocols: readonly number[];
  readonly ifindexes: readonly number[];
  /** Keys of flow tables: the addresses and ports of one entry, in key order. */
  readonly tuples: readonly FlowTuple[];
  readonly constants: ProgramConstants;
}

/**
 * The address and port fields of one key of a hash map (a session, a conntrack entry):
 * a packet has to carry several of them at once to hit the entry, which drawing each
 * field on its own almost never does.
 */
export interface FlowTuple {
  readonly hosts: readonly string[];
  readonly ports: readonly number[];
  readonly protocol?: number;
}

export interface Prefix {
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

/** Extra addresses and ports for maps whose layouts the object does not carry. */
export interface PoolHints {
  readonly hosts?: readonly string[];
  readonly prefixes?: readonly string[];
  readonly ports?: readonly number[];
  readonly ifindexes?: readonly number[];
}

interface Collector {
  readonly hosts: Set<string>;
  readonly prefixes: Map<string, Prefix>;
  readonly hosts6: Set<string>;
  readonly prefixes6: Map<string, Prefix>;
  readonly ports: Set<number>;
  readonly protocols: Set<number>;
  readonly ifindexes: Set<number>;
  readonly tuples: FlowTuple[];
  readonly le: boolean;
}

export function drawPools(obj: BpfObject, state: MapStateFile, hints: PoolHints = {}): DrawPools {
  const c: Collector = {
    hosts: new Set(), prefixes: new Map(), hosts6: new Set(), prefixes6: new Map(),
    ports: new Set(), protocols: new Set(), ifindexes: new Set(), tuples: [], le: obj.littleEndian,
  };
  for (const m of obj.maps) {
    const contents = state.maps[m.name];
    if (contents) collectMap(c, m, contents);
  }
  for (const g of obj.globals) {
    if (g.schema && (g.section.startsWith('.rodata') || g.section.startsWith('.data'))) walk(c, g.schema, g.initial, 0, g.name);
  }
  for (const h of hints.hosts ?? []) c.hosts.add(h);
  for (const p of hints.prefixes ?? []) addPrefix(c, parseCidr(p));
  for (const p of hints.ports ?? []) c.ports.add(p);
  for (const i of hints.ifindexes ?? []) c.ifindexes.add(i);
  const constants = programConstants(obj);
  return {
    hosts: [...c.hosts].sort(),
    prefixes: [...c.prefixes.values()],
    hosts6: [...c.hosts6].sort(),
    prefixes6: [...c.prefixes6.values()],
    ports: [...c.ports].sort((a, b) => a - b),
    protocols: [...c.protocols].sort((a, b) => a - b),
    ifindexes: [...c.ifindexes].sort((a, b) => a - b),
    tuples: c.tuples,
    constants,
  };
}

function collectMap(c: Collector, m: Pick<BpfMap, 'type' | 'key' | 'value' | 'inner' | 'keySize'>, contents: MapContents): void {
  for (const e of contents.entries) {
    const key = fromHex(e.key);
    if (m.type === MapType.LPM_TRIE && key.length > 4) {
      const len = new DataView(key.buffer, key.byteOffset).getUint32(0, c.le);
      addPrefix(c, { address: key.slice(4), prefixLength: len });
    } else if (m.key) {
      const tuple: { hosts: string[]; ports: number[]; protocol?: number } = { hosts: [], ports: [] };
      walk(c, m.key, key, 0, 'key', tuple);
      if (tuple.hosts.length + tuple.ports.length >= 2) c.tuples.push(tuple);
    }
    // Per-interface families are keyed by ifindex (hom_ifindex_sets, Coppice's allow_out).
    if (m.type === MapType.HASH_OF_MAPS && key.length === 4) {
      c.ifindexes.add(new DataView(key.buffer, key.byteOffset).getUint32(0, c.le));
    }
    if ('value' in e && m.value) walk(c, m.value, fromHex(e.value), 0, 'value');
    if ('inner' in e && m.inner) collectMap(c, m.inner, e.inner);
  }
}

function addPrefix(c: Collector, p: Prefix): void {
  if (p.address.length === 4 && p.prefixLength <= 32) {
    c.prefixes.set(`${formatIpv4(p.address)}/${p.prefixLength}`, p);
    if (p.prefixLength === 32) c.hosts.add(formatIpv4(p.address));
  } else if (p.address.length === 16 && p.prefixLength <= 128) {
    c.prefixes6.set(`${formatIpv6(p.address)}/${p.prefixLength}`, p);
  }
}

const ADDRESS_NAME = /addr|(^|_)ip[46]?($|_)|^(src|dst|spa|tpa|local|remote)$/i;
const PORT_NAME = /port/i;
const PROTO_NAME = /proto/i;
const IFINDEX_NAME = /ifindex/i;

/** Collects what the bytes hold into the pools, and into `tuple` the key's own fields in order. */
function walk(c: Collector, t: TypeSchema, b: Uint8Array, off: number, name: string, tuple?: { hosts: string[]; ports: number[]; protocol?: number }): void {
  switch (t.kind) {
    case 'int': {
      if (off + t.size > b.length) return;
      const v = new DataView(b.buffer, b.byteOffset + off, t.size);
      if (isNetworkOrder(t) && t.size === 4) {
        const ip = formatIpv4(b, off);
        if (ip !== '0.0.0.0') c.hosts.add(ip);
        tuple?.hosts.push(ip);
      } else if (isNetworkOrder(t) && t.size === 2) {
        const p = v.getUint16(0, false);
        if (p) c.ports.add(p);
        tuple?.ports.push(p);
      } else if (t.size === 2 && PORT_NAME.test(name)) {
        const p = v.getUint16(0, c.le);
        if (p) c.ports.add(p);
        tuple?.ports.push(p);
      } else if (t.size === 1 && PROTO_NAME.test(name)) {
        c.protocols.add(b[off]);
        if (tuple) tuple.protocol = b[off];
      } else if (t.size === 4 && IFINDEX_NAME.test(name)) {
        const i = v.getUint32(0, c.le);
        if (i) c.ifindexes.add(i);
      }
      return;
    }
    case 'array':
      if (t.element.kind === 'int' && t.element.size === 1 && ADDRESS_NAME.test(name)) {
        if (t.length === 4) {
          c.hosts.add(formatIpv4(b, off));
          tuple?.hosts.push(formatIpv4(b, off));
        }
        else if (t.length === 16) c.hosts6.add(formatIpv6(b, off));
        return;
      }
      if (t.length <= 64) for (let i = 0; i < t.length; i++) walk(c, t.element, b, off + i * t.element.size, name, tuple);
      return;
    case 'struct':
    case 'union':
      for (const f of t.fields) {
        if (f.bitSize === 0 && f.bitOffset % 8 === 0) walk(c, f.type, b, off + f.bitOffset / 8, f.name || name, tuple);
      }
      return;
    case 'enum':
    case 'float':
    case 'pointer':
    case 'opaque':
      return;
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** An address inside the prefix: the base with random host bits. */
export function addressInside(p: Prefix, randomBytes: Uint8Array): Uint8Array {
  const out = p.address.slice();
  for (let bit = p.prefixLength; bit < out.length * 8; bit++) {
    const mask = 0x80 >> (bit & 7);
    if (randomBytes[(bit >> 3) % randomBytes.length] & mask) out[bit >> 3] |= mask;
    else out[bit >> 3] &= ~mask;
  }
  return out;
}

/** An address just outside the prefix: the last prefix bit flipped (undefined for /0). */
export function addressOutside(p: Prefix, randomBytes: Uint8Array): Uint8Array | undefined {
  if (p.prefixLength === 0) return undefined;
  const out = addressInside(p, randomBytes);
  const bit = p.prefixLength - 1;
  out[bit >> 3] ^= 0x80 >> (bit & 7);
  return out;
}
