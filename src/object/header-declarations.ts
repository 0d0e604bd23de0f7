/**
 * Meaning of the parsed declarations: which struct, union, enum and typedef names exist
 * with which layouts, which enumerators have which values, and which variables are
 * declared with which types, sections and initialisers. One file scope, as in C; a
 * header may replace a built-in (prelude) declaration, but not one of its own.
 */
import type {
  AttributeNode, DeclSpecifiers, Declarator, EnumSpecifier, Expr, ExternalDeclaration, Initializer,
  OffsetofStep, RecordSpecifier, SourceLoc, TypeName,
} from '../../grammars/c-header-ast.js';
import { fail } from '../errors.js';
import { evaluate, literalBytes, stringBody, where, wrap, type CInt, type ConstEnv } from './header-const-expr.js';
import {
  alignOf, baseType, describe, enumStorage, findMember, isComplete, memberNames, sizeOf, stripTypedefs,
  type CType, type EnumType, type RecordType,
} from './header-ctypes.js';
import { layoutRecord, type MemberInput } from './header-layout.js';
import { PRELUDE_FILE } from './header-preprocess.js';

export interface DeclaredType {
  /** `struct x`, `union x`, `enum x`, or a typedef name. */
  readonly key: string;
  readonly type: CType;
  readonly builtin: boolean;
}

export interface DeclaredVariable {
  readonly name: string;
  readonly type: CType;
  readonly storage: readonly string[];
  readonly section?: string;
  readonly initializer?: Initializer;
  readonly loc: SourceLoc;
}

export interface DeclaredConstant {
  readonly name: string;
  readonly value: CInt;
  readonly builtin: boolean;
}

export interface Declarations {
  readonly types: readonly DeclaredType[];
  readonly variables: readonly DeclaredVariable[];
  readonly enumerators: readonly DeclaredConstant[];
  readonly typedefNames: ReadonlySet<string>;
  /** C constant-expression semantics over everything declared. */
  readonly env: ConstEnv;
  resolveTypeName(t: TypeName): CType;
}

interface Tag {
  readonly type: CType;
  readonly builtin: boolean;
}

interface DeclAttributes {
  packed: boolean;
  align?: number;
  section?: string;
}

/** clang's alignment for a bare `aligned` attribute on BPF (__BIGGEST_ALIGNMENT__). */
const BIGGEST_ALIGNMENT = 16;
const MAX_ARRAY_LENGTH = 0xffffffff;
/** Attributes that change a layout in ways not modelled here. */
const UNSUPPORTED_ATTRIBUTES = new Set(['mode', 'vector_size', 'ms_struct', 'gcc_struct', 'ext_vector_type']);

class DeclarationReader {
  private readonly tags = new Map<string, Tag>();
  private readonly typedefs = new Map<string, Tag>();
  private readonly constants = new Map<string, DeclaredConstant>();
  private readonly typeOrder = new Map<string, DeclaredType>();
  readonly variables: DeclaredVariable[] = [];
  private readonly variableTypes = new Map<string, CType>();
  readonly enumerators: DeclaredConstant[] = [];

  constructor(private readonly builtins: ReadonlyMap<string, CInt>) {}

  readonly env: ConstEnv = {
    preprocessor: false,
    constant: (name) => this.constants.get(name)?.value ?? this.builtins.get(name),
    sizeofType: (t) => sizeOf(this.typeName(t), t.loc),
    alignofType: (t) => alignOf(this.typeName(t), t.loc),
    offsetof: (t, path) => this.offsetof(this.typeName(t), path, t.loc),
    castTarget: (t) => {
      const c = stripTypedefs(this.typeName(t));
      if (c.kind === 'int') return { size: c.size, signed: c.signed, bool: c.bool };
      if (c.kind === 'enum' && c.enumType.layout) return { size: c.enumType.layout.size, signed: c.enumType.layout.signed, bool: false };
      if (c.kind === 'pointer') return { size: 8, signed: false, bool: false };
      return fail('SCHEMA_SYNTAX', `${where(t.loc)}: cast to '${describe(c)}' in a constant expression`);
    },
    sizeofVariable: (name) => {
      const t = this.variableTypes.get(name);
      return t ? sizeOf(t, { file: '', line: 0, column: 0 }) : undefined;
    },
  };

  get types(): DeclaredType[] {
    return [...this.typeOrder.values()];
  }

  get typedefNames(): Set<string> {
    return new Set(this.typedefs.keys());
  }

  evalInt(e: Expr): CInt {
    return evaluate(e, this.env);
  }

  private note(key: string, type: CType, builtin: boolean): void {
    const old = this.typeOrder.get(key);
    if (old && !old.builtin && !builtin) return;
    if (old) this.typeOrder.delete(key);
    this.typeOrder.set(key, { key, type, builtin });
  }

  external(d: ExternalDeclaration): void {
    switch (d.kind) {
      case 'staticAssert':
        if (this.evalInt(d.test).value === 0n) {
          fail('SCHEMA_SYNTAX', `${where(d.loc)}: static assertion failed${d.message ? `: ${stringBody(d.message)}` : ''}`);
        }
        return;
      case 'function':
        this.specifiersType(d.specifiers);
        return;
      case 'declaration':
        return this.declaration(d);
      default: {
        const never: never = d;
        return never;
      }
    }
  }

  private declaration(d: Extract<ExternalDeclaration, { kind: 'declaration' }>): void {
    const base = this.specifiersType(d.specifiers);
    const isTypedef = d.specifiers.storage.includes('typedef');
    const builtin = d.loc.file === PRELUDE_FILE;
    for (const { declarator, initializer } of d.declarators) {
      const name = declarator.name;
      if (!name) fail('SCHEMA_SYNTAX', `${where(declarator.loc)}: declaration does not declare a name`);
      const attrs = this.attributes([...d.specifiers.attributes, ...declarator.attributes]);
      const type = this.derive(base, declarator);
      if (isTypedef) {
        if (initializer) fail('SCHEMA_SYNTAX', `${where(declarator.loc)}: a typedef cannot have an initializer`);
        this.defineTypedef(name, attrs.align === undefined ? { kind: 'typedef', name, target: type } : { kind: 'typedef', name, target: type, align: attrs.align }, builtin, declarator.loc);
        continue;
      }
      if (type.kind === 'function') continue;
      const sized = this.sizeFromInitializer(type, initializer);
      this.variableTypes.set(name, sized);
      this.variables.push({
        name, type: sized, storage: d.specifiers.storage, section: attrs.section, initializer, loc: declarator.loc,
      });
    }
  }

  private defineTypedef(name: string, t: Extract<CType, { kind: 'typedef' }>, builtin: boolean, loc: SourceLoc): void {
    const old = this.typedefs.get(name);
    if (old && !old.builtin && !builtin) {
      const prev = old.type.kind === 'typedef' ? old.type.target : old.type;
      if (describe(prev) !== describe(t.target) || sizeOrZero(prev) !== sizeOrZero(t.target)) {
        fail('SCHEMA_SYNTAX', `${where(loc)}: typedef redefinition with different types ('${describe(t.target)}' vs '${describe(prev)}')`);
      }
      return;
    }
    this.typedefs.set(name, { type: t, builtin });
    this.note(name, t, builtin);
  }

  /** `char s[] = "GPL"` and `int a[] = {1, 2}` take their length from the initializer. */
  private sizeFromInitializer(type: CType, init: Initializer | undefined): CType {
    if (type.kind !== 'array' || type.length !== undefined || !init) return type;
    if (init.kind === 'expr' && init.expr.kind === 'string') {
      return { ...type, length: literalBytes(stringBody(init.expr.text), init.loc).length + 1 };
    }
    if (init.kind !== 'list') return type;
    let next = 0;
    let length = 0;
    for (const item of init.items) {
      const first = item.designators[0];
      if (first?.kind === 'index') next = Number(this.evalInt(first.index).value);
      length = Math.max(length, ++next);
    }
    return { ...type, length };
  }

  typeName(t: TypeName): CType {
    return this.derive(this.specifiersType(t.specifiers), t.declarator);
  }

  specifiersType(specs: DeclSpecifiers): CType {
    const words: string[] = [];
    const others = [];
    for (const t of specs.types) {
      if (t.kind === 'base') words.push(...t.words);
      else others.push(t);
    }
    if (others.length > 1 || (others.length === 1 && words.length > 0)) {
      fail('SCHEMA_SYNTAX', `${where(specs.loc)}: cannot combine these type specifiers`);
    }
    const only = others[0];
    if (!only) {
      if (words.length === 0) fail('SCHEMA_SYNTAX', `${where(specs.loc)}: type specifier missing`);
      return baseType(words, specs.loc);
    }
    switch (only.kind) {
      case 'named': {
        const t = this.typedefs.get(only.name);
        if (!t) return fail('SCHEMA_UNKNOWN_TYPE', `${where(only.loc)}: unknown type name '${only.name}'`);
        return t.type;
      }
      case 'record':
        return this.recordType(only);
      case 'enum':
        return this.enumType(only);
      case 'typeof':
        return this.typeName(only.type);
      default:
        return fail('SCHEMA_SYNTAX', `${where(specs.loc)}: unexpected type specifier`);
    }
  }

  private tagFor(kind: 'struct' | 'union' | 'enum', tag: string, loc: SourceLoc): Tag | undefined {
    const old = this.tags.get(tag);
    if (!old) return undefined;
    const oldKind = old.type.kind === 'enum' ? 'enum' : old.type.kind === 'record' && old.type.record.union ? 'union' : 'struct';
    if (oldKind !== kind) fail('SCHEMA_SYNTAX', `${where(loc)}: use of '${tag}' with tag type that does not match previous declaration`);
    return old;
  }

  private recordType(spec: RecordSpecifier): CType {
    const kind = spec.union ? 'union' : 'struct';
    const builtin = spec.loc.file === PRELUDE_FILE;
    if (!spec.members) {
      if (!spec.tag) return fail('SCHEMA_SYNTAX', `${where(spec.loc)}: ${kind} needs a name or a body`);
      const old = this.tagFor(kind, spec.tag, spec.loc);
      if (old) return old.type;
      const type: CType = { kind: 'record', record: { tag: spec.tag, union: spec.union } };
      this.tags.set(spec.tag, { type, builtin });
      this.note(`${kind} ${spec.tag}`, type, builtin);
      return type;
    }
    let record: RecordType = { tag: spec.tag, union: spec.union };
    let type: CType = { kind: 'record', record };
    if (spec.tag) {
      const old = this.tagFor(kind, spec.tag, spec.loc);
      if (old && old.type.kind === 'record' && !old.type.record.layout) {
        record = old.type.record;
        type = old.type;
      } else if (old && !old.builtin && !builtin) {
        fail('SCHEMA_SYNTAX', `${where(spec.loc)}: redefinition of '${kind} ${spec.tag}'`);
      }
      this.tags.set(spec.tag, { type, builtin });
      this.note(`${kind} ${spec.tag}`, type, builtin);
    }
    const attrs = this.attributes(spec.attributes);
    const members = this.members(spec);
    record.layout = layoutRecord(members, { union: spec.union, packed: attrs.packed, alignAttr: attrs.align }, spec.loc);
    return type;
  }

  private members(spec: RecordSpecifier): MemberInput[] {
    const out: MemberInput[] = [];
    const names = new Set<string>();
    for (const md of spec.members ?? []) {
      const base = this.specifiersType(md.specifiers);
      const only = md.declarators[0];
      const bare = !only || (md.declarators.length === 1 && !only.declarator.name && !only.declarator.derivations.length && !only.bitWidth);
      if (bare) {
        // Only an untagged struct or union makes an anonymous member; anything else declares nothing.
        const ts = md.specifiers.types[0];
        if (ts?.kind === 'record' && !ts.tag && ts.members) {
          // The members of an anonymous member are members of this record too.
          for (const inner of memberNames(base)) {
            if (names.has(inner)) fail('SCHEMA_SYNTAX', `${where(md.loc)}: member of anonymous ${ts.union ? 'union' : 'struct'} redeclares '${inner}'`);
            names.add(inner);
          }
          const attrs = this.attributes([...md.specifiers.attributes, ...(only?.declarator.attributes ?? [])]);
          out.push({ name: '', type: base, packed: attrs.packed, alignAttr: attrs.align, loc: md.loc });
        }
        continue;
      }
      for (const m of md.declarators) {
        const name = m.declarator.name ?? '';
        if (!name && m.bitWidth === undefined) fail('SCHEMA_SYNTAX', `${where(m.loc)}: member has no name`);
        if (name && names.has(name)) fail('SCHEMA_SYNTAX', `${where(m.loc)}: duplicate member '${name}'`);
        names.add(name);
        const type = this.derive(base, m.declarator);
        const attrs = this.attributes([...md.specifiers.attributes, ...m.declarator.attributes]);
        if (!isComplete(type) && !(type.kind === 'array' && type.length === undefined && isComplete(type.element))) {
          fail('SCHEMA_UNKNOWN_TYPE', `${where(m.loc)}: member '${name}' has incomplete type '${describe(type)}'`);
        }
        const bitWidth = m.bitWidth === undefined ? undefined : Number(this.evalInt(m.bitWidth).value);
        out.push({ name, type, bitWidth, packed: attrs.packed, alignAttr: attrs.align, loc: m.loc });
      }
    }
    return out;
  }

  private enumType(spec: EnumSpecifier): CType {
    const builtin = spec.loc.file === PRELUDE_FILE;
    if (!spec.enumerators) {
      if (!spec.tag) return fail('SCHEMA_SYNTAX', `${where(spec.loc)}: enum needs a name or a body`);
      const old = this.tagFor('enum', spec.tag, spec.loc);
      if (old) return old.type;
      const type: CType = { kind: 'enum', enumType: { tag: spec.tag } };
      this.tags.set(spec.tag, { type, builtin });
      this.note(`enum ${spec.tag}`, type, builtin);
      return type;
    }
    let enumType: EnumType = { tag: spec.tag };
    let type: CType = { kind: 'enum', enumType };
    if (spec.tag) {
      const old = this.tagFor('enum', spec.tag, spec.loc);
      if (old && old.type.kind === 'enum' && !old.type.enumType.layout) {
        enumType = old.type.enumType;
        type = old.type;
      } else if (old && !old.builtin && !builtin) {
        fail('SCHEMA_SYNTAX', `${where(spec.loc)}: redefinition of 'enum ${spec.tag}'`);
      }
      this.tags.set(spec.tag, { type, builtin });
      this.note(`enum ${spec.tag}`, type, builtin);
    }
    const values: { name: string; value: bigint }[] = [];
    let prev: CInt | undefined;
    for (const e of spec.enumerators) {
      const v = e.value ? this.evalInt(e.value) : prev ? next(prev) : wrap(0n, 32, true);
      // An enumerator has type int when its value fits, else its own wider type.
      const c: CInt = v.value >= -(2n ** 31n) && v.value < 2n ** 31n ? wrap(v.value, 32, true) : v;
      const constant = { name: e.name, value: c, builtin };
      this.constants.set(e.name, constant);
      this.enumerators.push(constant);
      values.push({ name: e.name, value: v.value });
      prev = c;
    }
    const packed = this.attributes(spec.attributes).packed;
    enumType.layout = { ...enumStorage(values.map((v) => v.value), packed), values };
    return type;
  }

  private derive(base: CType, d: Declarator): CType {
    let t = base;
    for (const step of d.derivations) {
      if (step.kind === 'pointer') t = { kind: 'pointer', target: t };
      else if (step.kind === 'function') t = { kind: 'function' };
      else {
        if (t.kind === 'function') fail('SCHEMA_SYNTAX', `${where(step.loc)}: array of functions`);
        let length: number | undefined;
        if (step.size) {
          const v = this.evalInt(step.size).value;
          if (v < 0n || v > BigInt(MAX_ARRAY_LENGTH)) fail('SCHEMA_SYNTAX', `${where(step.loc)}: array size ${v} is out of range`);
          length = Number(v);
        }
        if (!isComplete(t)) fail('SCHEMA_UNKNOWN_TYPE', `${where(step.loc)}: array has incomplete element type '${describe(t)}'`);
        t = { kind: 'array', element: t, length };
      }
    }
    return t;
  }

  private attributes(list: readonly AttributeNode[]): DeclAttributes {
    const out: DeclAttributes = { packed: false };
    for (const a of list) {
      if (UNSUPPORTED_ATTRIBUTES.has(a.name)) fail('SCHEMA_SYNTAX', `${where(a.loc)}: attribute '${a.name}' is not supported`);
      if (a.name === 'packed') out.packed = true;
      else if (a.name === 'aligned') {
        const n = a.alignasType ? alignOf(this.typeName(a.alignasType), a.loc) : a.args[0] ? Number(this.evalInt(a.args[0]).value) : BIGGEST_ALIGNMENT;
        if (n === 0 && a.args.length) continue; // _Alignas(0) and aligned(0) have no effect
        if (n <= 0 || (n & (n - 1)) !== 0 || n > 2 ** 28) fail('SCHEMA_SYNTAX', `${where(a.loc)}: requested alignment ${n} is not a positive power of 2`);
        out.align = Math.max(out.align ?? 0, n);
      } else if (a.name === 'section') {
        const arg = a.args[0];
        if (arg?.kind !== 'string') fail('SCHEMA_SYNTAX', `${where(a.loc)}: section needs a string`);
        out.section = stringBody(arg.text);
      }
    }
    return out;
  }

  private offsetof(type: CType, path: readonly OffsetofStep[], loc: SourceLoc): number {
    let t = type;
    let bits = 0;
    for (const step of path) {
      const s = stripTypedefs(t);
      if (step.kind === 'index') {
        if (s.kind !== 'array') fail('SCHEMA_SYNTAX', `${where(step.loc)}: subscript of a non-array in offsetof`);
        bits += Number(this.evalInt(step.index).value) * sizeOf(s.element, loc) * 8;
        t = s.element;
        continue;
      }
      const found = s.kind === 'record' ? findMember(s, step.name) : undefined;
      if (!found) return fail('SCHEMA_SYNTAX', `${where(step.loc)}: no member named '${step.name}' in '${describe(t)}'`);
      if (found.bitSize) fail('SCHEMA_SYNTAX', `${where(step.loc)}: offsetof a bit-field`);
      bits += found.bitOffset;
      t = found.type;
    }
    return bits / 8;
  }
}

function next(prev: CInt): CInt {
  const v = prev.value + 1n;
  if (v < 2n ** 31n) return wrap(v, 32, true);
  return v < 2n ** 63n ? wrap(v, 64, true) : wrap(v, 64, false);
}

function sizeOrZero(t: CType): number {
  return isComplete(t) ? sizeOf(t, { file: '', line: 0, column: 0 }) : 0;
}

export function readDeclarations(decls: readonly ExternalDeclaration[], builtins: ReadonlyMap<string, CInt>): Declarations {
  const r = new DeclarationReader(builtins);
  for (const d of decls) r.external(d);
  return {
    types: r.types,
    variables: r.variables,
    enumerators: r.enumerators,
    typedefNames: r.typedefNames,
    env: r.env,
    resolveTypeName: (t) => r.typeName(t),
  };
}
