import { fail, type ObjectErrorCode } from './errors.js';

/**
 * A bounds-checked, endian-aware window on part of a file. Every read that would leave
 * the window fails with the window's own error code, so a malformed offset in a hostile
 * object becomes a typed error naming what was being read, never a RangeError.
 */
export class ByteWindow {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  /** What this window is, for messages: ".BTF", "section header 3". */
  readonly what: string;
  readonly code: ObjectErrorCode;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, littleEndian: boolean, what: string, code: ObjectErrorCode) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.what = what;
    this.code = code;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  private check(off: number, size: number, field: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + size > this.bytes.length) {
      fail(this.code, `${this.what}: ${field} at offset ${off} (+${size}) is past the end (${this.bytes.length} bytes)`);
    }
  }

  u8(off: number, field = 'u8'): number {
    this.check(off, 1, field);
    return this.view.getUint8(off);
  }

  u16(off: number, field = 'u16'): number {
    this.check(off, 2, field);
    return this.view.getUint16(off, this.littleEndian);
  }

  i16(off: number, field = 'i16'): number {
    this.check(off, 2, field);
    return this.view.getInt16(off, this.littleEndian);
  }

  u32(off: number, field = 'u32'): number {
    this.check(off, 4, field);
    return this.view.getUint32(off, this.littleEndian);
  }

  i32(off: number, field = 'i32'): number {
    this.check(off, 4, field);
    return this.view.getInt32(off, this.littleEndian);
  }

  u64(off: number, field = 'u64'): bigint {
    this.check(off, 8, field);
    return this.view.getBigUint64(off, this.littleEndian);
  }

  /**
   * A u64 that must be usable as a file offset or size. Values beyond 2^53 cannot be
   * real offsets in a file we could hold in memory; they fail rather than lose precision.
   */
  u64AsNumber(off: number, field = 'u64'): number {
    const v = this.u64(off, field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      fail(this.code, `${this.what}: ${field} = ${v} is not a usable offset or size`);
    }
    return Number(v);
  }

  /** A sub-window; fails if [off, off+size) does not lie inside this one. */
  slice(off: number, size: number, what: string, code: ObjectErrorCode = this.code): ByteWindow {
    this.check(off, size, what);
    return new ByteWindow(this.bytes.subarray(off, off + size), this.littleEndian, what, code);
  }

  /** A NUL-terminated string starting at `off`. */
  cstring(off: number, field = 'string'): string {
    this.check(off, 0, field);
    const end = this.bytes.indexOf(0, off);
    if (end < 0) fail(this.code, `${this.what}: ${field} at offset ${off} has no terminating NUL`);
    return decodeLatin1(this.bytes.subarray(off, end));
  }
}

/**
 * Object strings (section, symbol and BTF names) are bytes, not UTF-8: decode one byte
 * to one code unit so that nothing is lost and a later check sees every odd byte.
 */
export function decodeLatin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** The unsigned number `bytes` hold in the given byte order (big-endian is the wire's). */
export function bigUintOf(bytes: Uint8Array, littleEndian: boolean): bigint {
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[littleEndian ? bytes.length - 1 - i : i]);
  return v;
}

/** `bigUintOf` as a number, for fields of at most 6 bytes (ports, addresses, ifindexes). */
export function uintOf(bytes: Uint8Array, littleEndian: boolean): number {
  if (bytes.length > 6) throw new RangeError(`uintOf: ${bytes.length} bytes do not fit a number exactly`);
  return Number(bigUintOf(bytes, littleEndian));
}
