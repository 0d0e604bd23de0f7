import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { fail } from '../errors.js';

/**
 * Reading a YAML document strictly, with every problem reported as
 * `<file>:<line>: <yaml path>: <what is wrong>` (PROFILE_INVALID). A thin layer over the
 * `yaml` package's node tree: it keeps positions, which plain `parse` loses.
 */
export interface YamlSource {
  readonly file: string;
  readonly lines: LineCounter;
}

/** A node and where it is: `path` is the dotted YAML path (`programs.from_cube.attach`). */
export interface At {
  readonly node: Node | null;
  readonly path: string;
  readonly line: number;
}

export function parseYaml(text: string, file: string): { src: YamlSource; root: At } {
  const lines = new LineCounter();
  // intAsBigInt: numbers past 2^53 must not round silently (64-bit constants).
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, intAsBigInt: true, prettyErrors: false });
  const src = { file, lines };
  const err = doc.errors[0];
  if (err) {
    const line = lines.linePos(err.pos[0]).line;
    fail('PROFILE_INVALID', `${file}:${line}: ${err.code === 'DUPLICATE_KEY' ? 'a key appears twice' : `not YAML: ${firstLine(err.message)}`}`);
  }
  const node = (doc.contents as Node | null) ?? null;
  return { src, root: { node, path: '', line: node?.range ? lines.linePos(node.range[0]).line : 1 } };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export function problem(src: YamlSource, at: At, what: string): never {
  return fail('PROFILE_INVALID', `${src.file}:${at.line}: ${at.path || '(top level)'}: ${what}`);
}

function child(src: YamlSource, node: Node | null, path: string, fallbackLine: number): At {
  const line = node?.range ? src.lines.linePos(node.range[0]).line : fallbackLine;
  return { node, path, line };
}

/** Entries of a mapping in file order; keys must be plain strings. Null is an empty mapping. */
export function entries(src: YamlSource, at: At): { key: string; at: At }[] {
  if (at.node === null || (isScalar(at.node) && at.node.value === null)) return [];
  if (isAlias(at.node)) problem(src, at, 'aliases are not supported in a profile');
  if (!isMap(at.node)) problem(src, at, 'must be a mapping');
  return at.node.items.map((pair) => {
    const keyNode = pair.key as Node | null;
    const keyAt = child(src, keyNode, at.path, at.line);
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') problem(src, keyAt, 'keys must be plain names');
    const key = keyNode.value as string;
    const path = at.path ? `${at.path}.${key}` : key;
    // The key's line, not the value's: a nested mapping starts on the line after its key.
    return { key, at: { node: (pair.value as Node | null) ?? null, path, line: keyAt.line } };
  });
}

/**
 * The fields of a mapping with fixed keys: unknown keys are errors (a misspelt key must
 * not be ignored silently), required ones must be there.
 */
export function fields(src: YamlSource, at: At, allowed: readonly string[], required: readonly string[] = []): Map<string, At> {
  const out = new Map<string, At>();
  for (const e of entries(src, at)) {
    if (!allowed.includes(e.key)) problem(src, e.at, `unknown key; expected one of ${allowed.join(', ')}`);
    out.set(e.key, e.at);
  }
  for (const r of required) {
    if (!out.has(r)) problem(src, at, `${r} is missing`);
  }
  return out;
}

export function scalarValue(src: YamlSource, at: At): unknown {
  if (at.node === null) return null;
  if (isAlias(at.node)) problem(src, at, 'aliases are not supported in a profile');
  if (!isScalar(at.node)) problem(src, at, isMap(at.node) ? 'must be a single value, not a mapping' : 'must be a single value, not a list');
  return at.node.value;
}

export function stringValue(src: YamlSource, at: At): string {
  const v = scalarValue(src, at);
  if (typeof v !== 'string') problem(src, at, typeof v === 'number' || typeof v === 'bigint' ? `must be a string; write it in quotes ("${String(v)}")` : 'must be a string');
  return v;
}

export function booleanValue(src: YamlSource, at: At): boolean {
  const v = scalarValue(src, at);
  if (typeof v !== 'boolean') problem(src, at, 'must be true or false');
  return v;
}

/** A non-negative integer that fits a JavaScript number exactly. */
export function countValue(src: YamlSource, at: At): number {
  const v = scalarValue(src, at);
  if (typeof v !== 'bigint' && typeof v !== 'number') problem(src, at, 'must be a non-negative integer');
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || (typeof v === 'bigint' && BigInt(n) !== v)) problem(src, at, `${String(v)} is not a non-negative integer`);
  return n;
}

export function listValue(src: YamlSource, at: At): At[] {
  if (at.node === null) return [];
  if (isAlias(at.node)) problem(src, at, 'aliases are not supported in a profile');
  if (!isSeq(at.node)) problem(src, at, 'must be a list');
  return at.node.items.map((n, i) => child(src, (n as Node | null) ?? null, `${at.path}[${i}]`, at.line));
}
