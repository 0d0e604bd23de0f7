/**
 * BTF-defined maps: what maps.c declares (the numbers written in its source), what the
 * BTF says per bpftool's reading of it (every corpus object too), the sizes the compiler
 * gave the key and value types (DWARF), and where `.rel.maps` puts initial slots.
 */
import { describe, expect, it } from 'vitest';
import { btfMapDefinitions, mapDeclarationsFromBtf } from '../../src/btf/maps.js';
import { parseBtf } from '../../src/btf/parse.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import { corpusObjects, hasTool, objectsWithBtf, probeObjects } from './helpers/objects.js';
import { bpftoolTypes, dieName, dieNumber, diesByOffset, dwarfDies, readelfRelocations, readelfSymbols, type JsonType } from './helpers/peers.js';

const objects = objectsWithBtf([...probeObjects(), ...corpusObjects()]);
const missing = ['bpftool', 'llvm-readelf', 'llvm-dwarfdump'].filter((t) => !hasTool(t));

const U32 = { kind: 'int', name: '__u32', size: 4, signed: false, bool: false };

/** maps.c, as written. */
// Partial shapes for toMatchObject (a nested schema lists only the fields that matter).
const MAPS_C: Record<string, Record<string, unknown>> = {
  flows: {
    type: 1, maxEntries: 1024, flags: 1, keySize: 16, valueSize: 24, pinning: 0, hasValues: false,
    key: { kind: 'struct', name: 'flow_key', size: 16 }, value: { kind: 'struct', name: 'flow_val', size: 24 },
  },
  sized_only: { type: 2, maxEntries: 4, keySize: 4, valueSize: 24, key: undefined, value: undefined },
  blocklist: {
    type: 11, maxEntries: 256, keySize: 8, valueSize: 4, flags: 1, pinning: 1,
    key: { kind: 'struct', name: 'lpm_v4', size: 8 }, value: U32,
  },
  percpu: {
    type: 5, maxEntries: 64, keySize: 4, valueSize: 32, numaNode: 1, key: U32,
    value: { kind: 'array', length: 4, size: 32, element: { kind: 'int', name: '__u64', size: 8, signed: false, bool: false } },
  },
  events: { type: 4, maxEntries: 0, keySize: 4, valueSize: 4, key: undefined, value: undefined },
  ring: { type: 27, maxEntries: 65536, keySize: 0, valueSize: 0 },
  bloom: { type: 30, maxEntries: 100, keySize: 0, valueSize: 4, mapExtra: 3n, value: U32 },
  inner1: { type: 2, maxEntries: 8, keySize: 4, valueSize: 8, key: U32 },
  inner2: { type: 2, maxEntries: 8, keySize: 4, valueSize: 8 },
  outer_arr: {
    type: 12, maxEntries: 4, keySize: 4, valueSize: 4, hasValues: true, value: undefined,
    inner: expect.objectContaining({ name: 'outer_arr.inner', type: 2, maxEntries: 8, keySize: 4, valueSize: 8, hasValues: false }),
  },
  outer_hash: {
    type: 13, maxEntries: 16, keySize: 4, valueSize: 4, hasValues: true,
    inner: expect.objectContaining({ name: 'outer_hash.inner', type: 9, maxEntries: 32, keySize: 16, valueSize: 8 }),
  },
  jumps: { type: 3, maxEntries: 8, keySize: 4, valueSize: 4, hasValues: true, inner: undefined },
  ports: { type: 14, maxEntries: 2, keySize: 4, valueSize: 4 },
};

/** The numbers map-extra-enum.c writes as enums. */
const MAP_EXTRA_ENUM_C: Record<string, Partial<MapDeclaration>> = {
  bloom_enum: { type: 30, maxEntries: 10, valueSize: 8, mapExtra: 5n },
  arena: { type: 33, maxEntries: 4, flags: 0x400, mapExtra: 0x100000000n },
};

const UINT_FIELDS: Record<string, keyof MapDeclaration> = {
  type: 'type', max_entries: 'maxEntries', map_flags: 'flags', numa_node: 'numaNode',
  key_size: 'keySize', value_size: 'valueSize', pinning: 'pinning',
};

/** Follow bpftool's JSON through typedefs and qualifiers. */
function strip(types: Map<number, JsonType>, id: number): JsonType {
  let t = types.get(id)!;
  while (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) t = types.get(t.type_id as number)!;
  return t;
}

describe('maps from BTF', () => {
  if (missing.length > 0) {
    console.log(`SKIP: ${missing.join(', ')} missing; map peer tests are not run`);
    return;
  }
  let checkedFields = 0;

  it.each(objects.map((o) => [o.obj.label, o] as const))('%s agrees with bpftool', (_label, { obj, btf: bytes }) => {
    const btf = parseBtf(bytes);
    const defs = btfMapDefinitions(btf);
    const json = bpftoolTypes(obj.path);
    const mapsSec = [...json.values()].find((t) => t.kind === 'DATASEC' && t.name === '.maps');
    const vars = (mapsSec?.vars ?? []) as { type_id: number; offset: number; size: number }[];
    expect(defs.map((d) => d.declaration.name)).toEqual(vars.map((v) => json.get(v.type_id)!.name));
    defs.forEach((d, i) => {
      expect([d.varId, d.rawOffset, d.size]).toEqual([vars[i].type_id, vars[i].offset, vars[i].size]);
      const members = strip(json, json.get(d.varId)!.type_id as number).members as { name: string; type_id: number; bits_offset: number }[];
      for (const m of members) {
        const field = UINT_FIELDS[m.name];
        if (field) {
          // __uint(f, N): PTR -> ARRAY with nr_elems N.
          const arr = json.get(strip(json, m.type_id).type_id as number)!;
          expect(arr.kind).toBe('ARRAY');
          expect(d.declaration[field], `${d.declaration.name}.${m.name}`).toBe(arr.nr_elems);
          checkedFields++;
        }
        if (m.name === 'key' || m.name === 'value') {
          expect(json.get(m.type_id)!.kind).toBe('PTR');
          expect(m.name === 'key' ? d.keyTypeId : d.valueTypeId).toBe(json.get(m.type_id)!.type_id);
          checkedFields++;
        }
        if (m.name === 'values') {
          expect(d.valuesOffset).toBe(m.bits_offset / 8);
          expect(d.declaration.hasValues).toBe(true);
          checkedFields++;
        }
      }
    });
    expect(mapDeclarationsFromBtf(btf)).toEqual(defs.map((d) => d.declaration));
  });

  const mapsProbes = objects.filter((o) => o.obj.probe?.source === 'maps.c');
  it.each(mapsProbes.map((o) => [o.obj.label, o] as const))('%s declares what maps.c says', (_label, { obj, btf: bytes }) => {
    const btf = parseBtf(bytes);
    const decls = new Map(mapDeclarationsFromBtf(btf).map((d) => [d.name, d]));
    expect([...decls.keys()].sort()).toEqual(Object.keys(MAPS_C).sort());
    for (const [name, want] of Object.entries(MAPS_C)) {
      const decl = decls.get(name) as unknown as Record<string, unknown>;
      const present = Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined));
      expect(decl, name).toMatchObject(present);
      // `key: undefined` in the table means the declaration has no such layout at all.
      for (const [k, v] of Object.entries(want)) if (v === undefined) expect(decl[k], `${name}.${k}`).toBeUndefined();
    }

    // Key and value sizes are the sizes the compiler gave those structs.
    const dies = [...diesByOffset(dwarfDies(obj.path)).values()];
    for (const d of decls.values()) {
      for (const s of [d.key, d.value]) {
        if (s?.kind !== 'struct') continue;
        const die = dies.find((x) => x.tag === 'DW_TAG_structure_type' && dieName(x) === s.name && x.attrs.has('DW_AT_byte_size'));
        expect(s.size).toBe(dieNumber(die!, 'DW_AT_byte_size'));
      }
    }

    // .rel.maps: each relocation lands in a `values` slot; slot = (r_offset - the map
    // symbol's offset - valuesOffset) / 8, and the slots are the ones maps.c initialises.
    const defs = btfMapDefinitions(btf);
    const symbols = readelfSymbols(obj.path).filter((s) => s.section === '.maps');
    const slots = readelfRelocations(obj.path, '.rel.maps').map((r) => {
      const owner = symbols.find((s) => s.value <= r.offset && r.offset < s.value + s.size)!;
      const def = defs.find((x) => x.declaration.name === owner.name)!;
      return `${owner.name}[${(r.offset - owner.value - def.valuesOffset!) / 8}] = ${r.symbol}`;
    });
    expect(slots.sort()).toEqual(['jumps[1] = tail_a', 'jumps[3] = tail_b', 'outer_arr[0] = inner1', 'outer_arr[2] = inner2']);
  });

  const enumProbes = objects.filter((o) => o.obj.probe?.source === 'map-extra-enum.c');
  it.each(enumProbes.map((o) => [o.obj.label, o] as const))('%s reads map_extra enums', (_label, { obj, btf: bytes }) => {
    const decls = new Map(mapDeclarationsFromBtf(parseBtf(bytes)).map((d) => [d.name, d]));
    const want = Object.entries(MAP_EXTRA_ENUM_C).filter(([name]) => name !== 'arena' || obj.probe?.compiler !== 'clang-14');
    expect([...decls.keys()].sort()).toEqual(want.map(([n]) => n).sort());
    for (const [name, w] of want) expect(decls.get(name), name).toMatchObject(w);
  });

  it('checked a real number of map fields', () => {
    console.log(`maps: ${checkedFields} map definition fields checked against bpftool`);
    expect(mapsProbes.length).toBe(4);
    expect(checkedFields).toBeGreaterThan(200);
  });
});
