import { fail } from '../errors.js';
import type { EnumSchema, IntSchema, RecordSchema, TypeSchema } from '../object/schema.js';
import { isNetworkOrder } from '../object/schema.js';

/**
 * What `encodeValue` accepts: everything `decodeValue` produces, plus forms that are
 * easier to write by hand.
 * - ints: numbers, or decimal/`0x` hex strings (needed beyond 2^53); `_Bool` also as a
 *   boolean. A number is the value as the program sees it after a load, so for `__be16`
 *   and `__be32` it is already in network order (port 80 on a little-endian target is
 *   0x5000), exactly what `decodeValue` prints.
 * - 4-byte ints also as dotted IPv4 strings: for `__be32` the bytes land as written
 *   ("10.0.0.1" is 0a 00 00 01 on either target); for other types the dotted quad is the
 *   number 0x0a000001.
 * - `{ net: n }` for any network-order int: the host number n (a port, an address as a
 *   number) stored most significant byte first.
 * - enums by enumerator name or by number; floats as numbers or "NaN"/"Infinity".
 * - arrays as lists, shorter lists zero-filled; arrays of 1-byte ints also as strings
 *   (Latin-1, zero-filled), the way `decodeValue` prints `char` arrays.
 * - structs and unions as objects (members of anonymous members merged in, as C lets
 *   them be named); missing members are zero, unknown members are an error.
 * - pointers as `0x` hex, opaque data as a hex string of at most its size.
 * - `undefined` or `null` anywhere is zero.
 */
export type EncodableValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | NetworkOrderNumber
  | readonly EncodableValue[]
  | { readonly [key: string]: EncodableValue };

export interface NetworkOrderNumber {
  readonly net: number | bigint | string;
}

export function encodeValue(schema: TypeSchema, value: EncodableValue, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(schema.size);
  encodeAt({ out, le: littleEndian }, schema, value, 0, schema.kind === 'struct' || schema.kind === 'union' ? schema.name : schema.kind);
  return out;
}

interface Sink {
  readonly out: Uint8Array;
  readonly le: boolean;
}

function bad(path: string, message: string): never {
  return fail('VM_BAD_STATE', `${path}: ${message}`);
}

function encodeAt(s: Sink, t: TypeSchema, v: EncodableValue, off: number, path: string): void {
  if (v === undefined || v === null) return;
  switch (t.kind) {
    case 'int':
      return writeBytes(s, off, t.size, intValue(t, v, t.size * 8, path), isNetworkOrderValue(t, v));
    case 'enum':
      return writeBytes(s, off, t.size, enumValue(t, v, t.size * 8, path), false);
    case 'float':
      return writeFloat(s, off, t.size, v, path);
    case 'pointer':
      return writeBytes(s, off, 8, parseBig(v, path), false);
    case 'opaque':
      return writeHex(s, off, t.size, v, path);
    case 'array':
      return writeArray(s, t.element, t.length, v, off, path);
    case 'struct':
    case 'union':
      return writeRecord(s, t, v, off, path);
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** Dotted quads and `{net}` of a `__be` type are already in wire order. */
function isNetworkOrderValue(t: IntSchema, v: EncodableValue): boolean {
  if (!isNetworkOrder(t)) return false;
  return (typeof v === 'string' && isDotted(v)) || isNet(v);
}

function isNet(v: EncodableValue): v is NetworkOrderNumber {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'net' in v;
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isDotted(v: string): boolean {
  return DOTTED.test(v);
}

function dottedNumber(v: string, path: string): bigint {
  const m = DOTTED.exec(v);
  if (!m) return bad(path, `not a dotted IPv4 address: ${v}`);
  let n = 0n;
  for (let i = 1; i <= 4; i++) {
    const p = Number(m[i]);
    if (p > 255) bad(path, `not a dotted IPv4 address: ${v}`);
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

/** The unsigned bits of an int field; range-checked against `bits`. */
function intValue(t: IntSchema, v: EncodableValue, bits: number, path: string): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (isNet(v)) {
    if (!isNetworkOrder(t)) bad(path, `{ net } for ${t.name}, which is not a network-order type`);
    return ranged(parseBig(v.net, path), bits, false, path);
  }
  if (typeof v === 'string' && isDotted(v)) {
    if (bits !== 32) bad(path, `dotted address for a ${bits}-bit ${t.name}`);
    return dottedNumber(v, path);
  }
  return ranged(parseBig(v, path), bits, t.signed, path);
}

function enumValue(t: EnumSchema, v: EncodableValue, bits: number, path: string): bigint {
  if (typeof v === 'string' && !/^-?(0x[0-9a-f]+|\d+)$/i.test(v)) {
    const e = t.values.find((x) => x.name === v);
    if (!e) return bad(path, `${v} is not an enumerator of ${t.name || 'the enum'}`);
    return BigInt.asUintN(bits, e.value);
  }
  return ranged(parseBig(v, path), bits, t.signed, path);
}

function ranged(n: bigint, bits: number, signed: boolean, path: string): bigint {
  const max = 1n << BigInt(bits);
  // Negative numbers are accepted for unsigned fields too (-1 = all ones), as in C.
  if (n >= max || n < -(max >> 1n)) bad(path, `${n} does not fit in ${bits} bits${signed ? ' (signed)' : ''}`);
  return BigInt.asUintN(bits, n);
}

function parseBig(v: EncodableValue, path: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) bad(path, `${v} is not an integer`);
    return BigInt(v);
  }
  if (typeof v === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(v)) {
    return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
  }
  return bad(path, `expected an integer, got ${JSON.stringify(v)}`);
}

/**
 * `raw` as `size` bytes: in the target's order, or most significant byte first when the
 * value is already a network-order number.
 */
function writeBytes(s: Sink, off: number, size: number, raw: bigint, networkOrder: boolean): void {
  let x = raw;
  for (let i = 0; i < size; i++) {
    const b = Number(x & 0xffn);
    x >>= 8n;
    const at = networkOrder || !s.le ? off + size - 1 - i : off + i;
    s.out[at] = b;
  }
}

function writeFloat(s: Sink, off: number, size: number, v: EncodableValue, path: string): void {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?(NaN|Infinity)$/.test(v) ? Number(v) : bad(path, `expected a float, got ${JSON.stringify(v)}`);
  const view = new DataView(s.out.buffer, s.out.byteOffset + off, size);
  if (size === 4) view.setFloat32(0, n, s.le);
  else if (size === 8) view.setFloat64(0, n, s.le);
  else writeHex(s, off, size, v, path);
}

function writeHex(s: Sink, off: number, size: number, v: EncodableValue, path: string): void {
  if (typeof v !== 'string' || !/^([0-9a-f]{2})*$/i.test(v) || v.length > size * 2) {
    bad(path, `expected hex of at most ${size} bytes`);
  }
  for (let i = 0; i < v.length / 2; i++) s.out[off + i] = parseInt(v.slice(2 * i, 2 * i + 2), 16);
}

function writeArray(s: Sink, element: TypeSchema, length: number, v: EncodableValue, off: number, path: string): void {
  if (typeof v === 'string' && element.kind === 'int' && element.size === 1) {
    if (v.length > length) bad(path, `string of ${v.length} bytes for a ${length}-byte array`);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) bad(path, 'string is not Latin-1');
      s.out[off + i] = c;
    }
    return;
  }
  if (!Array.isArray(v)) return bad(path, `expected a list for an array of ${length}`);
  const list = v as readonly EncodableValue[];
  if (list.length > length) bad(path, `${list.length} elements for an array of ${length}`);
  list.forEach((x, i) => encodeAt(s, element, x, off + i * element.size, `${path}[${i}]`));
}

function writeRecord(s: Sink, t: RecordSchema, v: EncodableValue, off: number, path: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || isNet(v)) {
    bad(path, `expected an object for ${t.kind} ${t.name}`);
  }
  const obj = v as { readonly [key: string]: EncodableValue };
  const used = new Set<string>();
  writeMembers(s, t, obj, off, path, used);
  for (const k of Object.keys(obj)) if (!used.has(k)) bad(path, `${t.kind} ${t.name || '(anonymous)'} has no member ${k}`);
}

function writeMembers(s: Sink, t: RecordSchema, obj: { readonly [key: string]: EncodableValue }, off: number, path: string, used: Set<string>): void {
  for (const f of t.fields) {
    const ft = f.type;
    if (f.name === '') {
      if (ft.kind === 'struct' || ft.kind === 'union') writeMembers(s, ft, obj, off + Math.floor(f.bitOffset / 8), path, used);
      continue;
    }
    if (!(f.name in obj)) continue;
    used.add(f.name);
    const fv = obj[f.name];
    const fpath = `${path}.${f.name}`;
    if (f.bitSize > 0 || f.bitOffset % 8 !== 0) {
      const bits = f.bitSize || ft.size * 8;
      const raw =
        ft.kind === 'int' ? intValue(ft, fv ?? 0, bits, fpath) : ft.kind === 'enum' ? enumValue(ft, fv ?? 0, bits, fpath) : parseBig(fv ?? 0, fpath);
      writeBits(s, off * 8 + f.bitOffset, bits, ranged(raw, bits, true, fpath));
    } else {
      encodeAt(s, ft, fv, off + f.bitOffset / 8, fpath);
    }
  }
}

/** The inverse of decode-value.ts's readUnsigned: same bit numbering per byte order. */
function writeBits(s: Sink, bitPos: number, bits: number, raw: bigint): void {
  for (let k = 0; k < bits; k++) {
    const bit = Number((raw >> BigInt(k)) & 1n);
    let byte: number;
    let mask: number;
    if (s.le) {
      const p = bitPos + k;
      byte = p >> 3;
      mask = 1 << (p & 7);
    } else {
      const p = bitPos + bits - 1 - k;
      byte = p >> 3;
      mask = 0x80 >> (p & 7);
    }
    s.out[byte] = bit ? s.out[byte] | mask : s.out[byte] & ~mask;
  }
}
