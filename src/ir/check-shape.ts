/**
 * Small checks of JSON-shaped data that record a problem at a JSON path ($.rules[3].id)
 * instead of throwing, so one validation run can list every problem it finds. The
 * problem list is the only thing they write to.
 */
import { IR_PATTERNS, type IrPatternName } from './patterns.js';

export interface IrProblem {
  /** JSONPath of the offending value: `$.rules[3].match.dst.address.set`. */
  readonly path: string;
  readonly message: string;
}

export type Problems = IrProblem[];

const PATTERNS: Readonly<Record<IrPatternName, RegExp>> = Object.fromEntries(
  Object.entries(IR_PATTERNS).map(([name, source]) => [name, new RegExp(source, 'u')]),
) as Record<IrPatternName, RegExp>;

export function matchesPattern(name: IrPatternName, s: string): boolean {
  return PATTERNS[name].test(s);
}

/** `$.a` + 'b' -> `$.a.b`; + 3 -> `$.a[3]`; keys that are not identifiers are quoted. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function report(p: Problems, path: string, message: string): void {
  p.push({ path, message });
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
}

const describe = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : `${typeof x} ${JSON.stringify(x)}`);

/** An object with every `required` key and no key outside `required` and `optional`. */
export function checkObject(p: Problems, path: string, x: unknown, required: readonly string[], optional: readonly string[] = []): x is Record<string, unknown> {
  if (!isRecord(x)) {
    report(p, path, `expected an object, got ${describe(x)}`);
    return false;
  }
  for (const k of required) if (!(k in x) || x[k] === undefined) report(p, at(path, k), 'is required');
  const known = new Set([...required, ...optional]);
  for (const k of Object.keys(x)) {
    if (!known.has(k)) report(p, at(path, k), 'is not a field of this object');
  }
  return true;
}

export function checkString(p: Problems, path: string, x: unknown, pattern?: IrPatternName, minLength = 0): x is string {
  if (typeof x !== 'string') {
    report(p, path, `expected a string, got ${describe(x)}`);
    return false;
  }
  if (x.length < minLength) {
    report(p, path, 'must not be empty');
    return false;
  }
  if (pattern && !matchesPattern(pattern, x)) {
    report(p, path, `${JSON.stringify(x)} is not a valid ${pattern} (${IR_PATTERNS[pattern]})`);
    return false;
  }
  return true;
}

/** Non-empty text that fits on one comment line. */
export function checkText(p: Problems, path: string, x: unknown): x is string {
  return checkString(p, path, x, 'singleLine', 1);
}

export function checkInteger(p: Problems, path: string, x: unknown, min: number, max = Number.MAX_SAFE_INTEGER): x is number {
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    report(p, path, `expected an integer, got ${describe(x)}`);
    return false;
  }
  if (x < min || x > max) {
    report(p, path, `${x} is outside ${min}..${max}`);
    return false;
  }
  return true;
}

export function checkNumber(p: Problems, path: string, x: unknown, min: number): x is number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    report(p, path, `expected a number, got ${describe(x)}`);
    return false;
  }
  if (x < min) {
    report(p, path, `${x} is below ${min}`);
    return false;
  }
  return true;
}

export function checkBoolean(p: Problems, path: string, x: unknown): x is boolean {
  if (typeof x !== 'boolean') {
    report(p, path, `expected true or false, got ${describe(x)}`);
    return false;
  }
  return true;
}

export function checkEnum<T extends string>(p: Problems, path: string, x: unknown, values: readonly T[]): x is T {
  if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) {
    report(p, path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(x)}`);
    return false;
  }
  return true;
}

export function checkArray(p: Problems, path: string, x: unknown, each: (path: string, item: unknown) => void, minItems = 0): x is unknown[] {
  if (!Array.isArray(x)) {
    report(p, path, `expected an array, got ${describe(x)}`);
    return false;
  }
  if (x.length < minItems) report(p, path, `needs at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  x.forEach((item, i) => each(at(path, i), item));
  return true;
}

/** A JSON object used as a map: keys of a pattern, values checked one by one. */
export function checkRecord(p: Problems, path: string, x: unknown, keyPattern: IrPatternName, each: (path: string, value: unknown) => void): x is Record<string, unknown> {
  if (!isRecord(x)) {
    report(p, path, `expected an object, got ${describe(x)}`);
    return false;
  }
  for (const [k, v] of Object.entries(x)) {
    const kp = at(path, k);
    if (!matchesPattern(keyPattern, k)) report(p, kp, `${JSON.stringify(k)} is not a valid ${keyPattern} (${IR_PATTERNS[keyPattern]})`);
    each(kp, v);
  }
  return true;
}

/**
 * A discriminated union: reads `x[field]`, reports an unknown tag, and hands the object
 * to the branch for its tag (which checks the remaining fields).
 */
export function checkUnion<T extends string>(p: Problems, path: string, x: unknown, field: string, branches: Readonly<Record<T, (x: Record<string, unknown>) => void>>): void {
  if (!isRecord(x)) {
    report(p, path, `expected an object, got ${describe(x)}`);
    return;
  }
  const tags = Object.keys(branches) as T[];
  const tag = x[field];
  if (!checkEnum(p, at(path, field), tag, tags)) return;
  branches[tag](x);
}
