/**
 * Hand-made BTF that no compiler writes: each case names the malformation and the
 * typed error it must end in, or the value the rules give for a legal oddity.
 */
import { describe, expect, it } from 'vitest';
import { formatBtfRaw } from '../../src/btf/dump.js';
import { parseBtfExt } from '../../src/btf/ext.js';
import { withDatasecFixups } from '../../src/btf/fixups.js';
import { decodeValue } from '../../src/btf/globals.js';
import { mapDeclarationsFromBtf } from '../../src/btf/maps.js';
import { parseBtf } from '../../src/btf/parse.js';
import { resolveSize, skipModsAndTypedefs } from '../../src/btf/resolve.js';
import { schemaOf } from '../../src/btf/schema.js';
import { Bpf2pfError, type ErrorCode } from '../../src/errors.js';
import { buildBtf, buildBtfExt, intWord, K, type RawType } from './helpers/build-btf.js';

function code(f: () => unknown): ErrorCode | 'ok' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof Bpf2pfError) return e.code;
    throw e;
  }
}

const INT: RawType = { name: 'int', kind: K.INT, sizeOrType: 4, words: [intWord(1, 0, 32)] };

describe('reference cycles', () => {
  // [1] int, [2] typedef A -> [3], [3] typedef B -> [2]
  const typedefLoop = parseBtf(buildBtf(() => [
    INT,
    { name: 'A', kind: K.TYPEDEF, sizeOrType: 3 },
    { name: 'B', kind: K.TYPEDEF, sizeOrType: 2 },
  ]));

  it('typedef A -> typedef B -> A parses (ids are in range) but resolves to BTF_TYPE_CYCLE', () => {
    expect(typedefLoop.types.length).toBe(4);
    expect(code(() => resolveSize(typedefLoop, 2))).toBe('BTF_TYPE_CYCLE');
    expect(code(() => skipModsAndTypedefs(typedefLoop, 3))).toBe('BTF_TYPE_CYCLE');
    expect(code(() => schemaOf(typedefLoop, 2))).toBe('BTF_TYPE_CYCLE');
  });

  it('const -> volatile -> type_tag -> const is a cycle too', () => {
    const btf = parseBtf(buildBtf(() => [
      { kind: K.CONST, sizeOrType: 2 },
      { kind: K.VOLATILE, sizeOrType: 3 },
      { name: 'tag', kind: K.TYPE_TAG, sizeOrType: 1 },
    ]));
    expect(code(() => resolveSize(btf, 1))).toBe('BTF_TYPE_CYCLE');
    expect(code(() => schemaOf(btf, 2))).toBe('BTF_TYPE_CYCLE');
  });

  it('a struct containing itself by value through an array is BTF_TYPE_CYCLE', () => {
    // [1] int, [2] struct S { int x; S self[1]; }, [3] array of [2]
    const btf = parseBtf(buildBtf((s) => [
      INT,
      { name: 'S', kind: K.STRUCT, vlen: 2, sizeOrType: 8, words: [s('x'), 1, 0, s('self'), 3, 32] },
      { kind: K.ARRAY, words: [2, 1, 1] },
    ]));
    expect(code(() => schemaOf(btf, 2))).toBe('BTF_TYPE_CYCLE');
    expect(code(() => schemaOf(btf, 3))).toBe('BTF_TYPE_CYCLE');
    // Its declared size needs no recursion, as libbpf's resolve_size.
    expect(resolveSize(btf, 2)).toBe(8);
  });

  it('an array whose element is itself is a size cycle', () => {
    const btf = parseBtf(buildBtf(() => [INT, { kind: K.ARRAY, words: [2, 1, 4] }]));
    expect(code(() => resolveSize(btf, 2))).toBe('BTF_TYPE_CYCLE');
  });

  it('pointers break cycles: struct node { struct node *next; } is fine', () => {
    // [1] int, [2] struct node { node *next; int v; }, [3] ptr -> [2]
    const btf = parseBtf(buildBtf((s) => [
      INT,
      { name: 'node', kind: K.STRUCT, vlen: 2, sizeOrType: 16, words: [s('next'), 3, 0, s('v'), 1, 64] },
      { kind: K.PTR, sizeOrType: 2 },
    ]));
    expect(schemaOf(btf, 2)).toEqual({
      kind: 'struct', name: 'node', size: 16, fields: [
        { name: 'next', bitOffset: 0, bitSize: 0, type: { kind: 'pointer', size: 8, target: 'node' } },
        { name: 'v', bitOffset: 64, bitSize: 0, type: { kind: 'int', name: 'int', size: 4, signed: true, bool: false } },
      ],
    });
  });

  it('deep nesting fails as a typed error, not a stack overflow', () => {
    // 20000 structs, each holding the previous one by value.
    const btf = parseBtf(buildBtf((s) => [
      INT,
      ...Array.from({ length: 20000 }, (_, i): RawType => ({
        name: `s${i}`, kind: K.STRUCT, vlen: 1, sizeOrType: 4, words: [s('m'), i + 1, 0],
      })),
    ]));
    expect(code(() => schemaOf(btf, 20001))).toBe('BTF_BAD_TYPE');
    expect(schemaOf(btf, 100).kind).toBe('struct');
  });

  it('long modifier chains resolve without recursion', () => {
    const n = 100000;
    const btf = parseBtf(buildBtf(() => [
      INT,
      ...Array.from({ length: n }, (_, i): RawType => ({ kind: i % 2 ? K.CONST : K.TYPEDEF, name: i % 2 ? '' : `t${i}`, sizeOrType: i + 1 })),
    ]));
    expect(resolveSize(btf, n + 1)).toBe(4);
    expect(schemaOf(btf, n + 1)).toMatchObject({ kind: 'int', name: `t${n - 2}` });
  });

  it('array sizes that overflow 32 bits are BTF_BAD_COUNT', () => {
    const btf = parseBtf(buildBtf(() => [INT, { kind: K.ARRAY, words: [1, 1, 0xffffffff] }, { kind: K.ARRAY, words: [2, 1, 0xffffffff] }]));
    expect(code(() => resolveSize(btf, 3))).toBe('BTF_BAD_COUNT');
  });
});

describe('malformed sections', () => {
  it('string offsets past the string section are BTF_BAD_STRING', () => {
    expect(code(() => parseBtf(buildBtf(() => [{ ...INT, name: undefined }, { kind: K.PTR, sizeOrType: 1 }]))))
      .toBe('ok');
    const bytes = buildBtf(() => [INT]);
    // Point the INT's name_off (first word of the type section) past the strings.
    new DataView(bytes.buffer).setUint32(24, 0x7fff, true);
    expect(code(() => parseBtf(bytes))).toBe('BTF_BAD_STRING');
  });

  it('a string section without a final NUL is BTF_BAD_STRING', () => {
    const strings = Uint8Array.from([0, 105, 110, 116]); // "\0int" with no terminator
    expect(code(() => parseBtf(buildBtf(() => [{ kind: K.INT, sizeOrType: 4, words: [intWord(0, 0, 32)] }], { strings })))).toBe('BTF_BAD_STRING');
  });

  it('vlen 65535 (or 2^24-1) fails with BTF_BAD_COUNT from the sizes, before any member is read', () => {
    for (const vlen of [0xffff, 0xffffff]) {
      let message = '';
      try {
        parseBtf(buildBtf(() => [INT, { name: 'big', kind: K.STRUCT, vlen, sizeOrType: 4 }]));
      } catch (e) {
        if (!(e instanceof Bpf2pfError)) throw e;
        expect(e.code).toBe('BTF_BAD_COUNT');
        message = e.message;
      }
      // The count is checked against the bytes left, not discovered by reading members.
      expect(message).toMatch(new RegExp(`vlen ${vlen} needs ${vlen * 12} bytes but only \\d+ remain`));
    }
  });

  it('type ids out of range, unknown kinds and bad headers', () => {
    expect(code(() => parseBtf(buildBtf(() => [INT, { kind: K.PTR, sizeOrType: 9 }])))).toBe('BTF_BAD_TYPE');
    expect(code(() => parseBtf(buildBtf(() => [{ kind: 25, sizeOrType: 0 }])))).toBe('BTF_BAD_TYPE');
    expect(code(() => parseBtf(buildBtf(() => [{ kind: 0, sizeOrType: 0 }])))).toBe('BTF_BAD_TYPE');
    const good = buildBtf(() => [INT]);
    const bad = (patch: (v: DataView) => void): Uint8Array => {
      const b = good.slice();
      patch(new DataView(b.buffer));
      return b;
    };
    expect(code(() => parseBtf(bad((v) => v.setUint16(0, 0x1234))))).toBe('BTF_BAD_HEADER');
    expect(code(() => parseBtf(bad((v) => v.setUint8(2, 2))))).toBe('BTF_BAD_HEADER');
    expect(code(() => parseBtf(bad((v) => v.setUint32(4, 4096, true))))).toBe('BTF_BAD_HEADER');
    expect(code(() => parseBtf(bad((v) => v.setUint32(12, 4096, true))))).toBe('BTF_RANGE');
    expect(code(() => parseBtf(bad((v) => v.setUint32(16, 0xfffffff0, true))))).toBe('BTF_RANGE');
    expect(code(() => parseBtf(good.subarray(0, 10)))).toBe('BTF_BAD_HEADER');
    // A type record cut in the middle.
    expect(code(() => parseBtf(bad((v) => { v.setUint32(12, 8, true); })))).toBe('BTF_RANGE');
  });

  it('FUNC must point at a FUNC_PROTO, DATASEC at VARs, DECL_TAG at an existing member', () => {
    expect(code(() => parseBtf(buildBtf(() => [INT, { name: 'f', kind: K.FUNC, sizeOrType: 1 }])))).toBe('BTF_BAD_TYPE');
    expect(code(() => parseBtf(buildBtf(() => [INT, { name: '.data', kind: K.DATASEC, vlen: 1, words: [1, 0, 4] }])))).toBe('BTF_BAD_TYPE');
    expect(code(() => parseBtf(buildBtf((s) => [
      INT,
      { name: 'S', kind: K.STRUCT, vlen: 1, sizeOrType: 4, words: [s('a'), 1, 0] },
      { name: 'tag', kind: K.DECL_TAG, sizeOrType: 2, words: [1] },
    ])))).toBe('BTF_BAD_TYPE');
  });
});

describe('legal oddities', () => {
  it('big-endian BTF reads the same as little-endian', () => {
    const make = (s: (t: string) => number): RawType[] => [
      INT,
      { name: 'pair', kind: K.STRUCT, vlen: 2, sizeOrType: 8, words: [s('a'), 1, 0, s('b'), 1, 32] },
    ];
    const le = parseBtf(buildBtf(make));
    const be = parseBtf(buildBtf(make, { littleEndian: false }));
    expect(be.littleEndian).toBe(false);
    expect(formatBtfRaw(be)).toBe(formatBtfRaw(le));
    expect(schemaOf(be, 2)).toEqual(schemaOf(le, 2));
  });

  it('a 32-byte header with layout fields is honoured', () => {
    const btf = parseBtf(buildBtf(() => [INT], { hdrLen: 32 }));
    expect(btf.header.hdrLen).toBe(32);
    expect(btf.types[1]).toMatchObject({ kind: 'int', name: 'int', size: 4, bits: 32 });
  });

  it('without kind_flag, bitfields come from the INT bit offset and width', () => {
    // [1] int, [2] int with bit offset 3 and 5 bits (the old encoding), [3] struct.
    const btf = parseBtf(buildBtf((s) => [
      { name: 'unsigned int', kind: K.INT, sizeOrType: 4, words: [intWord(0, 0, 32)] },
      { name: 'unsigned int', kind: K.INT, sizeOrType: 4, words: [intWord(0, 3, 5)] },
      { name: 'bits', kind: K.STRUCT, vlen: 2, sizeOrType: 8, words: [s('whole'), 1, 0, s('part'), 2, 32] },
    ]));
    const schema = schemaOf(btf, 3);
    expect(schema).toMatchObject({ fields: [{ name: 'whole', bitOffset: 0, bitSize: 0 }, { name: 'part', bitOffset: 35, bitSize: 5 }] });
    // part = bits 35..39 of an LE value: byte 4 = 0b1011_1000 -> (0xb8 >> 3) & 31 = 23.
    expect(decodeValue(schema, Uint8Array.from([1, 0, 0, 0, 0xb8, 0, 0, 0]), true)).toEqual({ whole: 1, part: 23 });
  });

  it('DATASEC fixups give new offsets and sizes and keep the raw ones', () => {
    const btf = parseBtf(buildBtf(() => [
      INT,
      { name: 'x', kind: K.VAR, sizeOrType: 1, words: [1] },
      { name: '.data', kind: K.DATASEC, vlen: 1, words: [2, 0, 4] },
    ]));
    const fixed = withDatasecFixups(btf, [{ datasecId: 3, index: 0, offset: 12 }], [{ datasecId: 3, size: 16 }]);
    expect(fixed.types[3]).toMatchObject({ size: 16, rawSize: 0, vars: [{ offset: 12, rawOffset: 0 }] });
    expect(btf.types[3]).toMatchObject({ size: 0, vars: [{ offset: 0 }] });
    expect(code(() => withDatasecFixups(btf, [{ datasecId: 2, index: 0, offset: 1 }]))).toBe('BTF_BAD_TYPE');
  });

  it('map definitions that conflict are OBJ_BAD_MAP', () => {
    // struct { int (*type)[1]; int (*key_size)[8]; int *key; } m SEC(".maps")
    const btf = parseBtf(buildBtf((s) => [
      INT,
      { kind: K.ARRAY, words: [1, 1, 1] }, // [2] int[1]
      { kind: K.PTR, sizeOrType: 2 }, // [3]
      { kind: K.ARRAY, words: [1, 1, 8] }, // [4] int[8]
      { kind: K.PTR, sizeOrType: 4 }, // [5]
      { kind: K.PTR, sizeOrType: 1 }, // [6] int *
      { kind: K.STRUCT, vlen: 3, sizeOrType: 24, words: [s('type'), 3, 0, s('key_size'), 5, 64, s('key'), 6, 128] },
      { name: 'm', kind: K.VAR, sizeOrType: 7, words: [1] },
      { name: '.maps', kind: K.DATASEC, vlen: 1, words: [8, 0, 24] },
    ]));
    expect(code(() => mapDeclarationsFromBtf(btf))).toBe('OBJ_BAD_MAP');
  });
});

describe('.BTF.ext', () => {
  // [1] int, [2] proto, [3] func 'f'; strings 'tc', 'a.c', 'return 0;', '0:1'.
  const strings: Record<string, number> = {};
  const btf = parseBtf(buildBtf((s) => {
    for (const t of ['tc', 'a.c', 'return 0;', '0:1']) strings[t] = s(t);
    return [INT, { kind: K.FUNC_PROTO, sizeOrType: 1 }, { name: 'f', kind: K.FUNC, vlen: 1, sizeOrType: 2 }];
  }));
  const line = (col: number, ln: number): number => (ln << 10) | col;

  it('reads func_info, line_info and CO-RE records, and larger records by their known prefix', () => {
    const ext = parseBtfExt(buildBtfExt({
      funcInfo: [12, strings.tc, 1, 0, 3, 0xdead],
      lineInfo: [16, strings.tc, 2, 0, strings['a.c'], strings['return 0;'], line(5, 7), 8, strings['a.c'], strings['return 0;'], line(2, 8)],
      coreRelo: [16, strings.tc, 1, 16, 1, strings['0:1'], 0],
    }), btf);
    expect(ext.funcInfo).toEqual([{ section: 'tc', records: [{ insnOff: 0, typeId: 3, name: 'f' }] }]);
    expect(ext.lineInfo[0].records[1]).toEqual({ insnOff: 8, fileName: 'a.c', lineText: 'return 0;', line: 8, column: 2 });
    expect(ext.coreRelos[0].records).toEqual([{ insnOff: 16, typeId: 1, accessString: '0:1', kind: 0, kindName: 'FIELD_BYTE_OFFSET' }]);
  });

  it('a 24-byte header has no CO-RE section', () => {
    const ext = parseBtfExt(buildBtfExt({ funcInfo: [8, strings.tc, 1, 0, 3] }, { hdrLen: 24 }), btf);
    expect([ext.funcInfo.length, ext.coreRelos.length]).toEqual([1, 0]);
  });

  it('rejects short records, absurd counts, bad strings, bad types and odd offsets', () => {
    const cases: [Parameters<typeof buildBtfExt>[0], ErrorCode][] = [
      [{ funcInfo: [4, strings.tc, 1, 0] }, 'BTF_EXT_BAD'],
      [{ funcInfo: [8, strings.tc, 0x7fffffff, 0, 3] }, 'BTF_BAD_COUNT'],
      [{ funcInfo: [8, 0x9999, 1, 0, 3] }, 'BTF_BAD_STRING'],
      [{ funcInfo: [8, strings.tc, 1, 0, 77] }, 'BTF_BAD_TYPE'],
      [{ funcInfo: [8, strings.tc, 1, 0, 1] }, 'BTF_EXT_BAD'],
      [{ funcInfo: [8, strings.tc, 1, 4, 3] }, 'BTF_EXT_BAD'],
      [{ lineInfo: [16, strings.tc, 1, 0, 0x9999, strings['a.c'], 0] }, 'BTF_BAD_STRING'],
      [{ coreRelo: [16, strings.tc, 1, 0, 99, strings['0:1'], 0] }, 'BTF_BAD_TYPE'],
      [{ funcInfo: [8, strings.tc] }, 'BTF_RANGE'],
    ];
    for (const [sub, want] of cases) expect(code(() => parseBtfExt(buildBtfExt(sub), btf)), JSON.stringify(sub)).toBe(want);
    expect(code(() => parseBtfExt(buildBtfExt({}, { littleEndian: false }), btf))).toBe('BTF_BAD_HEADER');
  });
});
