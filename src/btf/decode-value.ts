import { fail } from '../errors.js';
import type { EnumSchema, IntSchema, RecordSchema, TypeSchema } from '../object/schema.js';

/** What `decodeValue` returns: JSON as it is, so it can be printed or compared directly. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Render the bytes of a value (a global's initial bytes, a map key) by its schema:
 * - ints of up to 4 bytes as numbers, wider ones as decimal strings (so one type always
 *   renders the same way, and nothing loses precision); `_Bool` as a boolean;
 * - enums as the enumerator's name, or the number when no enumerator matches;
 * - floats as numbers (`"NaN"`, `"Infinity"` as strings, which JSON cannot hold);
 * - pointers as `0x` hex, opaque data as plain hex;
 * - `char` arrays as strings when printable up to the first NUL and zero after it;
 * - structs and unions as objects, anonymous struct/union members merged into their
 *   parent as C lets them be used; unnamed bitfield padding is left out.
 */
export function decodeValue(schema: TypeSchema, bytes: Uint8Array, littleEndian: boolean): JsonValue {
  if (bytes.length < schema.size) {
    fail('BTF_RANGE', `value of ${schema.size} bytes, but only ${bytes.length} bytes given`);
  }
  return decodeAt({ bytes, le: littleEndian, nodes: 0 }, schema, 0);
}

/** A rendering of more nodes than this comes from hostile sizes, not from a real global. */
const MAX_NODES = 1_000_000;

interface Cursor {
  readonly bytes: Uint8Array;
  readonly le: boolean;
  nodes: number;
}

function decodeAt(c: Cursor, s: TypeSchema, off: number): JsonValue {
  if (++c.nodes > MAX_NODES) fail('BTF_BAD_COUNT', `value has more than ${MAX_NODES} parts to render`);
  if (off + s.size > c.bytes.length) fail('BTF_RANGE', `${s.kind} at byte ${off} (+${s.size}) is past the value's ${c.bytes.length} bytes`);
  switch (s.kind) {
    case 'int':
      return intValue(s, readUnsigned(c, off * 8, s.size * 8));
    case 'enum':
      return enumValue(s, readUnsigned(c, off * 8, s.size * 8), s.size * 8);
    case 'float':
      return floatValue(c, off, s.size);
    case 'pointer':
      return '0x' + readUnsigned(c, off * 8, 64).toString(16);
    case 'opaque':
      return hex(c.bytes.subarray(off, off + s.size));
    case 'array':
      return arrayValue(c, s.element, s.length, off);
    case 'struct':
    case 'union':
      return recordValue(c, s, off);
    default: {
      const never: never = s;
      return never;
    }
  }
}

function intValue(s: IntSchema, raw: bigint, bits = s.size * 8): JsonValue {
  if (s.bool) return raw !== 0n;
  const v = s.signed ? BigInt.asIntN(bits, raw) : raw;
  return s.size <= 4 ? Number(v) : v.toString();
}

function enumValue(s: EnumSchema, raw: bigint, bits: number): JsonValue {
  const v = s.signed ? BigInt.asIntN(bits, raw) : raw;
  const named = s.values.find((e) => e.value === v || BigInt.asUintN(bits, e.value) === raw);
  if (named) return named.name;
  return s.size <= 4 ? Number(v) : v.toString();
}

function floatValue(c: Cursor, off: number, size: number): JsonValue {
  const view = new DataView(c.bytes.buffer, c.bytes.byteOffset + off, size);
  if (size !== 4 && size !== 8) return hex(c.bytes.subarray(off, off + size));
  const v = size === 4 ? view.getFloat32(0, c.le) : view.getFloat64(0, c.le);
  return Number.isFinite(v) ? v : String(v);
}

const CHAR_NAMES: ReadonlySet<string> = new Set(['char', 'signed char', 'unsigned char']);

function arrayValue(c: Cursor, element: TypeSchema, length: number, off: number): JsonValue {
  if (element.kind === 'int' && element.size === 1 && CHAR_NAMES.has(element.name)) {
    const text = printableString(c.bytes.subarray(off, off + length));
    if (text !== undefined) return text;
  }
  const out: JsonValue[] = [];
  for (let i = 0; i < length; i++) out.push(decodeAt(c, element, off + i * element.size));
  return out;
}

function printableString(b: Uint8Array): string | undefined {
  const nul = b.indexOf(0);
  const end = nul < 0 ? b.length : nul;
  for (let i = 0; i < end; i++) if (b[i] < 0x20 || b[i] > 0x7e) return undefined;
  for (let i = end; i < b.length; i++) if (b[i] !== 0) return undefined;
  return String.fromCharCode(...b.subarray(0, end));
}

function recordValue(c: Cursor, s: RecordSchema, off: number): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const f of s.fields) {
    const t = f.type;
    if (f.name === '') {
      if (t.kind === 'struct' || t.kind === 'union') Object.assign(out, recordValue(c, t, off + Math.floor(f.bitOffset / 8)));
      continue;
    }
    out[f.name] = f.bitSize > 0 || f.bitOffset % 8 !== 0
      ? bitfieldValue(c, t, off * 8 + f.bitOffset, f.bitSize || t.size * 8)
      : decodeAt(c, t, off + f.bitOffset / 8);
  }
  return out;
}

function bitfieldValue(c: Cursor, t: TypeSchema, bitPos: number, bits: number): JsonValue {
  if (++c.nodes > MAX_NODES) fail('BTF_BAD_COUNT', `value has more than ${MAX_NODES} parts to render`);
  const raw = readUnsigned(c, bitPos, bits);
  if (t.kind === 'int') return intValue(t, raw, bits);
  if (t.kind === 'enum') return enumValue(t, raw, bits);
  return raw.toString();
}

/**
 * `bits` bits starting `bitPos` bits into the bytes. Bit positions follow the target's
 * order: on little endian bit 0 is the least significant bit of byte 0, on big endian
 * the most significant one (the DWARF data_bit_offset convention BTF inherits).
 */
function readUnsigned(c: Cursor, bitPos: number, bits: number): bigint {
  const first = Math.floor(bitPos / 8);
  const last = Math.ceil((bitPos + bits) / 8);
  if (last > c.bytes.length) fail('BTF_RANGE', `bits ${bitPos}..${bitPos + bits} are past the value's ${c.bytes.length} bytes`);
  let v = 0n;
  if (c.le) {
    for (let i = last - 1; i >= first; i--) v = (v << 8n) | BigInt(c.bytes[i]);
    v >>= BigInt(bitPos - first * 8);
  } else {
    for (let i = first; i < last; i++) v = (v << 8n) | BigInt(c.bytes[i]);
    v >>= BigInt(last * 8 - (bitPos + bits));
  }
  return BigInt.asUintN(bits, v);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
