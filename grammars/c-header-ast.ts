/**
 * The syntax tree the C header grammar builds. It keeps what was written (spellings,
 * expressions, attributes) and decides nothing about meaning: sizes, names and maps
 * are worked out from it in src/object/header-*.ts.
 */

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type Expr =
  | { readonly kind: 'number'; readonly text: string; readonly loc: SourceLoc }
  | { readonly kind: 'char'; readonly text: string; readonly loc: SourceLoc }
  | { readonly kind: 'string'; readonly text: string; readonly loc: SourceLoc }
  | { readonly kind: 'ident'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'unary'; readonly op: string; readonly operand: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'conditional'; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'cast'; readonly type: TypeName; readonly operand: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'sizeofType'; readonly type: TypeName; readonly loc: SourceLoc }
  | { readonly kind: 'sizeofExpr'; readonly operand: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'alignofType'; readonly type: TypeName; readonly loc: SourceLoc }
  | { readonly kind: 'offsetof'; readonly type: TypeName; readonly path: readonly OffsetofStep[]; readonly loc: SourceLoc }
  /** Calls, member access and subscripts: parsed so that initialisers read, never constant. */
  | { readonly kind: 'postfix'; readonly base: Expr; readonly what: string; readonly loc: SourceLoc };

export type OffsetofStep =
  | { readonly kind: 'member'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'index'; readonly index: Expr; readonly loc: SourceLoc };

/** `__attribute__((name(args)))`, `_Alignas(...)`; names are kept without underscores around them. */
export interface AttributeNode {
  readonly name: string;
  readonly args: readonly Expr[];
  /** `_Alignas(type)`: the alignment of a type. */
  readonly alignasType?: TypeName;
  readonly loc: SourceLoc;
}

export type TypeSpecifier =
  /** Built-in words in the order written: `unsigned long long`. */
  | { readonly kind: 'base'; readonly words: readonly string[]; readonly loc: SourceLoc }
  | { readonly kind: 'named'; readonly name: string; readonly loc: SourceLoc }
  | RecordSpecifier
  | EnumSpecifier
  | { readonly kind: 'typeof'; readonly type: TypeName; readonly loc: SourceLoc };

export interface RecordSpecifier {
  readonly kind: 'record';
  readonly union: boolean;
  readonly tag?: string;
  /** Absent for a reference or forward declaration (`struct x`), present for a definition. */
  readonly members?: readonly MemberDeclaration[];
  /** Between the keyword and the tag, and after the closing brace. */
  readonly attributes: readonly AttributeNode[];
  readonly loc: SourceLoc;
}

export interface EnumSpecifier {
  readonly kind: 'enum';
  readonly tag?: string;
  readonly enumerators?: readonly Enumerator[];
  readonly attributes: readonly AttributeNode[];
  readonly loc: SourceLoc;
}

export interface Enumerator {
  readonly name: string;
  readonly value?: Expr;
  readonly loc: SourceLoc;
}

export interface DeclSpecifiers {
  /** typedef, static, extern, inline, ... */
  readonly storage: readonly string[];
  /** Type specifiers in order; more than one is an error unless they are all base words. */
  readonly types: readonly TypeSpecifier[];
  /** Attributes outside the struct/enum specifier: they belong to the declarations. */
  readonly attributes: readonly AttributeNode[];
  readonly loc: SourceLoc;
}

/** One type derivation written in a declarator. */
export type DeclaratorSuffix =
  | { readonly kind: 'pointer'; readonly loc: SourceLoc }
  | { readonly kind: 'array'; readonly size?: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'function'; readonly params: readonly ParameterDeclaration[]; readonly variadic: boolean; readonly loc: SourceLoc };

export interface Declarator {
  /** Absent in an abstract declarator (`int (*)[4]`) or an unnamed bitfield. */
  readonly name?: string;
  /**
   * Derivations applied to the base type in this order, the one nearest the name last:
   * `*a[3]` is [pointer, array 3] (an array of pointers), `(*a)[3]` is [array 3, pointer].
   */
  readonly derivations: readonly DeclaratorSuffix[];
  readonly attributes: readonly AttributeNode[];
  readonly loc: SourceLoc;
}

export interface ParameterDeclaration {
  readonly specifiers: DeclSpecifiers;
  readonly declarator: Declarator;
}

export interface TypeName {
  readonly specifiers: DeclSpecifiers;
  readonly declarator: Declarator;
  readonly loc: SourceLoc;
}

export interface MemberDeclaration {
  readonly specifiers: DeclSpecifiers;
  readonly declarators: readonly MemberDeclarator[];
  readonly loc: SourceLoc;
}

export interface MemberDeclarator {
  readonly declarator: Declarator;
  readonly bitWidth?: Expr;
  readonly loc: SourceLoc;
}

export type Initializer =
  | { readonly kind: 'expr'; readonly expr: Expr; readonly loc: SourceLoc }
  | { readonly kind: 'list'; readonly items: readonly InitializerItem[]; readonly loc: SourceLoc };

export interface InitializerItem {
  readonly designators: readonly Designator[];
  readonly value: Initializer;
}

export type Designator =
  | { readonly kind: 'field'; readonly name: string; readonly loc: SourceLoc }
  | { readonly kind: 'index'; readonly index: Expr; readonly loc: SourceLoc };

export interface InitDeclarator {
  readonly declarator: Declarator;
  readonly initializer?: Initializer;
}

export type ExternalDeclaration =
  | {
      readonly kind: 'declaration';
      readonly specifiers: DeclSpecifiers;
      readonly declarators: readonly InitDeclarator[];
      readonly loc: SourceLoc;
    }
  /** A function with a body: the body is skipped. */
  | { readonly kind: 'function'; readonly specifiers: DeclSpecifiers; readonly declarator: Declarator; readonly loc: SourceLoc }
  | { readonly kind: 'staticAssert'; readonly test: Expr; readonly message: string; readonly loc: SourceLoc };
