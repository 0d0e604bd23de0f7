/**
 * The data model of a parsed `.BTF` section (reference/ebpf-object.md §6, kernel
 * Documentation/bpf/btf.rst). Plain immutable records: one discriminated union member per
 * BTF kind, with names already resolved from the string section and every referenced
 * type id known to be in range.
 *
 * Type ids index `Btf.types` directly: `types[0]` is the implicit `void`.
 */

export interface BtfHeader {
  readonly version: number;
  readonly flags: number;
  /** 24 for clang today; 32 or more when the newer layout fields are present. */
  readonly hdrLen: number;
  /** Offsets relative to the end of the header, as in the file. */
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
  /** The kind-layout sub-section of hdr_len >= 32 headers; 0/0 when absent. */
  readonly layoutOff: number;
  readonly layoutLen: number;
}

export interface Btf {
  readonly littleEndian: boolean;
  readonly header: BtfHeader;
  /** Index = type id; index 0 is void. */
  readonly types: readonly BtfType[];
  /**
   * The string sub-section, kept so that `.BTF.ext` (whose string offsets point here)
   * can be resolved later with `btfString`.
   */
  readonly strings: Uint8Array;
}

/** The numeric kind (bits 24.. of `info`) of each kind name. */
export const BTF_KIND = {
  void: 0, int: 1, ptr: 2, array: 3, struct: 4, union: 5, enum: 6, fwd: 7, typedef: 8,
  volatile: 9, const: 10, restrict: 11, func: 12, func_proto: 13, var: 14, datasec: 15,
  float: 16, decl_tag: 17, type_tag: 18, enum64: 19,
} as const;

export type BtfKindName = keyof typeof BTF_KIND;

/** `BTF_INT_*` encoding bits. */
export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;

/** FUNC linkage (the FUNC's vlen) and VAR linkage (`btf_var.linkage`) share values. */
export const LINKAGE_STATIC = 0;
export const LINKAGE_GLOBAL = 1;
export const LINKAGE_EXTERN = 2;

interface Common {
  readonly id: number;
  /** '' for anonymous types. */
  readonly name: string;
}

export interface BtfVoid extends Common { readonly kind: 'void' }

export interface BtfInt extends Common {
  readonly kind: 'int';
  readonly size: number;
  /** Raw encoding bits: INT_SIGNED | INT_CHAR | INT_BOOL. */
  readonly encoding: number;
  readonly bitOffset: number;
  readonly bits: number;
}

export interface BtfPtr extends Common { readonly kind: 'ptr'; readonly type: number }

export interface BtfArray extends Common {
  readonly kind: 'array';
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Bits from the start of the struct (already decoded from the kind_flag form). */
  readonly bitOffset: number;
  /** Non-zero only for kind_flag structs with a bitfield member. */
  readonly bitfieldSize: number;
}

export interface BtfRecord extends Common {
  readonly kind: 'struct' | 'union';
  readonly size: number;
  /** Whether member offsets carry bitfield sizes (`(size << 24) | offset`). */
  readonly kindFlag: boolean;
  readonly members: readonly BtfMember[];
}

export interface BtfEnumValue { readonly name: string; readonly value: bigint }

export interface BtfEnum extends Common {
  readonly kind: 'enum' | 'enum64';
  readonly size: number;
  /**
   * kind_flag: values are signed. Clang before 15 never sets it, so its negative
   * enumerators read as large unsigned values (`-3` as 4294967293), as bpftool shows them.
   */
  readonly signed: boolean;
  /** Values already interpreted as signed or unsigned according to `signed`. */
  readonly values: readonly BtfEnumValue[];
}

export interface BtfFwd extends Common { readonly kind: 'fwd'; readonly union: boolean }

export interface BtfModifier extends Common {
  readonly kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag';
  readonly type: number;
}

export interface BtfFunc extends Common {
  readonly kind: 'func';
  /** A FUNC_PROTO (checked at parse time). */
  readonly type: number;
  readonly linkage: number;
}

export interface BtfParam { readonly name: string; readonly type: number }

export interface BtfFuncProto extends Common {
  readonly kind: 'func_proto';
  readonly returnType: number;
  /** Without the trailing `{0, 0}` varargs marker. */
  readonly params: readonly BtfParam[];
  readonly varargs: boolean;
}

export interface BtfVar extends Common {
  readonly kind: 'var';
  readonly type: number;
  readonly linkage: number;
}

export interface BtfSecinfo {
  /** A VAR, or a FUNC for extern kfuncs in `.ksyms`. */
  readonly type: number;
  /**
   * The offset in effect: the raw value unless an ELF-derived fixup was applied with
   * `withDatasecFixups`.
   */
  readonly offset: number;
  /** The offset as stored in the section (0 for clang's global variables). */
  readonly rawOffset: number;
  readonly size: number;
  /** Byte position of this entry's offset field inside `.BTF`: what `.rel.BTF` patches. */
  readonly offsetFieldPos: number;
}

export interface BtfDatasec extends Common {
  readonly kind: 'datasec';
  /** In effect (raw unless fixed up; clang leaves 0 and libbpf uses the ELF section size). */
  readonly size: number;
  readonly rawSize: number;
  readonly vars: readonly BtfSecinfo[];
}

export interface BtfFloat extends Common { readonly kind: 'float'; readonly size: number }

export interface BtfDeclTag extends Common {
  readonly kind: 'decl_tag';
  readonly type: number;
  /** -1 for the declaration itself, else the member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfRecord
  | BtfEnum
  | BtfFwd
  | BtfModifier
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** Every type id a type refers to (members, params, elements, targets). */
export function referencedTypeIds(t: BtfType): number[] {
  switch (t.kind) {
    case 'void':
    case 'int':
    case 'fwd':
    case 'float':
    case 'enum':
    case 'enum64':
      return [];
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
    case 'func':
    case 'var':
    case 'decl_tag':
      return [t.type];
    case 'array':
      return [t.type, t.indexType];
    case 'struct':
    case 'union':
      return t.members.map((m) => m.type);
    case 'func_proto':
      return [t.returnType, ...t.params.map((p) => p.type)];
    case 'datasec':
      return t.vars.map((v) => v.type);
    default:
      return assertNever(t);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(x)}`);
}
