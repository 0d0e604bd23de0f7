import type { MapDeclaration } from '../../object/map-declaration.js';
import type { DataSection } from '../../object/types.js';
import type { TypeSchema } from '../../object/schema.js';
import { MapType } from '../../object/map-types.js';
import type { MapDef, SpecialField } from './model.js';

const BPF_F_RDONLY_PROG = 0x80;

/** The interpreter's view of a map declaration (or of an inner map template). */
export function mapDefOf(decl: MapDeclaration): MapDef {
  return {
    name: decl.name,
    type: decl.type,
    keySize: decl.keySize,
    valueSize: decl.valueSize,
    maxEntries: decl.maxEntries,
    flags: decl.flags,
    special: decl.value ? specialFields(decl.value) : [],
    inner: decl.inner ? mapDefOf(decl.inner) : undefined,
  };
}

/** libbpf turns each data section into a one-element ARRAY named after the section. */
export function dataSectionDef(section: DataSection): MapDef {
  return {
    name: section.name,
    type: MapType.ARRAY,
    keySize: 4,
    valueSize: section.size,
    maxEntries: 1,
    flags: section.readOnly ? BPF_F_RDONLY_PROG : 0,
    special: [],
  };
}

export function isReadOnlyForProgram(def: MapDef): boolean {
  return (def.flags & BPF_F_RDONLY_PROG) !== 0;
}

/**
 * Fields the kernel manages itself inside a map value (bpf_spin_lock, bpf_timer, bpf_wq):
 * value copies skip them and user space reads them as zero. Found by struct name in the
 * value's BTF layout; without BTF there are none to find.
 */
export function specialFields(t: TypeSchema): SpecialField[] {
  const out: SpecialField[] = [];
  walk(t, 0, out);
  return out.sort((a, b) => a.offset - b.offset);
}

function walk(t: TypeSchema, base: number, out: SpecialField[]): void {
  switch (t.kind) {
    case 'struct':
    case 'union':
      if (t.name === 'bpf_spin_lock') out.push({ kind: 'spin_lock', offset: base, size: t.size });
      else if (t.name === 'bpf_timer') out.push({ kind: 'timer', offset: base, size: t.size });
      else if (t.name === 'bpf_wq') out.push({ kind: 'wq', offset: base, size: t.size });
      else for (const f of t.fields) if (f.bitSize === 0) walk(f.type, base + f.bitOffset / 8, out);
      return;
    case 'array':
      if (t.length > 0 && containsSpecial(t.element)) {
        const size = t.size / t.length;
        for (let i = 0; i < t.length; i++) walk(t.element, base + i * size, out);
      }
      return;
    default:
      return;
  }
}

function containsSpecial(t: TypeSchema): boolean {
  const found: SpecialField[] = [];
  walk(t, 0, found);
  return found.length > 0;
}
