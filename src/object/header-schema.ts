/**
 * Map and type schemas from C headers, for objects built without BTF (`bpf2pf inspect
 * --schema header.h`). The pipeline: preprocess (includes, conditionals, macros) ->
 * parse (grammars/c-header.ts) -> declarations (types, layouts, variables) -> maps.
 * Every failure is a Bpf2pfError: SCHEMA_SYNTAX, SCHEMA_UNKNOWN_TYPE or SCHEMA_BAD_MAP
 * with `file:line:col` in the message (IO when an entry file cannot be read).
 */
import { parseConstantExpression, parseTranslationUnit } from '../../grammars/c-header.js';
import type { Expr } from '../../grammars/c-header-ast.js';
import * as T from '../../grammars/c-header-tokens.js';
import { Bpf2pfError, fail, isBpf2pfError } from '../errors.js';
import { builtinConstants, INTERNAL_NAME_PREFIX, PRELUDE } from './header-builtins.js';
import { evaluate } from './header-const-expr.js';
import { toSchema } from './header-ctypes.js';
import { readDeclarations, type Declarations } from './header-declarations.js';
import { expandMacros, type MacroDefinition } from './header-macros.js';
import { decodeBtfMap, decodeLegacyMap, type LegacyMap, type MapExpressions, type MapSlot } from './header-maps.js';
import { preprocess, type ReadFile } from './header-preprocess.js';
import type { MapDeclaration } from './map-declaration.js';
import type { TypeSchema } from './schema.js';

export type { MapSlot } from './header-maps.js';

/** A global that is not a map: `const volatile` configuration, `char LICENSE[]`, ... */
export interface HeaderVariable {
  readonly name: string;
  readonly type: TypeSchema;
  /** From `SEC("...")` or `__attribute__((section("...")))`; absent when none is given. */
  readonly section?: string;
  readonly extern: boolean;
}

export interface HeaderSchemas {
  /**
   * Declared types by C name, in order of first declaration: `struct x`, `union x`,
   * `enum x` for tags (the namespaces differ in C), the bare name for typedefs.
   * Built-in kernel types appear only if a header redefines them.
   */
  readonly types: ReadonlyMap<string, TypeSchema>;
  readonly maps: readonly MapDeclaration[];
  /** Initial `.values` slots (PROG_ARRAY, map-in-map) and iproute2 inner_idx links, by map name. */
  readonly mapSlots: ReadonlyMap<string, readonly MapSlot[]>;
  /** `#define NAME <integer constant expression>` and enumerators declared by the headers. */
  readonly constants: ReadonlyMap<string, bigint>;
  readonly variables: readonly HeaderVariable[];
}

export function parseSchemaHeaders(entryFiles: string[], readFile: (path: string) => string): HeaderSchemas {
  try {
    return parse(entryFiles, readFile);
  } catch (e) {
    if (isBpf2pfError(e)) throw e;
    // Anything else is a bug here, but a header must never see it as one: report it as
    // the header's fault with the reason, so a caller gets a typed error.
    const why = e instanceof Error ? e.message : String(e);
    throw new Bpf2pfError('SCHEMA_SYNTAX', `${entryFiles.join(', ')}: cannot read header: ${why}`);
  }
}

function parse(entryFiles: string[], readFile: ReadFile): HeaderSchemas {
  const pp = preprocess(PRELUDE, entryFiles, readFile);
  const decls = readDeclarations(parseTranslationUnit(pp.tokens), builtinConstants());
  const exprs: MapExpressions = {
    evaluate: (e) => evaluate(e, decls.env),
    sizeofTypeOperand: (e) => (e.kind === 'sizeofType' ? decls.resolveTypeName(e.type) : undefined),
  };

  const maps: MapDeclaration[] = [];
  const mapSlots = new Map<string, readonly MapSlot[]>();
  const legacy: LegacyMap[] = [];
  const variables: HeaderVariable[] = [];
  for (const v of decls.variables) {
    if (v.section === '.maps') {
      const { declaration, slots } = decodeBtfMap(v, exprs);
      maps.push(declaration);
      if (slots.length) mapSlots.set(v.name, slots);
    } else if (v.section === 'maps') {
      const m = decodeLegacyMap(v, exprs);
      legacy.push(m);
      maps.push(m.declaration);
    } else {
      variables.push({ name: v.name, type: toSchema(v.type), extern: v.storage.includes('extern'), ...(v.section ? { section: v.section } : {}) });
    }
  }
  linkLegacyInnerMaps(maps, legacy, mapSlots);
  annotateKeyValuePairs(maps, decls);

  const types = new Map<string, TypeSchema>();
  for (const t of decls.types) if (!t.builtin) types.set(t.key, toSchema(t.type));
  return { types, maps, mapSlots, constants: headerConstants(pp.macros, decls), variables };
}

/** iproute2 map-in-map: the outer's inner_id names the inner's id; the inner's inner_idx is its slot. */
function linkLegacyInnerMaps(maps: MapDeclaration[], legacy: readonly LegacyMap[], slots: Map<string, readonly MapSlot[]>): void {
  for (const outer of legacy) {
    if (!outer.innerId) continue;
    const inner = legacy.find((m) => m.id === outer.innerId && m !== outer);
    if (!inner) continue;
    const i = maps.indexOf(outer.declaration);
    maps[i] = { ...outer.declaration, inner: inner.declaration };
    if (inner.innerIdx !== undefined) {
      slots.set(outer.declaration.name, [...(slots.get(outer.declaration.name) ?? []), { index: inner.innerIdx, target: inner.declaration.name }]);
    }
  }
}

/**
 * iproute2's BPF_ANNOTATE_KV_PAIR(name, K, V) declares `struct ____btf_map_name { K key; V value; }`:
 * the key and value types of legacy map `name` when its sizes were given as numbers.
 */
function annotateKeyValuePairs(maps: MapDeclaration[], decls: Declarations): void {
  maps.forEach((m, i) => {
    const pair = decls.types.find((t) => t.key === `struct ____btf_map_${m.name}`);
    const schema = pair && toSchema(pair.type);
    if (!schema || schema.kind !== 'struct') return;
    const key = schema.fields.find((f) => f.name === 'key')?.type;
    const value = schema.fields.find((f) => f.name === 'value')?.type;
    maps[i] = { ...m, ...(key && !m.key ? { key } : {}), ...(value && !m.value ? { value } : {}) };
  });
}

/** Header macros whose body is an integer constant expression, then enumerators. */
function headerConstants(macros: ReadonlyMap<string, MacroDefinition>, decls: Declarations): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of macros.values()) {
    if (m.builtin || m.params || m.body.length === 0) continue;
    const value = macroValue(m, macros, decls);
    if (value !== undefined) out.set(m.name, value);
  }
  for (const e of decls.enumerators) {
    if (!e.builtin && !e.name.startsWith(INTERNAL_NAME_PREFIX)) out.set(e.name, e.value.value);
  }
  return out;
}

function macroValue(m: MacroDefinition, macros: ReadonlyMap<string, MacroDefinition>, decls: Declarations): bigint | undefined {
  try {
    const body = m.body.map((t) => ({ ...t, hide: new Set([m.name]) }));
    const tokens = expandMacros(body, macros, { counter: 0, budget: 100_000 });
    if (tokens.some((t) => t.tokenType === T.StringLiteral)) return undefined;
    const expr: Expr = parseConstantExpression(tokens, decls.typedefNames);
    return evaluate(expr, decls.env).value;
  } catch (e) {
    if (isBpf2pfError(e)) return undefined; // not a constant: an alias, an attribute, a string
    return fail('SCHEMA_SYNTAX', `${m.token.file}: macro '${m.name}': ${String(e)}`);
  }
}
