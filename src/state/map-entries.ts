import { fail } from '../errors.js';
import type { MapDeclaration } from '../object/map-declaration.js';
import { MapType } from '../object/map-types.js';
import { opaqueBytes, type TypeSchema } from '../object/schema.js';
import { compareText } from '../order.js';
import { encodeValue, type EncodableValue } from './encode-value.js';
import { toHex, type MapContents, type MapEntry } from './map-state.js';

/**
 * Map entries in the canonical form of map-state.ts, built from values written against
 * the map's own key and value layouts. A key or value may also be given as raw bytes
 * (maps without BTF layouts, or bytes copied from a packet); either way its size must be
 * the map's key or value size, since the kernel refuses anything else.
 */
export type EntryInput = EncodableValue | Uint8Array;

export function entry(map: MapDeclaration, key: EntryInput, value: EntryInput, littleEndian: boolean): MapEntry {
  return {
    key: toHex(sized(map, 'key', key, littleEndian)),
    value: toHex(sized(map, 'value', value, littleEndian)),
  };
}

/** An outer map-in-map entry holding an inner map's contents (made canonical with the inner template). */
export function innerMapEntry(map: MapDeclaration, key: EntryInput, inner: readonly MapEntry[], littleEndian: boolean): MapEntry {
  if (!map.inner) fail('VM_BAD_STATE', `map ${map.name} is not a map of maps`);
  return { key: toHex(sized(map, 'key', key, littleEndian)), inner: canonicalContents(map.inner, inner) };
}

/** A PROG_ARRAY slot holding the named program. */
export function programEntry(map: MapDeclaration, index: number, program: string, littleEndian: boolean): MapEntry {
  if (map.type !== MapType.PROG_ARRAY) fail('VM_BAD_STATE', `map ${map.name} is not a program array`);
  return { key: toHex(sized(map, 'key', index, littleEndian)), program };
}

/**
 * The key and value bytes of an entry from its input. Without a layout, a number is a
 * little/big-endian integer of the map's key size (array indexes) and a string is hex.
 */
export function sized(map: MapDeclaration, part: 'key' | 'value', input: EntryInput, littleEndian: boolean): Uint8Array {
  const size = part === 'key' ? map.keySize : map.valueSize;
  const schema: TypeSchema | undefined = part === 'key' ? map.key : map.value;
  let bytes: Uint8Array;
  if (input instanceof Uint8Array) bytes = input;
  else if (schema) bytes = encodeValue(schema, input, littleEndian);
  else if (typeof input === 'number' || typeof input === 'bigint') bytes = encodeValue({ kind: 'int', name: 'u', size, signed: false, bool: false }, input, littleEndian);
  else bytes = encodeValue(opaqueBytes(size), input, littleEndian);
  if (bytes.length !== size) {
    fail('VM_BAD_STATE', `map ${map.name}: ${part} of ${bytes.length} bytes, but the map's ${part} size is ${size}`);
  }
  return bytes;
}

/** Address bytes and prefix length of "10.0.0.0/8", "2001:db8::/32" or a bare address. */
export interface Cidr {
  readonly address: Uint8Array;
  readonly prefixLength: number;
}

/**
 * An LPM trie key (reference §8): the prefix length as a u32 in the target's order, then
 * the address bytes as they sit in a packet, zero-filled to the key size. Bits past the
 * prefix are cleared, so equal prefixes always give equal keys.
 */
export function lpmKey(keySize: number, cidr: Cidr, littleEndian: boolean): Uint8Array {
  const data = keySize - 4;
  if (data < 1 || cidr.prefixLength > data * 8) {
    fail('VM_BAD_STATE', `prefix /${cidr.prefixLength} does not fit an LPM key of ${keySize} bytes`);
  }
  const out = new Uint8Array(keySize);
  new DataView(out.buffer).setUint32(0, cidr.prefixLength, littleEndian);
  out.set(cidr.address.subarray(0, data), 4);
  for (let bit = cidr.prefixLength; bit < data * 8; bit++) out[4 + (bit >> 3)] &= ~(0x80 >> (bit & 7));
  return out;
}

/**
 * Sorted by key, one entry per key (the last given wins, as repeated updates would),
 * arrays without their all-zero slots.
 */
export function canonicalContents(map: MapDeclaration, entries: readonly MapEntry[]): MapContents {
  const byKey = new Map<string, MapEntry>();
  for (const e of entries) byKey.set(e.key, e);
  const dropZero = map.type === MapType.ARRAY || map.type === MapType.PERCPU_ARRAY;
  const kept = [...byKey.values()].filter((e) => !(dropZero && 'value' in e && /^0*$/.test(e.value)));
  return { entries: kept.sort((a, b) => compareText(a.key, b.key)) };
}
