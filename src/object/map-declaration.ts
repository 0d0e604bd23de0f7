import type { TypeSchema } from './schema.js';

/**
 * What a declaration says about a map, before it is tied to an ELF symbol: the fields
 * of a BTF-defined map (`struct { __uint(type, ...); __type(key, ...); ... } m SEC(".maps")`),
 * of a legacy definition struct, or of the same form read from a C header.
 */
export interface MapDeclaration {
  readonly name: string;
  /** BPF_MAP_TYPE_* number. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* map-create flags. */
  readonly flags: number;
  /** 0 none, 1 by name (libbpf); iproute2 also uses 2 (global namespace). */
  readonly pinning: number;
  readonly numaNode: number;
  readonly mapExtra: bigint;
  /** Key and value layouts, when the declaration names types (not only sizes). */
  readonly key?: TypeSchema;
  readonly value?: TypeSchema;
  /** For ARRAY_OF_MAPS and HASH_OF_MAPS: the inner map template from `values`. */
  readonly inner?: MapDeclaration;
  /** Whether a `values` member is declared (map-in-map or PROG_ARRAY initial slots). */
  readonly hasValues: boolean;
}
