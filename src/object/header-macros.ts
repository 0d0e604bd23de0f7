/**
 * C macro expansion over tokens: object-like and function-like macros with `#`, `##`,
 * `__VA_ARGS__`, and hide sets (a macro's own name is not expanded again inside its
 * expansion, C11 6.10.3.4). Expanded tokens carry the place where the macro was used,
 * so errors in them point at a line of the header rather than at a definition.
 */
import type { IToken } from 'chevrotain';
import * as T from '../../grammars/c-header-tokens.js';
import type { SourceToken } from '../../grammars/c-header-tokens.js';
import { fail } from '../errors.js';

export interface MacroDefinition {
  readonly name: string;
  /** Present for a function-like macro; `__VA_ARGS__` names the variadic part. */
  readonly params?: readonly string[];
  readonly variadic: boolean;
  readonly body: readonly SourceToken[];
  /** Defined by the built-in prelude rather than by a header. */
  readonly builtin: boolean;
  readonly token: SourceToken;
}

/** What expansion needs besides the macros: counters that live for one preprocessing run. */
export interface ExpansionState {
  counter: number;
  /** Tokens still allowed to be produced, against exponential macro definitions. */
  budget: number;
  /** Hide sets are shared: `set + name` is made once per run, not once per token. */
  readonly hideCache?: WeakMap<ReadonlySet<string>, Map<string, ReadonlySet<string>>>;
}

const EMPTY: ReadonlySet<string> = new Set();

function withName(set: ReadonlySet<string> | undefined, name: string, state: ExpansionState): ReadonlySet<string> {
  const base = set ?? EMPTY;
  if (base.has(name)) return base;
  const byName = state.hideCache?.get(base);
  const cached = byName?.get(name);
  if (cached) return cached;
  const made = new Set([...base, name]);
  if (state.hideCache) {
    if (byName) byName.set(name, made);
    else state.hideCache.set(base, new Map([[name, made]]));
  }
  return made;
}

export function tokenWhere(t: IToken): string {
  return `${T.fileOf(t)}:${t.startLine ?? 0}:${t.startColumn ?? 0}`;
}

/** A token made from text at the place of `site`: a pasted, stringified or counted token. */
export function makeToken(text: string, site: SourceToken, hide?: ReadonlySet<string>): SourceToken {
  const toks = T.lexHeader(text, site.file).filter((t) => t.tokenType !== T.Newline);
  if (toks.length !== 1) fail('SCHEMA_SYNTAX', `${tokenWhere(site)}: '${text}' is not a single valid token`);
  return at(toks[0], site, hide);
}

function at(t: SourceToken, site: SourceToken, hide: ReadonlySet<string> | undefined): SourceToken {
  // A literal of one fixed shape: expansion makes many of these, and spreads are slow.
  return {
    image: t.image, tokenType: t.tokenType, tokenTypeIdx: t.tokenTypeIdx,
    startOffset: site.startOffset, startLine: site.startLine, startColumn: site.startColumn,
    endOffset: site.endOffset, endLine: site.endLine, endColumn: site.endColumn, file: site.file, hide,
  };
}

function union(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): ReadonlySet<string> {
  if (!a || a.size === 0) return b;
  return new Set([...a, ...b]);
}

function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): Set<string> {
  const out = new Set<string>();
  if (a && b) for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

function spend(state: ExpansionState, n: number, site: SourceToken): void {
  state.budget -= n;
  if (state.budget < 0) fail('SCHEMA_SYNTAX', `${tokenWhere(site)}: macro expansion is too large`);
}

/** Tokens of `input` with every macro expanded against `macros`. */
export function expandMacros(
  input: readonly SourceToken[],
  macros: ReadonlyMap<string, MacroDefinition>,
  state: ExpansionState,
): SourceToken[] {
  const out: SourceToken[] = [];
  // Pending tokens, next one last, so that an expansion is pushed back in front cheaply.
  const pending = input.slice().reverse();
  while (pending.length) {
    const t = pending.pop() as SourceToken;
    const name = T.isIdentifierLike(t) ? t.image : undefined;
    const m = name !== undefined && !t.hide?.has(name) ? macros.get(name) : undefined;
    if (name !== undefined && !m && !t.hide?.has(name)) {
      const dynamic = dynamicMacro(name, t, state);
      if (dynamic) {
        out.push(dynamic);
        continue;
      }
    }
    if (!m || name === undefined) {
      out.push(t);
      continue;
    }
    if (!m.params) {
      const hide = withName(t.hide, name, state);
      spend(state, m.body.length + 1, t);
      for (let i = m.body.length - 1; i >= 0; i--) pending.push(at(m.body[i], t, union(m.body[i].hide, hide)));
      continue;
    }
    // A function-like macro name not followed by '(' is an ordinary identifier.
    if (pending[pending.length - 1]?.tokenType !== T.LParen) {
      out.push(t);
      continue;
    }
    const { args, close } = collectArguments(pending, t, m);
    const hide = withName(intersect(t.hide, close.hide), name, state);
    const body = substitute(m, args, t, macros, state);
    spend(state, body.length + 1, t);
    for (let i = body.length - 1; i >= 0; i--) pending.push(at(body[i], t, union(body[i].hide, hide)));
  }
  return out;
}

function dynamicMacro(name: string, site: SourceToken, state: ExpansionState): SourceToken | undefined {
  switch (name) {
    case '__COUNTER__':
      return makeToken(String(state.counter++), site);
    case '__LINE__':
      return makeToken(String(site.startLine ?? 0), site);
    case '__FILE__':
      return makeToken(JSON.stringify(site.file), site);
    default:
      return undefined;
  }
}

function collectArguments(
  pending: SourceToken[],
  site: SourceToken,
  m: MacroDefinition,
): { args: SourceToken[][]; close: SourceToken } {
  pending.pop(); // '('
  const args: SourceToken[][] = [[]];
  let depth = 0;
  const params = m.params ?? [];
  for (;;) {
    const t = pending.pop();
    if (!t) return fail('SCHEMA_SYNTAX', `${tokenWhere(site)}: unterminated argument list invoking macro '${m.name}'`);
    if (t.tokenType === T.RParen && depth === 0) {
      if (params.length === 0 && args.length === 1 && args[0].length === 0) args.pop();
      const fixed = m.variadic ? params.length - 1 : params.length;
      if (m.variadic ? args.length < fixed : args.length !== fixed) {
        fail('SCHEMA_SYNTAX', `${tokenWhere(site)}: macro '${m.name}' takes ${fixed} arguments, ${args.length} given`);
      }
      while (m.variadic && args.length < params.length) args.push([]);
      return { args, close: t };
    }
    if (t.tokenType === T.LParen) depth++;
    if (t.tokenType === T.RParen) depth--;
    // Commas separate arguments, except inside parentheses and in the variadic tail.
    if (t.tokenType === T.Comma && depth === 0 && !(m.variadic && args.length === params.length)) {
      args.push([]);
      continue;
    }
    args[args.length - 1].push(t);
  }
}

function stringify(tokens: readonly SourceToken[], site: SourceToken): SourceToken {
  let text = '';
  tokens.forEach((t, i) => {
    // One space wherever the argument had white space between tokens.
    if (i > 0 && (tokens[i - 1].endOffset ?? 0) + 1 < t.startOffset) text += ' ';
    text += t.image;
  });
  return makeToken(JSON.stringify(text), site);
}

/** The body of a function-like macro with its parameters replaced (C11 6.10.3.1 to 6.10.3.3). */
function substitute(
  m: MacroDefinition,
  args: readonly SourceToken[][],
  site: SourceToken,
  macros: ReadonlyMap<string, MacroDefinition>,
  state: ExpansionState,
): SourceToken[] {
  const params = m.params ?? [];
  const argOf = (t: SourceToken | undefined): SourceToken[] | undefined => {
    if (!t || !T.isIdentifierLike(t)) return undefined;
    const i = params.indexOf(t.image);
    return i < 0 ? undefined : args[i];
  };
  const out: SourceToken[] = [];
  const body = m.body;
  for (let i = 0; i < body.length; i++) {
    const b = body[i];
    if (b.tokenType === T.Hash && argOf(body[i + 1])) {
      out.push(stringify(argOf(body[i + 1]) ?? [], site));
      i++;
      continue;
    }
    if (b.tokenType === T.HashHash && out.length > 0 && i + 1 < body.length) {
      const next = body[i + 1];
      const rhs = argOf(next) ?? [next];
      i++;
      const lhs = out.pop() as SourceToken;
      // GNU: `, ## __VA_ARGS__` drops the comma when the variadic part is empty.
      if (rhs.length === 0) {
        if (!(lhs.tokenType === T.Comma && next.image === '__VA_ARGS__')) out.push(lhs);
        continue;
      }
      out.push(makeToken(lhs.image + rhs[0].image, site), ...rhs.slice(1));
      continue;
    }
    const arg = argOf(b);
    if (arg) {
      const pasted = body[i + 1]?.tokenType === T.HashHash;
      out.push(...(pasted ? arg : expandMacros(arg, macros, state)));
      continue;
    }
    out.push(b);
  }
  return out;
}
