/**
 * Key and value layouts of maps and globals, as far as policy needs them. Produced from
 * BTF (src/btf/schema.ts) and from C headers (src/object/header-schema.ts), and the two
 * must give equal values for the same declarations, so the rules for names are fixed:
 *
 * - const, volatile, restrict and type tags are dropped.
 * - `name` of an int or float is the outermost typedef name when there is one
 *   (`__u32`, `__be16`), else the C base name (`unsigned int`).
 * - `name` of a struct, union or enum is its tag, or when it has no tag the outermost
 *   typedef name, or '' when it has neither.
 * - sizes are in bytes, offsets of fields in bits from the start of the enclosing type.
 */
export type TypeSchema =
  | IntSchema
  | FloatSchema
  | EnumSchema
  | ArraySchema
  | RecordSchema
  | PointerSchema
  | OpaqueSchema;

export interface IntSchema {
  readonly kind: 'int';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  /** `_Bool`, or a typedef of it. */
  readonly bool: boolean;
}

export interface FloatSchema {
  readonly kind: 'float';
  readonly name: string;
  readonly size: number;
}

export interface EnumSchema {
  readonly kind: 'enum';
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

export interface ArraySchema {
  readonly kind: 'array';
  readonly element: TypeSchema;
  readonly length: number;
  readonly size: number;
}

export interface RecordSchema {
  readonly kind: 'struct' | 'union';
  readonly name: string;
  readonly size: number;
  readonly fields: readonly FieldSchema[];
}

/** Pointers only appear in map definitions and kernel structs; 8 bytes on BPF. */
export interface PointerSchema {
  readonly kind: 'pointer';
  readonly size: 8;
  /** The pointed-to type's name as far as it is known ('void' for void *). */
  readonly target: string;
}

/** A type whose layout is not known: a forward declaration, or sizes-only data. */
export interface OpaqueSchema {
  readonly kind: 'opaque';
  readonly name: string;
  readonly size: number;
}

export interface FieldSchema {
  /** '' for an anonymous struct or union member. */
  readonly name: string;
  /** Bits from the start of the enclosing struct or union. */
  readonly bitOffset: number;
  /** 0 for an ordinary member; the width for a bitfield. */
  readonly bitSize: number;
  readonly type: TypeSchema;
}

/** Addresses and ports in eBPF maps are stored in network order under these typedefs. */
export function isNetworkOrder(t: TypeSchema): boolean {
  return t.kind === 'int' && /^__be(16|32|64)$/.test(t.name);
}

/** Raw bytes of a known size, for objects without BTF and without a schema header. */
export function opaqueBytes(size: number): OpaqueSchema {
  return { kind: 'opaque', name: '', size };
}
