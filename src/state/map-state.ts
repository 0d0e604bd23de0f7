/**
 * Map contents as plain data: what `bpf2pf run --maps STATE.json` reads, what the kernel
 * oracle loads before and dumps after a run, what the interpreter starts from and ends
 * with, and what generators produce. Keys and values are the raw bytes in the object's
 * byte order, as lower-case hex, so nothing is lost between the three.
 *
 * Canonical form (what every producer writes, so two states compare with deep equality):
 * - entries sorted by key hex;
 * - ARRAY and PERCPU_ARRAY list only entries whose value is not all zero (the others
 *   exist implicitly, as in the kernel);
 * - per-CPU maps carry the value of CPU 0 only (runs are pinned to CPU 0);
 * - map-in-map entries carry the inner map's contents; PROG_ARRAY entries the program's
 *   name;
 * - maps with no entries are listed with `entries: []` only when the producer knows the
 *   map; a missing map means "not given" on input.
 */
export interface MapStateFile {
  readonly version: 1;
  /**
   * The byte order the keys and values are in, when the producer records it (snapshots
   * do): an object of the other order is refused, not read with its numbers reversed.
   * Absent: the object's order, as the format has always said.
   */
  readonly byteOrder?: ByteOrder;
  readonly maps: Readonly<Record<string, MapContents>>;
}

export type ByteOrder = 'little' | 'big';

export function byteOrderOf(littleEndian: boolean): ByteOrder {
  return littleEndian ? 'little' : 'big';
}

export interface MapContents {
  readonly entries: readonly MapEntry[];
}

export type MapEntry =
  | { readonly key: string; readonly value: string }
  | { readonly key: string; readonly inner: MapContents }
  | { readonly key: string; readonly program: string };

export function isValueEntry(e: MapEntry): e is { key: string; value: string } {
  return 'value' in e;
}

export function isInnerEntry(e: MapEntry): e is { key: string; inner: MapContents } {
  return 'inner' in e;
}

export function isProgramEntry(e: MapEntry): e is { key: string; program: string } {
  return 'program' in e;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`not hex: ${s.slice(0, 40)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
