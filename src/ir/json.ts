/**
 * The JSON form of a PolicyIR: keys in code-unit order at every level (so the text does
 * not depend on how the IR was built), two-space indent, a trailing newline. Reading
 * parses and validates; it does not normalise, so what was written is what is read.
 */
import { fail } from '../errors.js';
import { compareText } from '../order.js';
import type { PolicyIR } from './types.js';
import { validateIr } from './validate.js';

export function irToJson(ir: PolicyIR): string {
  return `${JSON.stringify(sortKeys(ir), null, 2)}\n`;
}

export function irFromJson(text: string): PolicyIR {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail('IR_SYNTAX', `PolicyIR JSON does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateIr(parsed);
}

/** A copy with object keys sorted; undefined fields dropped as JSON would. */
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (typeof x !== 'object' || x === null) return x;
  const entries = Object.entries(x)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, v]) => [k, sortKeys(v)] as const);
  // fromEntries defines own properties: a "__proto__" key stays a key.
  return Object.fromEntries(entries);
}
