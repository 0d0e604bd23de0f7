/**
 * C types as declared in a header, before they become TypeSchema: typedefs are kept as
 * nodes (a schema's int names come from the outermost one) and struct, union and enum
 * types are shared records so that a forward declaration and its later definition are
 * the same type. Sizes follow clang for the BPF target: long and pointers are 8 bytes,
 * every scalar is aligned to its size, long double is 8 bytes, __int128 16.
 */
import type { SourceLoc } from '../../grammars/c-header-ast.js';
import { fail } from '../errors.js';
import type { FieldSchema, TypeSchema } from './schema.js';
import { where } from './header-const-expr.js';

export type CType =
  | { readonly kind: 'void' }
  | { readonly kind: 'int'; readonly name: string; readonly size: number; readonly signed: boolean; readonly bool: boolean }
  | { readonly kind: 'float'; readonly name: string; readonly size: number }
  | { readonly kind: 'pointer'; readonly target: CType }
  /** `length` undefined: `T x[]`, incomplete (a flexible array member, or sized by its initialiser). */
  | { readonly kind: 'array'; readonly element: CType; readonly length: number | undefined }
  | { readonly kind: 'record'; readonly record: RecordType }
  | { readonly kind: 'enum'; readonly enumType: EnumType }
  /** `align` set by `__attribute__((aligned(N)))` on the typedef, which may also lower it. */
  | { readonly kind: 'typedef'; readonly name: string; readonly target: CType; readonly align?: number }
  | { readonly kind: 'function' };

export interface RecordType {
  readonly tag?: string;
  readonly union: boolean;
  /** Filled in when the definition's closing brace is reached; absent while incomplete. */
  layout?: RecordLayout;
}

export interface RecordLayout {
  readonly size: number;
  readonly align: number;
  readonly fields: readonly LaidOutField[];
}

export interface LaidOutField {
  readonly name: string;
  readonly bitOffset: number;
  readonly bitSize: number;
  readonly type: CType;
}

export interface EnumType {
  readonly tag?: string;
  /** Filled in at the definition. */
  layout?: EnumLayout;
}

export interface EnumLayout {
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

/** Base type words in any order to clang's spelling of the type (its BTF INT/FLOAT name). */
export function baseType(words: readonly string[], loc: SourceLoc): CType {
  const count = (w: string): number => words.filter((x) => x === w).length;
  const signed = count('signed');
  const unsigned = count('unsigned');
  const longs = count('long');
  const rest = words.filter((w) => w !== 'signed' && w !== 'unsigned' && w !== 'long');
  const bad = (): never => fail('SCHEMA_SYNTAX', `${where(loc)}: invalid type '${words.join(' ')}'`);
  if (signed + unsigned > 1 || longs > 2) bad();
  const core = rest.join(' ');
  const int = (name: string, size: number, isSigned: boolean): CType => ({ kind: 'int', name, size, signed: isSigned, bool: false });
  const sign = unsigned ? 'unsigned ' : '';
  switch (core) {
    case 'void':
    case '_Bool':
    case 'float':
      if (signed + unsigned + longs > 0) bad();
      if (core === 'void') return { kind: 'void' };
      if (core === '_Bool') return { kind: 'int', name: '_Bool', size: 1, signed: false, bool: true };
      return { kind: 'float', name: 'float', size: 4 };
    case 'double':
      if (signed + unsigned > 0 || longs > 1) bad();
      return { kind: 'float', name: longs ? 'long double' : 'double', size: 8 };
    case 'char':
      if (longs) bad();
      return int(signed ? 'signed char' : unsigned ? 'unsigned char' : 'char', 1, !unsigned);
    case '__int128':
      if (longs) bad();
      return int(`${sign}__int128`, 16, !unsigned);
    case 'short':
    case 'short int':
    case 'int short':
      if (longs) bad();
      return int(`${sign}short`, 2, !unsigned);
    case '':
    case 'int':
      if (longs === 0 && signed + unsigned === 0 && core === '') bad();
      if (longs === 2) return int(`${sign}long long`, 8, !unsigned);
      if (longs === 1) return int(`${sign}long`, 8, !unsigned);
      return int(unsigned ? 'unsigned int' : 'int', 4, !unsigned);
    default:
      return bad();
  }
}

export function stripTypedefs(t: CType): CType {
  let cur = t;
  while (cur.kind === 'typedef') cur = cur.target;
  return cur;
}

export function describe(t: CType): string {
  switch (t.kind) {
    case 'record':
      return `${t.record.union ? 'union' : 'struct'} ${t.record.tag ?? '(anonymous)'}`;
    case 'enum':
      return `enum ${t.enumType.tag ?? '(anonymous)'}`;
    case 'typedef':
    case 'int':
    case 'float':
      return t.name;
    case 'pointer':
      return `${describe(t.target)} *`;
    case 'array':
      return `${describe(t.element)}[${t.length ?? ''}]`;
    default:
      return t.kind;
  }
}

/** Size in bytes; fails for incomplete types, as `sizeof` does in C. */
export function sizeOf(t: CType, loc: SourceLoc): number {
  switch (t.kind) {
    case 'int':
    case 'float':
      return t.size;
    case 'pointer':
      return 8;
    case 'typedef':
      return sizeOf(t.target, loc);
    case 'array':
      if (t.length === undefined) return fail('SCHEMA_UNKNOWN_TYPE', `${where(loc)}: incomplete array type '${describe(t)}' has no size`);
      return t.length * sizeOf(t.element, loc);
    case 'record':
      if (!t.record.layout) return fail('SCHEMA_UNKNOWN_TYPE', `${where(loc)}: '${describe(t)}' is declared but never defined`);
      return t.record.layout.size;
    case 'enum':
      if (!t.enumType.layout) return fail('SCHEMA_UNKNOWN_TYPE', `${where(loc)}: '${describe(t)}' is declared but never defined`);
      return t.enumType.layout.size;
    case 'void':
    case 'function':
      return fail('SCHEMA_SYNTAX', `${where(loc)}: '${t.kind}' has no size here`);
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** Alignment in bytes. */
export function alignOf(t: CType, loc: SourceLoc): number {
  switch (t.kind) {
    case 'typedef':
      return t.align ?? alignOf(t.target, loc);
    case 'array':
      return alignOf(t.element, loc);
    case 'record':
      sizeOf(t, loc);
      return t.record.layout?.align ?? 1;
    default:
      return sizeOf(t, loc);
  }
}

export function isComplete(t: CType): boolean {
  const s = stripTypedefs(t);
  if (s.kind === 'record') return s.record.layout !== undefined;
  if (s.kind === 'enum') return s.enumType.layout !== undefined;
  if (s.kind === 'array') return s.length !== undefined && isComplete(s.element);
  return s.kind !== 'void' && s.kind !== 'function';
}

/** The schema of `t` by the naming rules in schema.ts. */
export function toSchema(t: CType, typedefName?: string): TypeSchema {
  switch (t.kind) {
    case 'typedef':
      return toSchema(t.target, typedefName ?? t.name);
    case 'int':
      return { kind: 'int', name: typedefName ?? t.name, size: t.size, signed: t.signed, bool: t.bool };
    case 'float':
      return { kind: 'float', name: typedefName ?? t.name, size: t.size };
    case 'enum': {
      const name = t.enumType.tag ?? typedefName ?? '';
      const layout = t.enumType.layout;
      if (!layout) return { kind: 'opaque', name, size: 0 };
      return { kind: 'enum', name, size: layout.size, signed: layout.signed, values: layout.values };
    }
    case 'record': {
      const name = t.record.tag ?? typedefName ?? '';
      const layout = t.record.layout;
      if (!layout) return { kind: 'opaque', name, size: 0 };
      const fields: FieldSchema[] = layout.fields.map((f) => ({
        name: f.name, bitOffset: f.bitOffset, bitSize: f.bitSize, type: toSchema(f.type),
      }));
      return { kind: t.record.union ? 'union' : 'struct', name, size: layout.size, fields };
    }
    case 'array': {
      const element = toSchema(t.element);
      const length = t.length ?? 0;
      return { kind: 'array', element, length, size: length * element.size };
    }
    case 'pointer':
      return { kind: 'pointer', size: 8, target: toSchemaName(t.target) };
    case 'void':
      return { kind: 'opaque', name: 'void', size: 0 };
    case 'function':
      return { kind: 'opaque', name: '', size: 0 };
    default: {
      const never: never = t;
      return never;
    }
  }
}

/** The name a pointer's target goes by: a schema's name by the same rules; 'void'; '' for none. */
function toSchemaName(t: CType, typedefName?: string): string {
  switch (t.kind) {
    case 'typedef':
      return toSchemaName(t.target, typedefName ?? t.name);
    case 'int':
    case 'float':
      return typedefName ?? t.name;
    case 'record':
      return t.record.tag ?? typedefName ?? '';
    case 'enum':
      return t.enumType.tag ?? typedefName ?? '';
    case 'void':
      return 'void';
    default:
      return '';
  }
}

export function findMember(t: Extract<CType, { kind: 'record' }>, name: string): { bitOffset: number; bitSize: number; type: CType } | undefined {
  for (const f of t.record.layout?.fields ?? []) {
    if (f.name === name) return f;
    const inner = stripTypedefs(f.type);
    if (f.name === '' && inner.kind === 'record') {
      const found = findMember(inner, name);
      if (found) return { ...found, bitOffset: found.bitOffset + f.bitOffset };
    }
  }
  return undefined;
}

export function memberNames(t: CType): string[] {
  const s = stripTypedefs(t);
  if (s.kind !== 'record') return [];
  return (s.record.layout?.fields ?? []).flatMap((f) => (f.name === '' ? memberNames(f.type) : [f.name]));
}

/** clang's choice of an enum's integer type: int-sized unless a value needs 64 bits; packed takes the smallest. */
export function enumStorage(values: readonly bigint[], packed: boolean): { size: number; signed: boolean } {
  const signed = values.some((v) => v < 0n);
  const fitsIn = (bytes: number): boolean =>
    values.every((v) => (signed ? BigInt.asIntN(bytes * 8, v) === v : BigInt.asUintN(bytes * 8, v) === v));
  for (const size of packed ? [1, 2, 4, 8] : [4, 8]) if (fitsIn(size)) return { size, signed };
  return { size: 8, signed };
}

