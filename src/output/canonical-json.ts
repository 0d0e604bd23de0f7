/**
 * JSON with object keys sorted (UTF-16 order) at every level and arrays in their order:
 * the same data always gives the same bytes, whatever order its producer built objects
 * in. For ir.json and for comparing findings.
 */
export function canonicalJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(sortKeys(value), null, indent);
  return indent === undefined ? text : `${text}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
