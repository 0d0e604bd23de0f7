/**
 * Map declarations in a header, read the way the loaders read them from an object:
 * a variable in `.maps` by libbpf's rules for BTF-defined maps (parse_btf_map_def,
 * strict mode: unknown members are errors), a variable in `maps` as a legacy
 * definition struct, libbpf's `bpf_map_def` or iproute2's `bpf_elf_map`, by member name.
 */
import type { Expr, Initializer, SourceLoc } from '../../grammars/c-header-ast.js';
import { fail } from '../errors.js';
import { where, type CInt } from './header-const-expr.js';
import { sizeOf, stripTypedefs, toSchema, type CType, type LaidOutField } from './header-ctypes.js';
import type { DeclaredVariable } from './header-declarations.js';
import type { MapDeclaration } from './map-declaration.js';
import { MapType } from './map-types.js';
import type { TypeSchema } from './schema.js';

/** An initial slot of a PROG_ARRAY or map-in-map: `[index] = &target`. */
export interface MapSlot {
  readonly index: number;
  readonly target: string;
}

export interface DecodedMap {
  readonly declaration: MapDeclaration;
  readonly slots: readonly MapSlot[];
}

/** What decoding needs from the declarations: constant values and `sizeof(type)` operands. */
export interface MapExpressions {
  evaluate(e: Expr): CInt;
  sizeofTypeOperand(e: Expr): CType | undefined;
}

function bad(loc: SourceLoc, map: string, what: string): never {
  return fail('SCHEMA_BAD_MAP', `${where(loc)}: map '${map}': ${what}`);
}

const U32_FIELDS = ['type', 'max_entries', 'map_flags', 'numa_node', 'key_size', 'value_size', 'pinning'] as const;

/** A map declared libbpf's way: `struct { __uint(type, ...); ... } name SEC(".maps");`. */
export function decodeBtfMap(v: DeclaredVariable, exprs: MapExpressions): DecodedMap {
  if (v.storage.includes('static')) bad(v.loc, v.name, 'static maps are not supported by libbpf (linkage must be global)');
  const declaration = decodeBtfDefinition(v.name, v.type, v.loc, false);
  const slots = v.initializer ? initialSlots(v, declaration, exprs) : [];
  return { declaration, slots };
}

function decodeBtfDefinition(name: string, type: CType, loc: SourceLoc, inner: boolean): MapDeclaration {
  const t = stripTypedefs(type);
  if (t.kind !== 'record' || t.record.union || !t.record.layout) return bad(loc, name, 'a map definition must be a struct');
  const ints = new Map<string, number>();
  let key: CType | undefined;
  let value: CType | undefined;
  let keySize = 0;
  let valueSize = 0;
  let mapExtra = 0n;
  let innerMap: MapDeclaration | undefined;
  let hasValues = false;
  const fields = t.record.layout.fields;
  fields.forEach((f, i) => {
    const member = (what: string): never => bad(loc, name, `member '${f.name}': ${what}`);
    if ((U32_FIELDS as readonly string[]).includes(f.name)) {
      const n = arrayLengthBehindPointer(f) ?? member('expected __uint(), a pointer to an array');
      if (f.name === 'key_size' || f.name === 'value_size') {
        const was = f.name === 'key_size' ? keySize : valueSize;
        if (was && was !== n) member(`conflicts with the size ${was} of the declared type`);
        if (f.name === 'key_size') keySize = n;
        else valueSize = n;
      }
      ints.set(f.name, n);
      return;
    }
    switch (f.name) {
      case 'key':
      case 'value': {
        const p = stripTypedefs(f.type);
        if (p.kind !== 'pointer') return member('expected __type(), a pointer');
        const size = sizeOf(p.target, loc);
        const was = f.name === 'key' ? keySize : valueSize;
        if (was && was !== size) member(`type size ${size} conflicts with the declared size ${was}`);
        if (f.name === 'key') [key, keySize] = [p.target, size];
        else [value, valueSize] = [p.target, size];
        return;
      }
      case 'map_extra': {
        const s = stripTypedefs(f.type);
        const single = s.kind === 'enum' && s.enumType.layout?.values.length === 1 ? s.enumType.layout.values[0].value : undefined;
        const n = single ?? arrayLengthBehindPointer(f);
        if (n === undefined) return member('expected __ulong() or __uint()');
        mapExtra = BigInt.asUintN(64, BigInt(n));
        return;
      }
      case 'values': {
        if (inner) member('an inner map cannot have values');
        if (i !== fields.length - 1) member('must be the last member');
        const mapType = ints.get('type');
        const isProgArray = mapType === MapType.PROG_ARRAY;
        const isMapInMap = mapType === MapType.ARRAY_OF_MAPS || mapType === MapType.HASH_OF_MAPS;
        if (!isProgArray && !isMapInMap) member('only a map-in-map or a prog array can have values');
        if (valueSize && valueSize !== 4) member(`value size must be 4, not ${valueSize}`);
        valueSize = 4;
        const arr = stripTypedefs(f.type);
        if (arr.kind !== 'array' || (arr.length ?? 0) !== 0) return member('expected __array(), an array of pointers with no length');
        const ptr = stripTypedefs(arr.element);
        if (ptr.kind !== 'pointer') return member('expected an array of pointers');
        const target = stripTypedefs(ptr.target);
        if (isProgArray) {
          if (target.kind !== 'function') member('a prog array needs function prototypes as values');
        } else {
          if (target.kind !== 'record' || target.record.union) member('a map-in-map needs an inner map struct as values');
          innerMap = decodeBtfDefinition(`${name}.inner`, target, loc, true);
        }
        hasValues = true;
        return;
      }
      default:
        member('unknown map attribute');
    }
  });
  const mapType = ints.get('type');
  if (mapType === undefined || mapType === 0) bad(loc, name, 'map type is missing');
  const pinning = ints.get('pinning') ?? 0;
  if (inner && pinning) bad(loc, name, 'an inner map cannot be pinned');
  if (pinning > 1) bad(loc, name, `pinning ${pinning} is neither LIBBPF_PIN_NONE nor LIBBPF_PIN_BY_NAME`);
  return {
    name, type: mapType, keySize, valueSize,
    maxEntries: ints.get('max_entries') ?? 0,
    flags: ints.get('map_flags') ?? 0,
    pinning,
    numaNode: ints.get('numa_node') ?? 0,
    mapExtra,
    ...(key ? { key: toSchema(key) } : {}),
    ...(value ? { value: toSchema(value) } : {}),
    ...(innerMap ? { inner: innerMap } : {}),
    hasValues,
  };
}

/** `int (*name)[N]` gives N, as libbpf's get_map_field_int reads it; no typedef between the pointer and the array. */
function arrayLengthBehindPointer(f: LaidOutField): number | undefined {
  const p = stripTypedefs(f.type);
  if (p.kind !== 'pointer' || p.target.kind !== 'array') return undefined;
  return p.target.length ?? 0;
}

/** `= { .values = { [1] = &prog, [2] = (void *)&other } }`. */
function initialSlots(v: DeclaredVariable, decl: MapDeclaration, exprs: MapExpressions): MapSlot[] {
  const init = v.initializer as Initializer;
  if (init.kind !== 'list') return bad(init.loc, v.name, 'a map initializer must be a { .values = ... } list');
  const slots: MapSlot[] = [];
  for (const item of init.items) {
    const d = item.designators;
    if (d.length !== 1 || d[0].kind !== 'field' || d[0].name !== 'values') bad(init.loc, v.name, 'only .values can be initialized');
    if (!decl.hasValues) bad(init.loc, v.name, '.values is initialized but not declared');
    if (item.value.kind !== 'list') return bad(item.value.loc, v.name, '.values must be a list');
    let index = 0;
    for (const slot of item.value.items) {
      const sd = slot.designators;
      if (sd.length > 1 || sd[0]?.kind === 'field') bad(item.value.loc, v.name, 'values are set by [index] = &name');
      if (sd[0]?.kind === 'index') index = Number(exprs.evaluate(sd[0].index).value);
      // `(void *)&prog` is as common as `&prog`: a cast changes nothing about the target.
      let e = slot.value.kind === 'expr' ? slot.value.expr : undefined;
      while (e?.kind === 'cast') e = e.operand;
      const target = e?.kind === 'unary' && e.op === '&' ? e.operand : e;
      if (target?.kind !== 'ident') return bad(slot.value.loc, v.name, 'a value must be &name of a program or map');
      if (index < 0 || index >= decl.maxEntries) bad(slot.value.loc, v.name, `slot ${index} is outside max_entries ${decl.maxEntries}`);
      slots.push({ index, target: target.name });
      index++;
    }
  }
  return slots;
}

/** A legacy definition's fields as the loaders read them, plus iproute2's map-in-map links. */
export interface LegacyMap {
  readonly declaration: MapDeclaration;
  readonly id?: number;
  readonly innerId?: number;
  readonly innerIdx?: number;
}

const LEGACY_ALIASES: Readonly<Record<string, string>> = {
  size_key: 'key_size', size_value: 'value_size', max_elem: 'max_entries', flags: 'map_flags',
};

/** `struct bpf_map_def SEC("maps") m = { .type = ..., .key_size = sizeof(k), ... }`. */
export function decodeLegacyMap(v: DeclaredVariable, exprs: MapExpressions): LegacyMap {
  const t = stripTypedefs(v.type);
  if (t.kind !== 'record' || t.record.union || !t.record.layout) return bad(v.loc, v.name, 'a legacy map definition must be a struct');
  const fieldNames = t.record.layout.fields.map((f) => f.name);
  const given = new Map<string, Expr>();
  const init = v.initializer;
  if (init && init.kind !== 'list') bad(init.loc, v.name, 'a legacy map needs a { ... } initializer');
  let position = 0;
  for (const item of init?.kind === 'list' ? init.items : []) {
    const d = item.designators;
    if (d.length > 1 || d[0]?.kind === 'index') bad(init?.loc ?? v.loc, v.name, 'unsupported designator');
    const field = d[0]?.kind === 'field' ? d[0].name : fieldNames[position];
    if (field === undefined || !fieldNames.includes(field)) bad(init?.loc ?? v.loc, v.name, `no member '${field ?? position}' to initialize`);
    position = fieldNames.indexOf(field) + 1;
    if (item.value.kind !== 'expr') bad(item.value.loc, v.name, `member '${field}' must be a number`);
    given.set(LEGACY_ALIASES[field] ?? field, item.value.expr);
  }
  const num = (field: string): number | undefined => {
    const e = given.get(field);
    return e === undefined ? undefined : Number(BigInt.asUintN(32, exprs.evaluate(e).value));
  };
  const schemaOf = (field: string): TypeSchema | undefined => {
    const e = given.get(field);
    const operand = e && exprs.sizeofTypeOperand(e);
    return operand ? toSchema(operand) : undefined;
  };
  const type = num('type');
  if (!type) bad(v.loc, v.name, 'map type is missing');
  const key = schemaOf('key_size');
  const value = schemaOf('value_size');
  const declaration: MapDeclaration = {
    name: v.name, type, keySize: num('key_size') ?? 0, valueSize: num('value_size') ?? 0,
    maxEntries: num('max_entries') ?? 0, flags: num('map_flags') ?? 0, pinning: num('pinning') ?? 0,
    numaNode: num('numa_node') ?? 0, mapExtra: 0n,
    ...(key ? { key } : {}), ...(value ? { value } : {}),
    hasValues: false,
  };
  return { declaration, id: num('id'), innerId: num('inner_id'), innerIdx: given.has('inner_idx') ? num('inner_idx') : undefined };
}
