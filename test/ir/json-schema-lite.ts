/**
 * A small JSON Schema (2020-12) validator for exactly the keywords POLICY_IR_SCHEMA uses,
 * written from the specification, so the schema can be checked against validateIr
 * without a dependency. A keyword it does not know is an error, not a silent pass: the
 * schema cannot grow a keyword this file would ignore. (With ajv installed, the schema
 * test also runs ajv itself.)
 */
import type { JsonSchema, JsonSchemaValue } from '../../src/ir/schema.js';

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  '$ref', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'propertyNames',
  'items', 'minItems', 'uniqueItems', 'minLength', 'pattern', 'minimum', 'maximum', 'oneOf',
]);

export interface SchemaError {
  readonly path: string;
  readonly keyword: string;
}

export function schemaErrors(root: JsonSchema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  check(root, root, value, '$', errors);
  return errors;
}

/** Canonical text for equality (`const`, `enum`, `uniqueItems` compare JSON values). */
function canon(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canon).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canon((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

function typeOk(type: string, x: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof x === 'object' && x !== null && !Array.isArray(x);
    case 'array':
      return Array.isArray(x);
    case 'string':
      return typeof x === 'string';
    case 'integer':
      return typeof x === 'number' && Number.isInteger(x);
    case 'number':
      return typeof x === 'number' && Number.isFinite(x);
    case 'boolean':
      return typeof x === 'boolean';
    case 'null':
      return x === null;
    default:
      throw new Error(`unknown type ${type}`);
  }
}

const asSchema = (v: JsonSchemaValue | undefined): JsonSchema => v as JsonSchema;

function check(root: JsonSchema, s: JsonSchema, x: unknown, path: string, out: SchemaError[]): void {
  const fail = (keyword: string): void => void out.push({ path, keyword });
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword ${k} at ${path} is outside the subset`);
  if (typeof s.$ref === 'string') {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    if (!m) throw new Error(`unsupported $ref ${s.$ref}`);
    check(root, asSchema(asSchema(root.$defs)[m[1]]), x, path, out);
  }
  if (typeof s.type === 'string' && !typeOk(s.type, x)) return fail('type');
  if ('const' in s && canon(s.const) !== canon(x)) fail('const');
  if (Array.isArray(s.enum) && !s.enum.some((v) => canon(v) === canon(x))) fail('enum');
  if (Array.isArray(s.oneOf)) {
    const passing = s.oneOf.filter((branch) => {
      const errors: SchemaError[] = [];
      check(root, asSchema(branch), x, path, errors);
      return errors.length === 0;
    }).length;
    if (passing !== 1) fail('oneOf');
  }
  if (typeof x === 'string') {
    if (typeof s.minLength === 'number' && [...x].length < s.minLength) fail('minLength');
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(x)) fail('pattern');
  }
  if (typeof x === 'number') {
    if (typeof s.minimum === 'number' && x < s.minimum) fail('minimum');
    if (typeof s.maximum === 'number' && x > s.maximum) fail('maximum');
  }
  if (Array.isArray(x)) {
    if (typeof s.minItems === 'number' && x.length < s.minItems) fail('minItems');
    if (s.uniqueItems === true && new Set(x.map(canon)).size !== x.length) fail('uniqueItems');
    if (s.items !== undefined) x.forEach((item, i) => check(root, asSchema(s.items), item, `${path}[${i}]`, out));
  }
  if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
    const obj = x as Record<string, unknown>;
    const props = asSchema(s.properties ?? {});
    if (Array.isArray(s.required)) for (const k of s.required) if (!Object.hasOwn(obj, String(k))) out.push({ path: `${path}.${String(k)}`, keyword: 'required' });
    for (const [k, v] of Object.entries(obj)) {
      const kp = `${path}.${k}`;
      if (s.propertyNames !== undefined) check(root, asSchema(s.propertyNames), k, kp, out);
      if (Object.hasOwn(props, k)) check(root, asSchema(props[k]), v, kp, out);
      else if (s.additionalProperties === false) out.push({ path: kp, keyword: 'additionalProperties' });
      else if (s.additionalProperties !== undefined) check(root, asSchema(s.additionalProperties), v, kp, out);
    }
  }
}
