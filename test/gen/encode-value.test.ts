/**
 * encodeValue is the inverse of decodeValue: for every key and value layout of every
 * map (and every global) in the corpus, in both byte orders, random bytes decoded and
 * encoded again give the same bytes wherever a named member covers them (padding and
 * unnamed bitfields are not decoded, so they come back as zero). Then the hand-written
 * forms decodeValue never produces: network-order numbers, dotted addresses, enum
 * names, strings for byte arrays, and the errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../src/btf/decode-value.js';
import { Bpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import type { TypeSchema } from '../../src/object/schema.js';
import { encodeValue, type EncodableValue } from '../../src/state/encode-value.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';

interface Layout {
  readonly where: string;
  readonly schema: TypeSchema;
  readonly le: boolean;
}

function corpusLayouts(): Layout[] {
  const seen = new Set<string>();
  const out: Layout[] = [];
  const add = (where: string, schema: TypeSchema | undefined, le: boolean): void => {
    if (!schema) return;
    const id = `${le}:${JSON.stringify(schema)}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ where, schema, le });
  };
  for (const file of corpusObjects()) {
    const obj = loadObject(readFileSync(join(repoRoot, file)));
    for (const m of obj.maps) {
      add(`${file} ${m.name} key`, m.key, obj.littleEndian);
      add(`${file} ${m.name} value`, m.value, obj.littleEndian);
      add(`${file} ${m.name} inner key`, m.inner?.key, obj.littleEndian);
      add(`${file} ${m.name} inner value`, m.inner?.value, obj.littleEndian);
    }
    for (const g of obj.globals) add(`${file} global ${g.name}`, g.schema, obj.littleEndian);
  }
  return out;
}

/** One bit per bit of the value that a named member (not padding) covers. */
function coveredBits(t: TypeSchema, base: number, mask: Uint8Array, le: boolean): void {
  const mark = (bitPos: number, bits: number): void => {
    for (let k = 0; k < bits; k++) {
      const p = bitPos + k;
      mask[p >> 3] |= le ? 1 << (p & 7) : 0x80 >> (p & 7);
    }
  };
  switch (t.kind) {
    case 'struct':
    case 'union':
      for (const f of t.fields) {
        if (f.name === '' && (f.type.kind === 'struct' || f.type.kind === 'union')) coveredBits(f.type, base + f.bitOffset, mask, le);
        else if (f.name === '') continue;
        else if (f.bitSize > 0) mark(base + f.bitOffset, f.bitSize);
        else coveredBits(f.type, base + f.bitOffset, mask, le);
      }
      return;
    case 'array':
      for (let i = 0; i < t.length; i++) coveredBits(t.element, base + i * t.element.size * 8, mask, le);
      return;
    case 'float':
      return; // NaN payloads do not survive "NaN"
    default:
      mark(base, t.size * 8);
  }
}

describe('encodeValue inverts decodeValue', () => {
  const layouts = corpusLayouts();

  it('finds the corpus layouts', () => {
    expect(layouts.length).toBeGreaterThan(100);
    console.log(`encodeValue round trip: ${layouts.length} distinct key/value/global layouts (both byte orders)`);
  });

  it('gives back every covered bit of random values, for every corpus layout', () => {
    for (const l of layouts) {
      const mask = new Uint8Array(l.schema.size);
      coveredBits(l.schema, 0, mask, l.le);
      fc.assert(
        fc.property(fc.uint8Array({ minLength: l.schema.size, maxLength: l.schema.size }), (bytes) => {
          const value = decodeValue(l.schema, bytes, l.le);
          const back = encodeValue(l.schema, value as EncodableValue, l.le);
          for (let i = 0; i < bytes.length; i++) {
            if ((back[i] & mask[i]) !== (bytes[i] & mask[i])) {
              throw new Error(`${l.where}: byte ${i} ${bytes[i].toString(16)} came back as ${back[i].toString(16)}`);
            }
          }
          expect(decodeValue(l.schema, back, l.le)).toEqual(value);
        }),
        { numRuns: 25, seed: 42 },
      );
    }
  });
});

const u = (name: string, size: number, signed = false): TypeSchema => ({ kind: 'int', name, size, signed, bool: false });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeValue: hand-written forms', () => {
  const key: TypeSchema = {
    kind: 'struct',
    name: 'k',
    size: 12,
    fields: [
      { name: 'addr', bitOffset: 0, bitSize: 0, type: u('__be32', 4) },
      { name: 'port', bitOffset: 32, bitSize: 0, type: u('__be16', 2) },
      { name: 'hport', bitOffset: 48, bitSize: 0, type: u('__u16', 2) },
      { name: 'n', bitOffset: 64, bitSize: 0, type: u('__u32', 4) },
    ],
  };

  it('takes dotted addresses and { net } numbers in wire order on both targets', () => {
    for (const le of [true, false]) {
      expect(hex(encodeValue(key, { addr: '10.0.0.1', port: { net: 80 }, hport: 80, n: '0x01020304' }, le))).toBe(
        le ? '0a00000100505000' + '04030201' : '0a00000100500050' + '01020304',
      );
    }
    // A plain number is the raw value, as decodeValue prints it.
    expect(hex(encodeValue(u('__be16', 2), 0x5000, true))).toBe('0050');
    expect(hex(encodeValue(u('__u32', 4), '10.0.0.1', true))).toBe('0100000a');
  });

  it('takes enums by name, strings for byte arrays, bitfields in both bit orders', () => {
    const e: TypeSchema = { kind: 'enum', name: 'e', size: 4, signed: false, values: [{ name: 'A', value: 0n }, { name: 'B', value: 7n }] };
    expect(hex(encodeValue(e, 'B', true))).toBe('07000000');
    const name: TypeSchema = { kind: 'array', element: u('__u8', 1), length: 6, size: 6 };
    expect(hex(encodeValue(name, 'ab', true))).toBe('616200000000');
    const bits: TypeSchema = {
      kind: 'struct',
      name: 'b',
      size: 2,
      fields: [
        { name: 'lo', bitOffset: 0, bitSize: 4, type: u('__u8', 1) },
        { name: 'hi', bitOffset: 4, bitSize: 4, type: u('__u8', 1) },
        { name: 'w', bitOffset: 8, bitSize: 8, type: u('__u8', 1) },
      ],
    };
    for (const le of [true, false]) {
      const b = encodeValue(bits, { lo: 0x3, hi: 0xa, w: 0x5c }, le);
      expect(hex(b)).toBe(le ? 'a35c' : '3a5c');
      expect(decodeValue(bits, b, le)).toEqual({ lo: 3, hi: 10, w: 0x5c });
    }
  });

  it('zero-fills what is not given and refuses what does not fit', () => {
    expect(hex(encodeValue(key, { port: { net: 1 } }, true))).toBe('000000000001000000000000');
    const bad: [EncodableValue, RegExp][] = [
      [{ nope: 1 }, /no member nope/],
      [{ n: 2 ** 32 }, /does not fit/],
      [{ hport: { net: 1 } }, /not a network-order type/],
      [{ port: '10.0.0.1' }, /dotted address/],
      [{ n: 1.5 }, /not an integer/],
      [[1, 2], /expected an object/],
    ];
    for (const [v, msg] of bad) {
      expect(() => encodeValue(key, v, true)).toThrow(msg);
      expect(() => encodeValue(key, v, true)).toThrow(Bpf2pfError);
    }
    expect(() => encodeValue({ kind: 'array', element: u('__u8', 1), length: 2, size: 2 }, [1, 2, 3], true)).toThrow(/3 elements/);
    expect(() => encodeValue({ kind: 'opaque', name: '', size: 2 }, 'abcdef', true)).toThrow(/hex/);
  });
});
