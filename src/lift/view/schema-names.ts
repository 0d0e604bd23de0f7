import type { TypeSchema } from '../../object/schema.js';

/**
 * The member of a key or value layout that `size` bytes at `offset` are: `ip`,
 * `key.src_port`, `uuid[3]`. Without a layout (no BTF, no header) the bytes are named by
 * their place: `[4:4]`.
 */
export function memberAt(t: TypeSchema | undefined, offset: number, size: number): string {
  const path = t ? walk(t, offset, size) : undefined;
  return path ?? `[${offset}:${size}]`;
}

function walk(t: TypeSchema, offset: number, size: number): string | undefined {
  if (offset === 0 && size === t.size && t.kind !== 'struct' && t.kind !== 'union' && t.kind !== 'array') return '';
  switch (t.kind) {
    case 'struct':
    case 'union': {
      for (const f of t.fields) {
        if (f.bitSize !== 0 || f.bitOffset % 8 !== 0) continue;
        const at = f.bitOffset / 8;
        if (offset >= at && offset + size <= at + f.type.size) {
          const rest = walk(f.type, offset - at, size);
          if (rest === undefined) return undefined;
          const name = f.name === '' ? '' : f.name;
          return [name, rest].filter((x) => x !== '').join(rest.startsWith('[') ? '' : '.');
        }
      }
      return undefined;
    }
    case 'array': {
      const el = t.element.size;
      if (el === 0) return undefined;
      const i = Math.floor(offset / el);
      if (offset + size > (i + 1) * el) return size === t.size && offset === 0 ? '' : undefined;
      const rest = walk(t.element, offset - i * el, size);
      return rest === undefined ? undefined : `[${i}]${rest ? `.${rest}` : ''}`;
    }
    default:
      return offset === 0 && size === t.size ? '' : undefined;
  }
}
