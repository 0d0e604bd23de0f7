import { decodeValue } from '../btf/decode-value.js';
import type { BpfObject } from '../object/types.js';

/**
 * The object as a loader would load it with these `.rodata` overrides: the globals'
 * initial bytes and decoded values, and the data sections' bytes, all agree with the
 * new values, so later phases need not know that constants were overridden.
 */
export function withConstants(object: BpfObject, overrides: ReadonlyMap<string, Uint8Array>): BpfObject {
  if (overrides.size === 0) return object;
  const globals = object.globals.map((g) => {
    const bytes = overrides.get(g.name);
    if (!bytes) return g;
    const value = g.schema && g.value !== undefined ? decodeValue(g.schema, bytes, object.littleEndian) : g.value;
    return { ...g, initial: bytes.slice(), value };
  });
  const dataSections = object.dataSections.map((s) => {
    const inSection = object.globals.filter((g) => g.section === s.name && overrides.has(g.name));
    if (inSection.length === 0) return s;
    const bytes = s.bytes.slice();
    for (const g of inSection) bytes.set(overrides.get(g.name)!, g.offset);
    return { ...s, bytes };
  });
  return { ...object, globals, dataSections };
}
