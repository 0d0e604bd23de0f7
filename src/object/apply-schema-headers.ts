import { fail } from '../errors.js';
import type { HeaderSchemas } from './header-schema.js';
import type { MapDeclaration } from './map-declaration.js';
import { mapTypeName } from './map-types.js';
import type { BpfMap, BpfObject } from './types.js';

/**
 * Gives maps without BTF layouts the key and value schemas a C header declares for them
 * (matched by name). Where the object itself says something about a map, the header must
 * agree with it: a header that contradicts the object is a wrong header, and using it
 * would name fields that are not there. BTF layouts always win over a header.
 */
export function applySchemaHeaders(obj: BpfObject, headers: HeaderSchemas): BpfObject {
  let used = false;
  const maps = obj.maps.map((m): BpfMap => {
    const h = headers.maps.find((d) => d.name === m.name);
    if (!h || m.schemaSource === 'btf') return m;
    if (m.form === 'unknown') {
      // A `.maps` entry without BTF: the header is all there is to know.
      used = true;
      return { ...m, ...h, schemaSource: 'header' };
    }
    checkAgrees(m, h);
    if (!h.key && !h.value) return m;
    used = true;
    return { ...m, ...(h.key && { key: h.key }), ...(h.value && { value: h.value }), schemaSource: 'header' };
  });
  return used ? { ...obj, maps, schemaSource: 'header' } : obj;
}

function checkAgrees(m: BpfMap, h: MapDeclaration): void {
  const differences: string[] = [];
  if (m.type !== h.type) differences.push(`type ${mapTypeName(h.type)} (object: ${mapTypeName(m.type)})`);
  if (m.keySize !== h.keySize) differences.push(`key size ${h.keySize} (object: ${m.keySize})`);
  if (m.valueSize !== h.valueSize) differences.push(`value size ${h.valueSize} (object: ${m.valueSize})`);
  if (m.maxEntries !== h.maxEntries) differences.push(`max entries ${h.maxEntries} (object: ${m.maxEntries})`);
  if (differences.length) fail('SCHEMA_BAD_MAP', `header declares map '${m.name}' with ${differences.join(', ')}`);
}
