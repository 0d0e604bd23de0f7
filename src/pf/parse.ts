/**
 * pf.conf text to its AST (grammars/pf-ast.ts), the way pfctl reads it: the text is cut
 * into statements at line ends outside `{ }` (pfctl allows newlines inside lists),
 * macros are defined by `name = "value"` and expanded where `$name` appears (not inside
 * quotes), each statement is parsed on its own, and the statements must come in
 * pfctl's order (options, translation, filtering; macros and tables anywhere) unless
 * the text says `set require-order no`.
 */
import type { IToken } from 'chevrotain';
import { fail } from '../errors.js';
import type { PfFile, PfStatement } from '../../grammars/pf-ast.js';
import { parseStatementTokens } from '../../grammars/pf.js';
import * as T from '../../grammars/pf-tokens.js';

/** How deep a macro may refer to macros; pfctl has no limit, a cycle would loop. */
const MACRO_DEPTH = 16;

function where(t: IToken | undefined): string {
  return `line ${t?.startLine ?? 0}:${t?.startColumn ?? 0}`;
}

function splitStatements(text: string): IToken[][] {
  const out: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  for (const t of T.pfLexer.tokenize(text).tokens) {
    if (t.tokenType === T.Newline) {
      if (depth > 0) continue;
      if (current.length > 0) out.push(current);
      current = [];
      continue;
    }
    if (t.tokenType === T.LCurly) depth++;
    if (t.tokenType === T.RCurly) depth = Math.max(0, depth - 1);
    current.push(t);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * pfctl expands a macro in its lexer, so `$if:0` reads as the value followed by `:0` in
 * one word. Tokens are expanded here instead; a word written right after the reference
 * (no space) is joined to the value before it is lexed, which gives the same words.
 */
function expand(tokens: readonly IToken[], macros: ReadonlyMap<string, string>, depth: number): IToken[] {
  const out: IToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.tokenType !== T.MacroRef) {
      out.push(t);
      continue;
    }
    const value = macros.get(t.image.slice(1));
    if (value === undefined) fail('PF_SYNTAX', `${where(t)}: macro '${t.image.slice(1)}' not defined`);
    if (depth >= MACRO_DEPTH) fail('PF_SYNTAX', `${where(t)}: macros nested more than ${MACRO_DEPTH} deep`);
    const next = tokens[i + 1];
    const joined = next !== undefined && next.tokenType === T.Word && next.startOffset === (t.endOffset ?? -2) + 1;
    if (joined) i++;
    // The value's tokens take the position of the reference, so errors point at it.
    const inner = T.pfLexer.tokenize(joined ? value + next.image : value).tokens
      .filter((v) => v.tokenType !== T.Newline)
      .map((v) => ({ ...v, startLine: t.startLine, startColumn: t.startColumn, endLine: t.endLine, endColumn: t.endColumn }));
    out.push(...expand(inner, macros, depth + 1));
  }
  return out;
}

/** pfctl's statement classes, in the order it requires. */
function orderClass(s: PfStatement): { rank: number; name: string } | null {
  switch (s.kind) {
    case 'macro':
    case 'table':
      return null;
    case 'set': return { rank: 1, name: 'options' };
    case 'translation': return { rank: 5, name: 'translation' };
    case 'anchor': return s.type === 'anchor' ? { rank: 6, name: 'filtering' } : { rank: 5, name: 'translation' };
    case 'filter': return { rank: 6, name: 'filtering' };
  }
}

export interface ParsePfOptions {
  /** Check pfctl's statement order (default true; `set require-order no` also turns it off). */
  readonly requireOrder?: boolean;
}

export function parsePf(text: string, options: ParsePfOptions = {}): PfFile {
  const macros = new Map<string, string>();
  const statements: PfStatement[] = [];
  let requireOrder = options.requireOrder ?? true;
  let seen = { rank: 0, name: 'start' };
  for (const raw of splitStatements(text)) {
    const isMacroDef = raw.length === 3 && raw[0].tokenType === T.Word && raw[1].tokenType === T.Equals && raw[2].tokenType === T.StringLit;
    const tokens = isMacroDef ? raw : expand(raw, macros, 0);
    const parsed = parseStatementTokens(tokens);
    if ('error' in parsed) {
      const at = parsed.error && parsed.error.tokenType !== undefined && parsed.error.image !== '' ? parsed.error : tokens[tokens.length - 1];
      fail('PF_SYNTAX', `${where(at)}: ${parsed.message}`);
    }
    if (parsed.kind === 'macro') macros.set(parsed.name, parsed.value);
    if (parsed.kind === 'set' && parsed.set.option === 'other' && parsed.set.name === 'require-order') requireOrder = parsed.set.values[0] !== 'no';
    const cls = orderClass(parsed);
    if (cls && requireOrder && cls.rank < seen.rank) {
      fail('PF_SYNTAX', `${where(raw[0])}: Rules must be in order: options, ethernet, normalization, queueing, translation, filtering (${cls.name} after ${seen.name})`);
    }
    if (cls && cls.rank > seen.rank) seen = cls;
    statements.push(parsed);
  }
  return { statements };
}

/** The entries of a table file (`file "..."`): one per line, `#` comments, blank lines. */
export function parsePfTableFile(text: string): { negate: boolean; text: string }[] {
  const out: { negate: boolean; text: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const body = line.replace(/#.*/, '').trim();
    if (body === '') return;
    for (const word of body.split(/[\s,]+/).filter((w) => w !== '')) {
      const negate = word.startsWith('!');
      const entry = negate ? word.slice(1) : word;
      if (!/^[0-9A-Fa-f.:/]+$/.test(entry)) fail('PF_SYNTAX', `line ${i + 1}: '${word}' is not an address or prefix`);
      out.push({ negate, text: entry });
    }
  });
  return out;
}
