import { fail } from '../errors.js';
import type { Btf, BtfType } from './types.js';

/**
 * Following references through BTF. Every walk here is iterative and remembers where it
 * has been, so a hostile chain that loops ends in BTF_TYPE_CYCLE and a long chain costs
 * time proportional to its length, never stack.
 */

type ModifierKind = 'const' | 'volatile' | 'restrict' | 'type_tag';
const MODIFIERS: ReadonlySet<BtfType['kind']> = new Set<ModifierKind>(['const', 'volatile', 'restrict', 'type_tag']);

export function typeById(btf: Btf, id: number): BtfType {
  const t = btf.types[id];
  if (t === undefined) fail('BTF_BAD_TYPE', `type id ${id} is out of range (${btf.types.length} types)`);
  return t;
}

/** Step through a chain while `follow` says so; a repeated id is a cycle. */
function walk(btf: Btf, id: number, follow: (t: BtfType) => number | undefined): BtfType {
  const seen = new Set<number>();
  let t = typeById(btf, id);
  for (;;) {
    const next = follow(t);
    if (next === undefined) return t;
    seen.add(t.id);
    if (seen.has(next)) fail('BTF_TYPE_CYCLE', `type [${id}]: reference chain loops back to [${next}]`);
    t = typeById(btf, next);
  }
}

/** Strip const, volatile, restrict and type tags. */
export function skipModifiers(btf: Btf, id: number): BtfType {
  return walk(btf, id, (t) => (MODIFIERS.has(t.kind) && 'type' in t ? t.type : undefined));
}

/** Strip modifiers and typedefs (libbpf's skip_mods_and_typedefs). */
export function skipModsAndTypedefs(btf: Btf, id: number): BtfType {
  return walk(btf, id, (t) => ((MODIFIERS.has(t.kind) || t.kind === 'typedef') && 'type' in t ? t.type : undefined));
}

/**
 * The outermost typedef name on the way from `id` to its underlying type, past
 * modifiers, and that underlying type: the two things TypeSchema naming needs.
 */
export function underlyingType(btf: Btf, id: number): { readonly type: BtfType; readonly typedefName: string | undefined } {
  let typedefName: string | undefined;
  const type = walk(btf, id, (t) => {
    if (t.kind === 'typedef') {
      typedefName ??= t.name;
      return t.type;
    }
    return MODIFIERS.has(t.kind) && 'type' in t ? t.type : undefined;
  });
  return { type, typedefName };
}

/**
 * The size in bytes of a type, by libbpf's `btf__resolve_size` rules: sized kinds give
 * their size, pointers 8, modifiers, typedefs, VARs and DECL_TAGs their target's size,
 * arrays nelems times their element's size. FWD, FUNC, FUNC_PROTO and void have none.
 */
export function resolveSize(btf: Btf, id: number): number {
  let factor = 1;
  const seen = new Set<number>();
  let t = typeById(btf, id);
  for (;;) {
    let next: number;
    switch (t.kind) {
      case 'int':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'datasec':
      case 'float':
        return checkedSize(id, factor * t.size);
      case 'ptr':
        return checkedSize(id, factor * 8);
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'var':
      case 'decl_tag':
        next = t.type;
        break;
      case 'array':
        // Capped so that absurd nesting saturates (and fails the u32 check) instead of
        // reaching Infinity, which times a zero-sized element would be NaN.
        factor = Math.min(factor * t.nelems, Number.MAX_SAFE_INTEGER);
        next = t.type;
        break;
      case 'void':
      case 'fwd':
      case 'func':
      case 'func_proto':
        return fail('BTF_BAD_TYPE', `type [${id}]: ${t.kind}${t.name ? ` '${t.name}'` : ''} has no size`);
      default: {
        const never: never = t;
        return never;
      }
    }
    seen.add(t.id);
    if (seen.has(next)) fail('BTF_TYPE_CYCLE', `type [${id}]: size resolution loops back to [${next}]`);
    t = typeById(btf, next);
  }
}

/** Like libbpf, a size must fit in a u32 (nelems multiply up quickly in hostile input). */
function checkedSize(id: number, size: number): number {
  if (size > 0xffffffff) fail('BTF_BAD_COUNT', `type [${id}]: size ${size} does not fit in 32 bits`);
  return size;
}
