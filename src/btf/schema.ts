import { fail } from '../errors.js';
import type { FieldSchema, TypeSchema } from '../object/schema.js';
import { underlyingType } from './resolve.js';
import { INT_BOOL, INT_SIGNED, type Btf, type BtfRecord, type BtfType } from './types.js';

/**
 * The TypeSchema of a BTF type, by the naming rules in src/object/schema.ts (the contract
 * with the C-header reader):
 * - const, volatile, restrict and type tags vanish;
 * - ints and floats are named by their outermost typedef, else their BTF (C) name;
 * - structs, unions and enums by their tag, else the outermost typedef, else '';
 * - a pointer's target is named the same way (`void` for void, '' for pointers,
 *   arrays and functions, which have no name).
 *
 * Bitfields come from kind_flag member offsets, or, in structs without kind_flag, from an
 * INT member's own bit offset and width. A VAR is described by its type. FUNC,
 * FUNC_PROTO, DATASEC and DECL_TAG are not data and fail with BTF_BAD_TYPE.
 */
export function schemaOf(btf: Btf, typeId: number): TypeSchema {
  return schemaIn({ btf, memo: new Map(), inProgress: new Set() }, typeId, 0);
}

/**
 * Structs nest this deep at most before we call the input hostile; real C types stay
 * far below it, and the limit keeps the (recursive) walk off the end of the JS stack.
 */
const MAX_NESTING = 256;

interface Context {
  readonly btf: Btf;
  /** Schemas are a function of the type id alone, so shared subtrees are built once. */
  readonly memo: Map<number, TypeSchema>;
  /** Composite types whose schema is being built: meeting one again is a by-value cycle. */
  readonly inProgress: Set<number>;
}

function schemaIn(cx: Context, id: number, depth: number): TypeSchema {
  const known = cx.memo.get(id);
  if (known) return known;
  if (depth > MAX_NESTING) fail('BTF_BAD_TYPE', `type [${id}]: nested more than ${MAX_NESTING} levels deep`);
  const { type, typedefName } = underlyingType(cx.btf, id);
  const composite = type.kind === 'array' || type.kind === 'struct' || type.kind === 'union' || type.kind === 'var';
  if (composite) {
    if (cx.inProgress.has(type.id)) {
      fail('BTF_TYPE_CYCLE', `type [${type.id}] ${type.kind}${type.name ? ` '${type.name}'` : ''} contains itself by value`);
    }
    cx.inProgress.add(type.id);
  }
  const schema = build(cx, type, typedefName, depth);
  if (composite) cx.inProgress.delete(type.id);
  cx.memo.set(id, schema);
  return schema;
}

function build(cx: Context, t: BtfType, typedefName: string | undefined, depth: number): TypeSchema {
  switch (t.kind) {
    case 'void':
      return { kind: 'opaque', name: 'void', size: 0 };
    case 'int':
      return {
        kind: 'int',
        name: typedefName ?? t.name,
        size: t.size,
        signed: (t.encoding & INT_SIGNED) !== 0,
        bool: (t.encoding & INT_BOOL) !== 0,
      };
    case 'float':
      return { kind: 'float', name: typedefName ?? t.name, size: t.size };
    case 'enum':
    case 'enum64':
      return { kind: 'enum', name: t.name || typedefName || '', size: t.size, signed: t.signed, values: t.values };
    case 'fwd':
      return { kind: 'opaque', name: t.name || typedefName || '', size: 0 };
    case 'ptr':
      return { kind: 'pointer', size: 8, target: targetName(cx.btf, t.type) };
    case 'array': {
      const element = schemaIn(cx, t.type, depth + 1);
      return { kind: 'array', element, length: t.nelems, size: element.size * t.nelems };
    }
    case 'struct':
    case 'union':
      return {
        kind: t.kind,
        name: t.name || typedefName || '',
        size: t.size,
        fields: t.members.map((m) => field(cx, t, m, depth)),
      };
    case 'var':
      return schemaIn(cx, t.type, depth + 1);
    case 'func':
    case 'func_proto':
    case 'datasec':
    case 'decl_tag':
      return fail('BTF_BAD_TYPE', `type [${t.id}]: a ${t.kind} has no data layout`);
    case 'typedef':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'type_tag':
      // underlyingType never stops at these.
      return fail('BTF_BAD_TYPE', `type [${t.id}]: unexpected ${t.kind}`);
    default: {
      const never: never = t;
      return never;
    }
  }
}

function field(cx: Context, rec: BtfRecord, m: BtfRecord['members'][number], depth: number): FieldSchema {
  const type = schemaIn(cx, m.type, depth + 1);
  if (rec.kindFlag) return { name: m.name, bitOffset: m.bitOffset, bitSize: m.bitfieldSize, type };
  // Without kind_flag a bitfield is an INT narrower than its storage, or not at bit 0 of it.
  const base = underlyingType(cx.btf, m.type).type;
  if (base.kind === 'int' && (base.bitOffset !== 0 || base.bits !== base.size * 8)) {
    return { name: m.name, bitOffset: m.bitOffset + base.bitOffset, bitSize: base.bits, type };
  }
  return { name: m.name, bitOffset: m.bitOffset, bitSize: 0, type };
}

/** The name a pointer's target goes by, by the same rules as schema names. */
export function targetName(btf: Btf, id: number): string {
  const { type, typedefName } = underlyingType(btf, id);
  switch (type.kind) {
    case 'void':
      return 'void';
    case 'int':
    case 'float':
      return typedefName ?? type.name;
    case 'enum':
    case 'enum64':
    case 'struct':
    case 'union':
    case 'fwd':
      return type.name || typedefName || '';
    default:
      return '';
  }
}
