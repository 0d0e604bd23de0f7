/**
 * Integer constant expressions with C's types: `~0U` is 4294967295 and `~0` is -1, and
 * `1 << 31` is INT_MIN, as clang evaluates them for the BPF target (int 32 bits, long
 * 64). In `#if` lines every value is intmax_t or uintmax_t instead, and identifiers
 * left after macro expansion are 0, as the C standard says.
 */
import type { Expr, OffsetofStep, SourceLoc, TypeName } from '../../grammars/c-header-ast.js';
import { fail } from '../errors.js';

/** An integer value with its C type: int, unsigned int, long or unsigned long. */
export interface CInt {
  readonly value: bigint;
  readonly bits: 32 | 64;
  readonly signed: boolean;
}

/** The integer type a cast converts to. */
export interface IntTarget {
  readonly size: number;
  readonly signed: boolean;
  readonly bool: boolean;
}

/** What an expression can ask of the declarations around it. */
export interface ConstEnv {
  /** `#if` semantics: 64-bit arithmetic, unknown identifiers are 0. */
  readonly preprocessor: boolean;
  constant(name: string): CInt | undefined;
  sizeofType(t: TypeName): number;
  alignofType(t: TypeName): number;
  offsetof(t: TypeName, path: readonly OffsetofStep[]): number;
  /** The integer type of a cast; fails for types that are not integers. */
  castTarget(t: TypeName): IntTarget;
  /** sizeof applied to a variable name; undefined if it names none. */
  sizeofVariable(name: string): number | undefined;
}

export function where(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

function notConstant(loc: SourceLoc, what: string): never {
  return fail('SCHEMA_SYNTAX', `${where(loc)}: ${what} is not an integer constant expression`);
}

export function wrap(value: bigint, bits: 32 | 64, signed: boolean): CInt {
  return { value: signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value), bits, signed };
}

const INT = (v: bigint): CInt => wrap(v, 32, true);
const ULONG = (v: bigint): CInt => wrap(v, 64, false);

function fits(v: bigint, bits: 32 | 64, signed: boolean): boolean {
  return (signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v)) === v;
}

/** An integer literal with its type per C11 6.4.4.1. */
export function parseIntegerLiteral(text: string, loc: SourceLoc): CInt {
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?$/.exec(text);
  if (!m) return fail('SCHEMA_SYNTAX', `${where(loc)}: '${text}' is not an integer literal`);
  const digits = m[1];
  const value = /^0[bB]/.test(digits) ? BigInt(digits) : /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  const suffix = (m[2] ?? '').toLowerCase();
  const unsigned = suffix.includes('u');
  const long = suffix.includes('l');
  const decimal = !/^0./.test(digits);
  const candidates: [32 | 64, boolean][] = [];
  if (!long) candidates.push(...(unsigned ? [[32, false]] : decimal ? [[32, true]] : [[32, true], [32, false]]) as [32, boolean][]);
  candidates.push(...(unsigned ? [[64, false]] : decimal ? [[64, true]] : [[64, true], [64, false]]) as [64, boolean][]);
  // clang accepts a decimal literal too big for long as unsigned long, with a warning.
  candidates.push([64, false]);
  for (const [bits, signed] of candidates) if (fits(value, bits, signed)) return { value, bits, signed };
  return fail('SCHEMA_SYNTAX', `${where(loc)}: integer literal '${text}' is too large`);
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };

/** Bytes of the body of a char or string literal (without quotes), escapes decoded. */
export function literalBytes(body: string, loc: SourceLoc): number[] {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      const code = body.charCodeAt(i);
      if (code > 0x7f) out.push(...new TextEncoder().encode(c));
      else out.push(code);
      continue;
    }
    const n = body[++i] ?? '';
    if (n in ESCAPES) out.push(ESCAPES[n]);
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))?.[0] ?? n;
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else if (n === 'x') {
      const hex = /^[0-9a-fA-F]+/.exec(body.slice(i + 1))?.[0];
      if (!hex) fail('SCHEMA_SYNTAX', `${where(loc)}: \\x used with no following hex digits`);
      out.push(parseInt(hex.slice(-2), 16));
      i += hex.length;
    } else fail('SCHEMA_SYNTAX', `${where(loc)}: unknown escape sequence '\\${n}'`);
  }
  return out;
}

/** A character constant: type int, `char` being signed on BPF. */
export function parseCharLiteral(text: string, loc: SourceLoc): CInt {
  if (!text.startsWith("'")) fail('SCHEMA_SYNTAX', `${where(loc)}: wide character constants are not supported`);
  const bytes = literalBytes(text.slice(1, -1), loc);
  if (bytes.length === 1) return INT(BigInt.asIntN(8, BigInt(bytes[0])));
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return INT(v);
}

/** The usual arithmetic conversions (C11 6.3.1.8) for the four types used here. */
function common(a: CInt, b: CInt): { bits: 32 | 64; signed: boolean } {
  if (a.signed === b.signed) return { bits: a.bits >= b.bits ? a.bits : b.bits, signed: a.signed };
  const [u, s] = a.signed ? [b, a] : [a, b];
  if (u.bits >= s.bits) return { bits: u.bits, signed: false };
  return { bits: s.bits, signed: true };
}

function convert(v: CInt, t: { bits: 32 | 64; signed: boolean }): CInt {
  return wrap(v.value, t.bits, t.signed);
}

function truth(b: boolean, env: ConstEnv): CInt {
  return env.preprocessor ? wrap(b ? 1n : 0n, 64, true) : INT(b ? 1n : 0n);
}

/** Promotes to intmax/uintmax in `#if` lines, where every value has one of those types. */
function pp(v: CInt, env: ConstEnv): CInt {
  return env.preprocessor ? wrap(v.value, 64, v.signed) : v;
}

export function evaluate(e: Expr, env: ConstEnv): CInt {
  switch (e.kind) {
    case 'number':
      return pp(parseIntegerLiteral(e.text, e.loc), env);
    case 'char':
      return pp(parseCharLiteral(e.text, e.loc), env);
    case 'string':
      return notConstant(e.loc, 'a string literal');
    case 'ident': {
      const c = env.constant(e.name);
      if (c) return pp(c, env);
      if (env.preprocessor) return wrap(0n, 64, true);
      return fail('SCHEMA_SYNTAX', `${where(e.loc)}: use of undeclared identifier '${e.name}' in a constant expression`);
    }
    case 'unary':
      return unary(e.op, evaluate(e.operand, env), e.loc, env);
    case 'binary':
      return binary(e, env);
    case 'conditional': {
      const test = evaluate(e.test, env).value !== 0n;
      const chosen = evaluate(test ? e.then : e.otherwise, env);
      const other = tryEvaluate(test ? e.otherwise : e.then, env);
      return other ? convert(chosen, common(chosen, other)) : chosen;
    }
    case 'cast': {
      const target = env.castTarget(e.type);
      const v = evaluate(e.operand, env);
      if (target.bool) return INT(v.value !== 0n ? 1n : 0n);
      const bits = target.size * 8;
      const narrowed = target.signed ? BigInt.asIntN(bits, v.value) : BigInt.asUintN(bits, v.value);
      // Types narrower than int are promoted back to int when used.
      return target.size < 4 ? INT(narrowed) : wrap(narrowed, target.size === 4 ? 32 : 64, target.signed);
    }
    case 'sizeofType':
      return ULONG(BigInt(env.sizeofType(e.type)));
    case 'sizeofExpr':
      return ULONG(BigInt(sizeofExpression(e.operand, env)));
    case 'alignofType':
      return ULONG(BigInt(env.alignofType(e.type)));
    case 'offsetof':
      return ULONG(BigInt(env.offsetof(e.type, e.path)));
    case 'postfix':
      return notConstant(e.loc, `a ${e.what}`);
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** The value, or undefined when the expression is not a constant (no exception escapes). */
export function tryEvaluate(e: Expr, env: ConstEnv): CInt | undefined {
  try {
    return evaluate(e, env);
  } catch {
    return undefined;
  }
}

function sizeofExpression(e: Expr, env: ConstEnv): number {
  if (e.kind === 'string') return literalBytes(stringBody(e.text), e.loc).length + 1;
  if (e.kind === 'ident') {
    const size = env.sizeofVariable(e.name);
    if (size !== undefined) return size;
    if (env.constant(e.name)) return 4;
  }
  if (e.kind === 'number' || e.kind === 'char' || e.kind === 'unary' || e.kind === 'binary') return evaluate(e, env).bits / 8;
  return notConstant(e.loc, 'sizeof of this expression');
}

/** Concatenated string-literal pieces ("a" "b") to the body between the quotes. */
export function stringBody(text: string): string {
  return [...text.matchAll(/"((?:[^"\\]|\\[\s\S])*)"/g)].map((m) => m[1]).join('');
}

function unary(op: string, v: CInt, loc: SourceLoc, env: ConstEnv): CInt {
  switch (op) {
    case '+':
      return v;
    case '-':
      return wrap(-v.value, v.bits, v.signed);
    case '~':
      return wrap(~v.value, v.bits, v.signed);
    case '!':
      return truth(v.value === 0n, env);
    default:
      return notConstant(loc, `unary '${op}'`);
  }
}

function binary(e: Extract<Expr, { kind: 'binary' }>, env: ConstEnv): CInt {
  if (e.op === '&&' || e.op === '||') {
    const l = evaluate(e.left, env).value !== 0n;
    if (e.op === '&&' ? !l : l) return truth(l, env);
    return truth(evaluate(e.right, env).value !== 0n, env);
  }
  const a = evaluate(e.left, env);
  const b = evaluate(e.right, env);
  if (e.op === '<<' || e.op === '>>') {
    if (b.value < 0n || b.value >= BigInt(a.bits)) {
      fail('SCHEMA_SYNTAX', `${where(e.loc)}: shift count ${b.value} is out of range for a ${a.bits}-bit value`);
    }
    return wrap(e.op === '<<' ? a.value << b.value : a.value >> b.value, a.bits, a.signed);
  }
  const t = common(a, b);
  const x = convert(a, t).value;
  const y = convert(b, t).value;
  switch (e.op) {
    case '*':
      return wrap(x * y, t.bits, t.signed);
    case '/':
    case '%':
      if (y === 0n) fail('SCHEMA_SYNTAX', `${where(e.loc)}: division by zero in a constant expression`);
      return wrap(e.op === '/' ? x / y : x % y, t.bits, t.signed);
    case '+':
      return wrap(x + y, t.bits, t.signed);
    case '-':
      return wrap(x - y, t.bits, t.signed);
    case '&':
      return wrap(x & y, t.bits, t.signed);
    case '|':
      return wrap(x | y, t.bits, t.signed);
    case '^':
      return wrap(x ^ y, t.bits, t.signed);
    case '<':
      return truth(x < y, env);
    case '>':
      return truth(x > y, env);
    case '<=':
      return truth(x <= y, env);
    case '>=':
      return truth(x >= y, env);
    case '==':
      return truth(x === y, env);
    case '!=':
      return truth(x !== y, env);
    default:
      return notConstant(e.loc, `operator '${e.op}'`);
  }
}
