/**
 * Tokens of the C subset that map and struct headers use. The lexer never fails: any
 * character it does not know becomes an `Other` token, because text inside `#if 0`
 * blocks need not be C, and only a token that reaches the parser can be an error.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

/** Every token that can appear inside a skipped `{ ... }` body is in this category. */
export const NotBrace = createToken({ name: 'NotBrace', pattern: Lexer.NA });
/** Identifiers and keywords: attribute names are either. */
export const AnyWord = createToken({ name: 'AnyWord', pattern: Lexer.NA });
export const StorageClass = createToken({ name: 'StorageClass', pattern: Lexer.NA });
export const Qualifier = createToken({ name: 'Qualifier', pattern: Lexer.NA });
export const BaseTypeWord = createToken({ name: 'BaseTypeWord', pattern: Lexer.NA });
export const UnaryOp = createToken({ name: 'UnaryOp', pattern: Lexer.NA });
export const MulOp = createToken({ name: 'MulOp', pattern: Lexer.NA });
export const AddOp = createToken({ name: 'AddOp', pattern: Lexer.NA });
export const ShiftOp = createToken({ name: 'ShiftOp', pattern: Lexer.NA });
export const RelOp = createToken({ name: 'RelOp', pattern: Lexer.NA });
export const EqOp = createToken({ name: 'EqOp', pattern: Lexer.NA });

function tok(name: string, pattern: RegExp | string, categories: TokenType[] = [], longerAlt?: TokenType): TokenType {
  const label = typeof pattern === 'string' ? `'${pattern}'` : name;
  return createToken({
    name, pattern, label, categories: [NotBrace, ...categories], ...(longerAlt ? { longer_alt: longerAlt } : {}),
  });
}

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
// A backslash-newline joins lines; skipping it keeps a continued directive on one line.
export const LineContinuation = createToken({
  name: 'LineContinuation', pattern: /\\\r?\n/, group: Lexer.SKIPPED, line_breaks: true,
});
// Comments are skipped without a Newline token, so a comment spanning lines inside a
// directive leaves the directive on one logical line, as in C.
export const BlockComment = createToken({
  name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
/** Kept in the stream for the preprocessor, which removes it before parsing. */
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n|\r/, line_breaks: true });

export const Identifier = tok('Identifier', /[A-Za-z_$][A-Za-z0-9_$]*/, [AnyWord]);

function keyword(word: string, ...categories: TokenType[]): TokenType {
  return tok(`Kw_${word}`, word, [AnyWord, ...categories], Identifier);
}

export const Struct = keyword('struct');
export const Union = keyword('union');
export const Enum = keyword('enum');
export const Typedef = keyword('typedef', StorageClass);
export const Sizeof = keyword('sizeof');
export const Alignof = tok('Alignof', /_Alignof|__alignof__|__alignof/, [AnyWord], Identifier);
export const Alignas = keyword('_Alignas');
export const StaticAssert = keyword('_Static_assert');
export const Typeof = keyword('typeof');
export const Attribute = keyword('__attribute__');
export const BuiltinOffsetof = keyword('__builtin_offsetof');
export const Const = keyword('const', Qualifier);
export const Volatile = keyword('volatile', Qualifier);
export const Restrict = keyword('restrict', Qualifier);
export const Atomic = keyword('_Atomic', Qualifier);
export const Static = keyword('static', StorageClass);
export const Extern = keyword('extern', StorageClass);
export const Inline = keyword('inline', StorageClass);
export const Register = keyword('register', StorageClass);
export const Auto = keyword('auto', StorageClass);
export const ThreadLocal = keyword('_Thread_local', StorageClass);
export const Void = keyword('void', BaseTypeWord);
export const Char = keyword('char', BaseTypeWord);
export const Short = keyword('short', BaseTypeWord);
export const Int = keyword('int', BaseTypeWord);
export const Long = keyword('long', BaseTypeWord);
export const Float = keyword('float', BaseTypeWord);
export const Double = keyword('double', BaseTypeWord);
export const Signed = keyword('signed', BaseTypeWord);
export const Unsigned = keyword('unsigned', BaseTypeWord);
export const Bool = keyword('_Bool', BaseTypeWord);
export const Int128 = keyword('__int128', BaseTypeWord);

/** The words that make up a built-in arithmetic type. */
export const BASE_TYPE_WORDS: readonly TokenType[] = [Void, Char, Short, Int, Long, Float, Double, Signed, Unsigned, Bool, Int128];
export const QUALIFIERS: readonly TokenType[] = [Const, Volatile, Restrict, Atomic];
export const STORAGE: readonly TokenType[] = [Typedef, Static, Extern, Inline, Register, Auto, ThreadLocal];

// A pp-number: anything a C preprocessor would read as one number token. Whether it is
// a valid integer is decided when it is evaluated.
export const NumberLiteral = tok('NumberLiteral', /\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*/);
export const StringLiteral = tok('StringLiteral', /(?:u8|[uUL])?"(?:[^"\\\n\r]|\\[\s\S])*"/);
export const CharLiteral = tok('CharLiteral', /[uUL]?'(?:[^'\\\n\r]|\\[\s\S])+'/);

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const LParen = tok('LParen', '(');
export const RParen = tok('RParen', ')');
export const LBracket = tok('LBracket', '[');
export const RBracket = tok('RBracket', ']');
export const Semicolon = tok('Semicolon', ';');
export const Comma = tok('Comma', ',');
export const Ellipsis = tok('Ellipsis', '...');
export const Arrow = tok('Arrow', '->');
export const Dot = tok('Dot', '.');
export const Question = tok('Question', '?');
export const Colon = tok('Colon', ':');
export const HashHash = tok('HashHash', '##');
export const Hash = tok('Hash', '#');
// Compound assignments and increments appear only inside skipped function bodies.
export const AssignOp = tok('AssignOp', /<<=|>>=|[-+*/%&|^]=/);
export const IncDec = tok('IncDec', /\+\+|--/);
export const EqEq = tok('EqEq', '==', [EqOp]);
export const NotEq = tok('NotEq', '!=', [EqOp]);
export const LessEq = tok('LessEq', '<=', [RelOp]);
export const GreaterEq = tok('GreaterEq', '>=', [RelOp]);
export const ShiftLeft = tok('ShiftLeft', '<<', [ShiftOp]);
export const ShiftRight = tok('ShiftRight', '>>', [ShiftOp]);
export const Less = tok('Less', '<', [RelOp]);
export const Greater = tok('Greater', '>', [RelOp]);
export const AndAnd = tok('AndAnd', '&&');
export const OrOr = tok('OrOr', '||');
export const Assign = tok('Assign', '=');
export const Plus = tok('Plus', '+', [UnaryOp, AddOp]);
export const Minus = tok('Minus', '-', [UnaryOp, AddOp]);
export const Star = tok('Star', '*', [UnaryOp, MulOp]);
export const Slash = tok('Slash', '/', [MulOp]);
export const Percent = tok('Percent', '%', [MulOp]);
export const Amp = tok('Amp', '&', [UnaryOp]);
export const Pipe = tok('Pipe', '|');
export const Caret = tok('Caret', '^');
export const Tilde = tok('Tilde', '~', [UnaryOp]);
export const Bang = tok('Bang', '!', [UnaryOp]);
export const Other = tok('Other', /[^\n\r]/);

const KEYWORDS: readonly TokenType[] = [
  Struct, Union, Enum, Typedef, Sizeof, Alignof, Alignas, StaticAssert, Typeof, Attribute, BuiltinOffsetof,
  ...QUALIFIERS, Static, Extern, Inline, Register, Auto, ThreadLocal, ...BASE_TYPE_WORDS,
];

export const ALL_TOKENS: readonly TokenType[] = [
  NotBrace, AnyWord, StorageClass, Qualifier, BaseTypeWord, UnaryOp, MulOp, AddOp, ShiftOp, RelOp, EqOp, WhiteSpace, LineContinuation, BlockComment, LineComment, Newline,
  ...KEYWORDS, Identifier, NumberLiteral, StringLiteral, CharLiteral,
  LCurly, RCurly, LParen, RParen, LBracket, RBracket, Semicolon, Comma, Ellipsis, Arrow, Dot,
  Question, Colon, HashHash, Hash, AssignOp, IncDec, EqEq, NotEq, LessEq, GreaterEq, ShiftLeft, ShiftRight,
  Less, Greater, AndAnd, OrOr, Assign, Plus, Minus, Star, Slash, Percent, Amp, Pipe, Caret, Tilde, Bang, Other,
];

/**
 * A token with the file it came from. Tokens made by macro expansion carry the place
 * of the macro use, and the names of the macros that must not expand in them again.
 */
export interface SourceToken extends IToken {
  readonly file: string;
  readonly hide?: ReadonlySet<string>;
}

/** Identifiers and keywords: the tokens a macro can be named by. */
export function isIdentifierLike(t: IToken): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(t.image) && t.tokenType !== NumberLiteral;
}

export function fileOf(t: IToken): string {
  const f = (t as Partial<SourceToken>).file;
  return typeof f === 'string' ? f : '<input>';
}

// Stateless once built (tokenize keeps no state between calls), so one instance is shared.
const lexer = new Lexer(ALL_TOKENS as TokenType[], { ensureOptimizations: false, positionTracking: 'full' });

/** Tokens of `text`, Newline tokens included, each tagged with `file`. */
export function lexHeader(text: string, file: string): SourceToken[] {
  const result = lexer.tokenize(text);
  // The catch-all Other token matches every non-space character, so lexing cannot fail.
  return result.tokens.map((t) => ({ ...t, file }));
}
