import type { FieldSchema, TypeSchema } from './schema.js';

/** A type as C would spell it in a declaration: `__u32`, `struct mvm_meta`, `__u8[64]`. */
export function typeName(t: TypeSchema): string {
  switch (t.kind) {
    case 'int':
    case 'float':
    case 'opaque':
      return t.name || `${t.size} bytes`;
    case 'enum':
      return t.name ? `enum ${t.name}` : 'enum (anon)';
    case 'struct':
    case 'union':
      return t.name ? `${t.kind} ${t.name}` : `${t.kind} (anon)`;
    case 'pointer':
      return `${t.target} *`;
    case 'array':
      return `${typeName(t.element)}[${t.length}]`;
    default: {
      const never: never = t;
      return never;
    }
  }
}

/**
 * The layout of a struct or union, one field per line with its byte offset (and bit
 * range for bitfields); nested anonymous records are expanded in place.
 */
export function layoutLines(t: TypeSchema, indent = '  '): string[] {
  if (t.kind !== 'struct' && t.kind !== 'union') return [];
  return t.fields.flatMap((f) => fieldLines(f, 0, indent));
}

function fieldLines(f: FieldSchema, base: number, indent: string): string[] {
  const bit = base + f.bitOffset;
  const at = f.bitSize ? `+${Math.floor(bit / 8)}:${bit % 8}` : `+${bit / 8}`;
  const size = f.bitSize ? `${f.bitSize} bit${f.bitSize === 1 ? '' : 's'}` : `${f.type.size}`;
  const head = `${indent}${at.padEnd(7)} ${size.padStart(7)}  ${typeName(f.type)} ${f.name || '(anon)'}`;
  if ((f.type.kind === 'struct' || f.type.kind === 'union') && (!f.name || !f.type.name)) {
    return [head, ...f.type.fields.flatMap((g) => fieldLines(g, bit, `${indent}  `))];
  }
  return [head];
}
