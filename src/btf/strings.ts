import { decodeLatin1 } from '../bytes.js';
import { fail } from '../errors.js';
import type { Btf } from './types.js';

/**
 * A NUL-terminated string of a BTF string section. Offsets come from the file, so an
 * offset past the section or a string running off its end is a typed error, never ''.
 */
export function readBtfString(strings: Uint8Array, off: number, what: string): string {
  if (!Number.isSafeInteger(off) || off < 0 || off >= strings.length) {
    fail('BTF_BAD_STRING', `${what}: string offset ${off} is past the string section (${strings.length} bytes)`);
  }
  const end = strings.indexOf(0, off);
  if (end < 0) fail('BTF_BAD_STRING', `${what}: string at offset ${off} has no terminating NUL`);
  return decodeLatin1(strings.subarray(off, end));
}

/** A string of this BTF's string section (what `.BTF.ext` name offsets refer to). */
export function btfString(btf: Btf, off: number, what: string): string {
  return readBtfString(btf.strings, off, what);
}
