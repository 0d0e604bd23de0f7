import { fail } from '../errors.js';
import type { MapDeclaration } from '../object/map-declaration.js';
import { MapType, mapTypeName } from '../object/map-types.js';
import type { TypeSchema } from '../object/schema.js';
import { resolveSize, skipModsAndTypedefs, typeById } from './resolve.js';
import { schemaOf } from './schema.js';
import type { Btf, BtfMember, BtfRecord, BtfType } from './types.js';

/**
 * BTF-defined maps: the VARs of DATASEC `.maps`, each a struct whose members encode the
 * map's attributes in their types (reference §6.4, libbpf's parse_btf_map_def):
 * `__uint(f, N)` is `int (*f)[N]`, `__type(f, T)` is `T *f`, `__ulong(f, V)` a one-value
 * enum, `__array(values, T)` a zero-length array of `T *`.
 *
 * Definitions that BTF can carry but a loader would refuse (conflicting sizes, `values`
 * not last, an inner map with its own `values`) fail with OBJ_BAD_MAP; malformed BTF
 * fails with the BTF_* codes of the walk that met it.
 */
export interface BtfMapDefinition {
  readonly declaration: MapDeclaration;
  /** The VAR's type id and linkage (libbpf accepts only global maps). */
  readonly varId: number;
  readonly linkage: number;
  /** The secinfo offset in effect, the raw one, and the secinfo size. */
  readonly offset: number;
  readonly rawOffset: number;
  readonly size: number;
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /**
   * Byte offset of the `values` member in the definition, from which `.rel.maps`
   * relocations become slot indexes: (r_offset - map offset - valuesOffset) / 8.
   */
  readonly valuesOffset?: number;
}

export function btfMapDefinitions(btf: Btf): BtfMapDefinition[] {
  const out: BtfMapDefinition[] = [];
  for (const sec of btf.types) {
    if (sec.kind !== 'datasec' || sec.name !== '.maps') continue;
    for (const v of sec.vars) {
      const vt = typeById(btf, v.type);
      if (vt.kind !== 'var') fail('OBJ_BAD_MAP', `.maps entry [${v.type}] is a ${vt.kind}, not a variable`);
      const def = skipModsAndTypedefs(btf, vt.type);
      if (def.kind !== 'struct') fail('OBJ_BAD_MAP', `map '${vt.name}': definition is a ${def.kind}, not a struct`);
      const parsed = parseMapDef(btf, vt.name, def, false);
      out.push({
        declaration: parsed.declaration,
        varId: vt.id,
        linkage: vt.linkage,
        offset: v.offset,
        rawOffset: v.rawOffset,
        size: v.size,
        ...(parsed.keyTypeId !== undefined && { keyTypeId: parsed.keyTypeId }),
        ...(parsed.valueTypeId !== undefined && { valueTypeId: parsed.valueTypeId }),
        ...(parsed.valuesOffset !== undefined && { valuesOffset: parsed.valuesOffset }),
      });
    }
  }
  return out;
}

export function mapDeclarationsFromBtf(btf: Btf): MapDeclaration[] {
  return btfMapDefinitions(btf).map((d) => d.declaration);
}

interface ParsedDef {
  readonly declaration: MapDeclaration;
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  readonly valuesOffset?: number;
}

interface TypedPart { readonly typeId: number; readonly size: number; readonly schema: TypeSchema }

const UINT_FIELDS = ['type', 'max_entries', 'map_flags', 'numa_node', 'key_size', 'value_size', 'pinning'] as const;
type UintField = (typeof UINT_FIELDS)[number];

function parseMapDef(btf: Btf, name: string, def: BtfRecord, isInner: boolean): ParsedDef {
  const ints = new Map<UintField, number>();
  let key: TypedPart | undefined;
  let value: TypedPart | undefined;
  let mapExtra = 0n;
  let values: { readonly member: BtfMember; readonly index: number } | undefined;
  def.members.forEach((m, index) => {
    if ((UINT_FIELDS as readonly string[]).includes(m.name)) {
      ints.set(m.name as UintField, uintField(btf, name, m));
    } else if (m.name === 'key' || m.name === 'value') {
      const part = typedField(btf, name, m);
      if (m.name === 'key') key = part;
      else value = part;
    } else if (m.name === 'map_extra') {
      mapExtra = longField(btf, name, m);
    } else if (m.name === 'values') {
      values = { member: m, index };
    }
    // Other names are ignored, as libbpf does outside its strict mode.
  });

  const type = ints.get('type');
  if (type === undefined) fail('OBJ_BAD_MAP', `map '${name}': no 'type' member`);
  const keySize = agreeingSize(name, 'key', ints.get('key_size'), key);
  let valueSize = agreeingSize(name, 'value', ints.get('value_size'), value);
  const pinning = ints.get('pinning') ?? 0;
  let inner: MapDeclaration | undefined;
  if (values) {
    if (isInner) fail('OBJ_BAD_MAP', `map '${name}': an inner map cannot have 'values' itself`);
    if (values.index !== def.members.length - 1) fail('OBJ_BAD_MAP', `map '${name}': 'values' must be the last member`);
    const isMapInMap = type === MapType.ARRAY_OF_MAPS || type === MapType.HASH_OF_MAPS;
    if (!isMapInMap && type !== MapType.PROG_ARRAY) {
      fail('OBJ_BAD_MAP', `map '${name}': 'values' needs a map-in-map or prog_array, not ${mapTypeName(type)}`);
    }
    if (valueSize !== 0 && valueSize !== 4) fail('OBJ_BAD_MAP', `map '${name}': value size ${valueSize} conflicts with 'values' (4)`);
    valueSize = 4;
    inner = valuesTemplate(btf, name, values.member, isMapInMap);
  }
  if (isInner && pinning !== 0) fail('OBJ_BAD_MAP', `map '${name}': an inner map cannot be pinned`);
  const declaration: MapDeclaration = {
    name,
    type,
    keySize,
    valueSize,
    maxEntries: ints.get('max_entries') ?? 0,
    flags: ints.get('map_flags') ?? 0,
    pinning,
    numaNode: ints.get('numa_node') ?? 0,
    mapExtra,
    ...(key && { key: key.schema }),
    ...(value && { value: value.schema }),
    ...(inner && { inner }),
    hasValues: values !== undefined,
  };
  return {
    declaration,
    ...(key && { keyTypeId: key.typeId }),
    ...(value && { valueTypeId: value.typeId }),
    ...(values && { valuesOffset: values.member.bitOffset / 8 }),
  };
}

function agreeingSize(map: string, what: string, declared: number | undefined, typed: TypedPart | undefined): number {
  if (declared !== undefined && typed !== undefined && declared !== typed.size) {
    fail('OBJ_BAD_MAP', `map '${map}': ${what}_size ${declared} conflicts with the ${what} type's size ${typed.size}`);
  }
  return typed?.size ?? declared ?? 0;
}

/** `int (*f)[N]`: N is the value. Modifiers and typedefs may wrap the pointer only. */
function uintField(btf: Btf, map: string, m: BtfMember): number {
  const ptr = skipModsAndTypedefs(btf, m.type);
  if (ptr.kind !== 'ptr') fail('OBJ_BAD_MAP', `map '${map}': '${m.name}' is a ${ptr.kind}, not a pointer to an array`);
  const arr = typeById(btf, ptr.type);
  if (arr.kind !== 'array') fail('OBJ_BAD_MAP', `map '${map}': '${m.name}' points to a ${arr.kind}, not an array`);
  return arr.nelems;
}

/** `__uint(map_extra, N)`, or `__ulong(map_extra, V)`: an enum with exactly one value. */
function longField(btf: Btf, map: string, m: BtfMember): bigint {
  const t = skipModsAndTypedefs(btf, m.type);
  if (t.kind === 'ptr') return BigInt(uintField(btf, map, m));
  if ((t.kind === 'enum' || t.kind === 'enum64') && t.values.length === 1) {
    return BigInt.asUintN(64, t.values[0].value);
  }
  return fail('OBJ_BAD_MAP', `map '${map}': '${m.name}' is neither a pointer to an array nor a one-value enum`);
}

/** `T *f`: the member must be the pointer itself. */
function typedField(btf: Btf, map: string, m: BtfMember): TypedPart {
  const ptr = typeById(btf, m.type);
  if (ptr.kind !== 'ptr') fail('OBJ_BAD_MAP', `map '${map}': '${m.name}' is a ${ptr.kind}, not a pointer`);
  return { typeId: ptr.type, size: resolveSize(btf, ptr.type), schema: schemaOf(btf, ptr.type) };
}

/** `T *values[]`: an inner map definition, or a FUNC_PROTO for a prog_array. */
function valuesTemplate(btf: Btf, map: string, m: BtfMember, isMapInMap: boolean): MapDeclaration | undefined {
  const arr = typeById(btf, m.type);
  if (arr.kind !== 'array' || arr.nelems !== 0) {
    fail('OBJ_BAD_MAP', `map '${map}': 'values' is not a zero-length array`);
  }
  const ptr = skipModsAndTypedefs(btf, arr.type);
  if (ptr.kind !== 'ptr') fail('OBJ_BAD_MAP', `map '${map}': 'values' elements are ${ptr.kind}, not pointers`);
  const target: BtfType = skipModsAndTypedefs(btf, ptr.type);
  if (!isMapInMap) {
    if (target.kind !== 'func_proto') fail('OBJ_BAD_MAP', `map '${map}': prog_array 'values' point to a ${target.kind}, not a function`);
    return undefined;
  }
  if (target.kind !== 'struct') fail('OBJ_BAD_MAP', `map '${map}': inner map definition is a ${target.kind}, not a struct`);
  return parseMapDef(btf, `${map}.inner`, target, true).declaration;
}
