/**
 * Layouts from BTF against two peers: the compiler's DWARF for the same declarations
 * (struct sizes, member offsets, bitfields, member sizes, typedef naming), and bpftool's
 * JSON reading of the same BTF (every struct and union, named or not).
 */
import { describe, expect, it } from 'vitest';
import { parseBtf } from '../../src/btf/parse.js';
import { resolveSize } from '../../src/btf/resolve.js';
import { schemaOf } from '../../src/btf/schema.js';
import type { Btf } from '../../src/btf/types.js';
import type { TypeSchema } from '../../src/object/schema.js';
import { corpusObjects, elfLittleEndian, hasTool, objectsWithBtf, probeObjects } from './helpers/objects.js';
import {
  bpftoolTypes, dieName, dieNumber, dieRef, diesByOffset, dwarfDies, dwarfTypeSize, type Die,
} from './helpers/peers.js';

const objects = objectsWithBtf([...probeObjects(), ...corpusObjects()]);
const missing = ['llvm-dwarfdump', 'bpftool'].filter((t) => !hasTool(t));

function btfIdByName(btf: Btf, kind: string, name: string): number | undefined {
  return btf.types.find((t) => t.kind === kind && t.name === name)?.id;
}

const CV = new Set(['DW_TAG_const_type', 'DW_TAG_volatile_type', 'DW_TAG_restrict_type', 'DW_TAG_atomic_type']);

/** What the schema naming rules say a typedef's schema is called, worked out on DWARF. */
function expectedTypedefSchema(td: Die, all: Map<number, Die>): { kind: string; name?: string } | undefined {
  let d = dieRef(td, 'DW_AT_type', all);
  while (d && (CV.has(d.tag) || d.tag === 'DW_TAG_typedef')) d = dieRef(d, 'DW_AT_type', all);
  if (!d) return undefined; // typedef of void
  const outer = dieName(td)!;
  switch (d.tag) {
    case 'DW_TAG_base_type': {
      const enc = d.attrs.get('DW_AT_encoding') ?? '';
      return { kind: /float/.test(enc) ? 'float' : 'int', name: outer };
    }
    case 'DW_TAG_structure_type': return { kind: 'struct', name: dieName(d) ?? outer };
    case 'DW_TAG_union_type': return { kind: 'union', name: dieName(d) ?? outer };
    case 'DW_TAG_enumeration_type': return { kind: 'enum', name: dieName(d) ?? outer };
    case 'DW_TAG_pointer_type': return { kind: 'pointer' };
    case 'DW_TAG_array_type': return { kind: 'array' };
    default: return undefined;
  }
}

/**
 * A member's offset in bits from the start of its struct. DWARF 4+ says so directly
 * (DW_AT_data_bit_offset); clang 14 still writes the DWARF 2 form, a byte location plus
 * DW_AT_bit_offset counted from the most significant bit of a DW_AT_byte_size unit.
 */
function dwarfBitOffset(m: Die, littleEndian: boolean): number {
  const direct = dieNumber(m, 'DW_AT_data_bit_offset');
  if (direct !== undefined) return direct;
  const base = 8 * (dieNumber(m, 'DW_AT_data_member_location') ?? 0);
  const msbOffset = dieNumber(m, 'DW_AT_bit_offset');
  if (msbOffset === undefined) return base;
  const unitBits = 8 * dieNumber(m, 'DW_AT_byte_size')!;
  const bits = dieNumber(m, 'DW_AT_bit_size')!;
  return littleEndian ? base + unitBits - msbOffset - bits : base + msbOffset;
}

function nameOf(s: TypeSchema): string | undefined {
  return 'name' in s ? s.name : undefined;
}

describe('TypeSchema layouts against DWARF and bpftool', () => {
  if (missing.length > 0) {
    console.log(`SKIP: ${missing.join(', ')} missing; layout peer tests are not run`);
    return;
  }
  const counts = { dwarfRecords: 0, dwarfMembers: 0, typedefs: 0, jsonRecords: 0, vars: 0 };

  it.each(objects.map((o) => [o.obj.label, o] as const))('%s', (_label, { obj, btf: bytes }) => {
    const btf = parseBtf(bytes);
    const all = diesByOffset(dwarfDies(obj.path));
    const littleEndian = elfLittleEndian(obj.path);

    for (const die of all.values()) {
      // Named struct and union definitions: size, and per member name, bit offset,
      // bitfield width and the size of the member's type.
      if ((die.tag === 'DW_TAG_structure_type' || die.tag === 'DW_TAG_union_type') && dieName(die) &&
          die.attrs.has('DW_AT_byte_size')) {
        const kind = die.tag === 'DW_TAG_structure_type' ? 'struct' : 'union';
        const id = btfIdByName(btf, kind, dieName(die)!);
        if (id === undefined) continue; // not referenced from anything BTF keeps
        const s = schemaOf(btf, id);
        const dwarfMembers = die.children.filter((c) => c.tag === 'DW_TAG_member').map((m) => ({
          name: dieName(m) ?? '',
          bitOffset: dwarfBitOffset(m, littleEndian),
          bitSize: dieNumber(m, 'DW_AT_bit_size') ?? 0,
          typeSize: dwarfTypeSize(dieRef(m, 'DW_AT_type', all), all),
        }));
        expect(s.kind).toBe(kind);
        if (s.kind !== 'struct' && s.kind !== 'union') continue;
        expect({ name: s.name, size: s.size }).toEqual({ name: dieName(die), size: dieNumber(die, 'DW_AT_byte_size') });
        expect(s.fields.map((f) => ({ name: f.name, bitOffset: f.bitOffset, bitSize: f.bitSize, typeSize: f.type.size })),
          `struct ${s.name}`).toEqual(dwarfMembers);
        counts.dwarfRecords++;
        counts.dwarfMembers += dwarfMembers.length;
      }
      // Typedefs: the outermost typedef names ints, floats and untagged records/enums.
      if (die.tag === 'DW_TAG_typedef') {
        const id = btfIdByName(btf, 'typedef', dieName(die)!);
        const want = expectedTypedefSchema(die, all);
        if (id === undefined || want === undefined) continue;
        const s = schemaOf(btf, id);
        expect({ kind: s.kind, name: nameOf(s) }, `typedef ${dieName(die)}`).toEqual({ kind: want.kind, name: want.name });
        expect(s.size).toBe(dwarfTypeSize(die, all));
        counts.typedefs++;
      }
    }

    // bpftool's reading of every struct and union, anonymous ones included.
    for (const t of bpftoolTypes(obj.path).values()) {
      if (t.kind !== 'STRUCT' && t.kind !== 'UNION') continue;
      const s = schemaOf(btf, t.id);
      if (s.kind !== 'struct' && s.kind !== 'union') throw new Error(`type ${t.id} is not a record schema`);
      const members = t.members as { name: string; bits_offset: number; bitfield_size?: number }[];
      expect({ size: s.size, fields: s.fields.map((f) => [f.name, f.bitOffset, f.bitSize]) }).toEqual({
        size: t.size,
        fields: members.map((m) => [m.name === '(anon)' ? '' : m.name, m.bits_offset, m.bitfield_size ?? 0]),
      });
      counts.jsonRecords++;
    }

    // Every VAR: resolveSize and the schema's size equal the size the compiler put in
    // the DATASEC entry.
    for (const t of bpftoolTypes(obj.path).values()) {
      if (t.kind !== 'DATASEC') continue;
      for (const v of t.vars as { type_id: number; size: number }[]) {
        if (btf.types[v.type_id].kind !== 'var') continue;
        const size = resolveSize(btf, v.type_id);
        expect(schemaOf(btf, v.type_id).size).toBe(size);
        if (size !== v.size) {
          // A statically initialised flexible array (map-in-map `values`) makes the
          // variable larger than its type: only then may the two differ.
          const s = schemaOf(btf, v.type_id);
          const last = s.kind === 'struct' ? s.fields.at(-1)?.type : undefined;
          expect(last?.kind === 'array' && last.length === 0 && v.size > size, `var [${v.type_id}] size ${v.size}`).toBe(true);
        }
        counts.vars++;
      }
    }
  });

  it('compared a real number of layouts', () => {
    console.log(`layouts: ${counts.dwarfRecords} named records with ${counts.dwarfMembers} members and ` +
      `${counts.typedefs} typedefs against DWARF; ${counts.jsonRecords} records against bpftool; ${counts.vars} var sizes`);
    expect(counts.dwarfRecords).toBeGreaterThan(50);
    expect(counts.typedefs).toBeGreaterThan(50);
    expect(counts.vars).toBeGreaterThan(50);
  });
});
