/**
 * Struct and union layout as clang does it for BPF (the generic Itanium-style rules,
 * checked member by member against clang's BTF in test/header):
 *
 * - a member is placed at the next multiple of its alignment: the type's (which a
 *   typedef's aligned(N) may lower), 1 in a packed struct or for a packed member, raised
 *   by an aligned(N) on the member itself;
 * - a bitfield goes at the next free bit unless it would cross a boundary of its
 *   declared type's alignment unit, then at the next such boundary (packed: never moves);
 * - a zero-width bitfield moves to the next boundary of its type and, like any unnamed
 *   bitfield, adds nothing to the record's alignment (and is not a member in BTF);
 * - the record's size is rounded up to its alignment: the largest member alignment,
 *   raised by aligned(N) on the record.
 */
import type { SourceLoc } from '../../grammars/c-header-ast.js';
import { fail } from '../errors.js';
import { where } from './header-const-expr.js';
import { alignOf, describe, sizeOf, stripTypedefs, type CType, type LaidOutField, type RecordLayout } from './header-ctypes.js';

export interface MemberInput {
  /** '' for an anonymous struct/union member or an unnamed bitfield. */
  readonly name: string;
  readonly type: CType;
  readonly bitWidth?: number;
  /** `__attribute__((packed))` on the member. */
  readonly packed: boolean;
  /** Largest `aligned(N)` on the member, in bytes. */
  readonly alignAttr?: number;
  readonly loc: SourceLoc;
}

export interface RecordAttributes {
  readonly union: boolean;
  readonly packed: boolean;
  readonly alignAttr?: number;
}

/** Records above 4 GiB cannot be described by BTF and are surely a mistake. */
const MAX_RECORD_BITS = 2 ** 32 * 8;

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

export function layoutRecord(members: readonly MemberInput[], attrs: RecordAttributes, loc: SourceLoc): RecordLayout {
  const fields: LaidOutField[] = [];
  let offset = 0; // next free bit (struct) or largest member end (union)
  let align = 1;
  let end = 0;
  members.forEach((m, i) => {
    const packed = attrs.packed || m.packed;
    const t = stripTypedefs(m.type);
    if (t.kind === 'array' && t.length === undefined) {
      if (attrs.union || i !== members.length - 1) {
        fail('SCHEMA_SYNTAX', `${where(m.loc)}: flexible array member '${m.name}' must be the last member of a struct`);
      }
    } else if (t.kind === 'function' || t.kind === 'void') {
      fail('SCHEMA_SYNTAX', `${where(m.loc)}: member '${m.name}' has type ${t.kind}`);
    }
    const typeAlign = alignOf(m.type, m.loc);
    const elementBits = t.kind === 'array' && t.length === undefined ? 0 : sizeOf(m.type, m.loc) * 8;
    let fieldAlign = packed ? 1 : typeAlign;
    if (m.alignAttr) fieldAlign = Math.max(fieldAlign, m.alignAttr);

    if (m.bitWidth === undefined) {
      const at = attrs.union ? 0 : roundUp(roundUp(offset, 8), fieldAlign * 8);
      fields.push({ name: m.name, bitOffset: at, bitSize: 0, type: m.type });
      offset = at + elementBits;
      end = Math.max(end, offset);
      align = Math.max(align, fieldAlign);
    } else {
      const width = m.bitWidth;
      if (t.kind !== 'int' && t.kind !== 'enum') {
        fail('SCHEMA_SYNTAX', `${where(m.loc)}: bit-field '${m.name}' has non-integral type '${describe(m.type)}'`);
      }
      if (width < 0 || width > elementBits || (t.kind === 'int' && t.bool && width > 1)) {
        fail('SCHEMA_SYNTAX', `${where(m.loc)}: width of bit-field '${m.name}' (${width} bits) does not fit its type`);
      }
      if (width === 0 && m.name !== '') fail('SCHEMA_SYNTAX', `${where(m.loc)}: named bit-field '${m.name}' has zero width`);
      const unit = fieldAlign * 8;
      let at = attrs.union ? 0 : offset;
      if (!attrs.union) {
        if (width === 0) at = roundUp(at, typeAlign * 8);
        else if (!packed && (at % unit) + width > elementBits) at = roundUp(at, unit);
        else if (m.alignAttr) at = roundUp(at, m.alignAttr * 8);
      }
      if (m.name !== '') {
        fields.push({ name: m.name, bitOffset: at, bitSize: width, type: m.type });
        align = Math.max(align, fieldAlign);
      }
      offset = at + width;
      end = Math.max(end, offset);
    }
    if (end > MAX_RECORD_BITS) fail('SCHEMA_SYNTAX', `${where(m.loc)}: record is too large`);
  });
  if (attrs.alignAttr) align = Math.max(align, attrs.alignAttr);
  const size = roundUp(roundUp(end, 8) / 8, align);
  return { size, align, fields };
}
