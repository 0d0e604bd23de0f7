/**
 * The C preprocessor, as far as schema headers need it: `#include "..."` through a read
 * callback (each file once; `<...>` and the well-known BPF headers are known built in
 * instead), conditionals with integer expressions, `#define`/`#undef` and expansion,
 * `#pragma once`, `#error`. Output is one token stream with every macro expanded.
 */
import { posix } from 'node:path';
import { parseConstantExpression } from '../../grammars/c-header.js';
import * as T from '../../grammars/c-header-tokens.js';
import type { SourceToken } from '../../grammars/c-header-tokens.js';
import { fail, isBpf2pfError } from '../errors.js';
import { evaluate, type ConstEnv } from './header-const-expr.js';
import { expandMacros, makeToken, tokenWhere, type ExpansionState, type MacroDefinition } from './header-macros.js';

export interface PreprocessedHeaders {
  /** Every token of the translation unit after expansion, without newlines. */
  readonly tokens: SourceToken[];
  /** Macros defined at the end, in definition order. */
  readonly macros: ReadonlyMap<string, MacroDefinition>;
  readonly state: ExpansionState;
}

export type ReadFile = (path: string) => string;

/** Quoted includes of these are the headers whose content bpf2pf knows built in. */
const KNOWN_SYSTEM_HEADERS = new Set([
  'vmlinux.h', 'bpf_helpers.h', 'bpf_helper_defs.h', 'bpf_endian.h', 'bpf_tracing.h', 'bpf_core_read.h',
  'bpf_elf.h', 'bpf.h', 'bpf_legacy.h', 'types.h', 'pkt_cls.h', 'if_ether.h', 'ip.h', 'ipv6.h', 'in.h',
  'tcp.h', 'udp.h', 'stddef.h', 'stdint.h', 'stdbool.h',
]);

/** Deeper bracket nesting than this is refused before it can exhaust the parser's stack. */
const MAX_NESTING = 256;
const MAX_INCLUDE_DEPTH = 200;

interface Conditional {
  /** Whether lines in the current branch are used. */
  active: boolean;
  /** Whether some branch of this #if has been taken. */
  taken: boolean;
  /** Whether the enclosing region is active. */
  outer: boolean;
  sawElse: boolean;
  readonly token: SourceToken;
}

interface FileInfo {
  pragmaOnce: boolean;
  guard?: string;
}

class Preprocessor {
  readonly macros = new Map<string, MacroDefinition>();
  readonly out: SourceToken[] = [];
  // A million tokens is far beyond any real header and keeps a hostile one to a second or so.
  readonly state: ExpansionState = { counter: 0, budget: 1_000_000, hideCache: new WeakMap() };
  private readonly done = new Map<string, FileInfo>();
  private readonly stack: string[] = [];

  constructor(private readonly readFile: ReadFile) {}

  /** Processes `path` unless already done; `text` is only asked for when it is needed. */
  run(path: string, text: () => string): void {
    if (this.stack.includes(path)) {
      const info = this.done.get(path);
      if (info && (info.pragmaOnce || (info.guard !== undefined && this.macros.has(info.guard)))) return;
      fail('SCHEMA_SYNTAX', `include cycle: ${[...this.stack.slice(this.stack.indexOf(path)), path].join(' -> ')}`);
    }
    if (this.done.has(path)) return;
    if (this.stack.length >= MAX_INCLUDE_DEPTH) fail('SCHEMA_SYNTAX', `${path}: #include nested too deeply`);
    const info: FileInfo = { pragmaOnce: false };
    this.done.set(path, info);
    this.stack.push(path);
    this.processLines(path, splitLines(T.lexHeader(text(), path)), info);
    this.stack.pop();
  }

  seen(path: string): boolean {
    return this.done.has(path);
  }

  private processLines(path: string, lines: SourceToken[][], info: FileInfo): void {
    const conds: Conditional[] = [];
    let text: SourceToken[] = [];
    const active = (): boolean => conds.length === 0 || conds[conds.length - 1].active;
    const flush = (): void => {
      if (text.length) this.emit(expandMacros(text, this.macros, this.state));
      text = [];
    };
    lines.forEach((line, index) => {
      if (line[0].tokenType !== T.Hash) {
        if (active()) text.push(...line);
        return;
      }
      flush();
      const name = line[1];
      if (!name) return; // the null directive
      if (index === 0 && name.image === 'ifndef' && line[2] && lines[1]?.[1]?.image === 'define' && lines[1]?.[2]?.image === line[2].image) {
        info.guard = line[2].image;
      }
      this.directive(path, line, conds, active(), info);
    });
    flush();
    const open = conds[conds.length - 1];
    if (open) fail('SCHEMA_SYNTAX', `${tokenWhere(open.token)}: unterminated #${open.token.image === '#' ? 'if' : open.token.image}`);
  }

  private emit(tokens: SourceToken[]): void {
    for (const t of tokens) this.out.push(t);
  }

  private directive(path: string, line: SourceToken[], conds: Conditional[], active: boolean, info: FileInfo): void {
    const name = line[1];
    const top = conds[conds.length - 1];
    switch (name.image) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const value = active ? this.condition(name.image, line) : false;
        conds.push({ active: active && value, taken: value, outer: active, sawElse: false, token: name });
        return;
      }
      case 'elif':
      case 'else': {
        if (!top) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #${name.image} without #if`);
        if (top.sawElse) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #${name.image} after #else`);
        if (name.image === 'else') {
          top.sawElse = true;
          top.active = top.outer && !top.taken;
        } else {
          top.active = top.outer && !top.taken && this.condition('if', line);
        }
        top.taken ||= top.active;
        return;
      }
      case 'endif':
        if (!conds.pop()) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #endif without #if`);
        return;
      default:
        break;
    }
    if (!active) return;
    switch (name.image) {
      case 'define':
        return this.define(line);
      case 'undef':
        if (!line[2] || !T.isIdentifierLike(line[2])) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: macro name missing`);
        this.macros.delete(line[2].image);
        return;
      case 'include':
        return this.include(path, line);
      case 'pragma':
        if (line[2]?.image === 'once') info.pragmaOnce = true;
        // pack() changes layouts; ignoring it would silently give wrong offsets.
        if (line[2]?.image === 'pack') fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #pragma pack is not supported; use __attribute__((packed)) or aligned(N)`);
        return;
      case 'error':
        return fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #error ${line.slice(2).map((t) => t.image).join(' ')}`);
      case 'warning':
      case 'line':
      case 'ident':
        return;
      default:
        if (name.tokenType === T.NumberLiteral) return; // a line marker: # 12 "file"
        return fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: unknown directive #${name.image}`);
    }
  }

  private define(line: SourceToken[]): void {
    const id = line[2];
    if (!id || !T.isIdentifierLike(id)) fail('SCHEMA_SYNTAX', `${tokenWhere(line[1])}: macro name missing`);
    if (id.image === 'defined') fail('SCHEMA_SYNTAX', `${tokenWhere(id)}: 'defined' cannot be used as a macro name`);
    const builtin = id.file === PRELUDE_FILE;
    const paren = line[3];
    // Function-like only when '(' follows the name with no space in between.
    if (paren?.tokenType === T.LParen && paren.startOffset === (id.endOffset ?? -2) + 1) {
      const params: string[] = [];
      let variadic = false;
      let i = 4;
      for (; i < line.length && line[i].tokenType !== T.RParen; i++) {
        const t = line[i];
        if (t.tokenType === T.Comma) continue;
        if (t.tokenType === T.Ellipsis) {
          variadic = true;
          params.push('__VA_ARGS__');
        } else if (T.isIdentifierLike(t) && !variadic) params.push(t.image);
        else fail('SCHEMA_SYNTAX', `${tokenWhere(t)}: invalid token in macro parameter list`);
      }
      if (i >= line.length) fail('SCHEMA_SYNTAX', `${tokenWhere(paren)}: missing ')' in macro parameter list`);
      this.macros.delete(id.image);
      this.macros.set(id.image, { name: id.image, params, variadic, body: line.slice(i + 1), builtin, token: id });
      return;
    }
    this.macros.delete(id.image);
    this.macros.set(id.image, { name: id.image, variadic: false, body: line.slice(3), builtin, token: id });
  }

  private include(path: string, line: SourceToken[]): void {
    const target = line[2];
    if (target?.tokenType === T.Less) return; // a system header: known built in
    if (target?.tokenType !== T.StringLiteral || line.length > 3) {
      return fail('SCHEMA_SYNTAX', `${tokenWhere(line[1])}: only #include "file" and #include <file> are supported`);
    }
    const name = target.image.slice(1, -1);
    const resolved = posix.normalize(posix.isAbsolute(name) ? name : posix.join(posix.dirname(path), name));
    if (this.seen(resolved)) return this.run(resolved, () => '');
    let text: string;
    try {
      text = this.readFile(resolved);
    } catch (e) {
      if (KNOWN_SYSTEM_HEADERS.has(posix.basename(name))) return;
      const why = isBpf2pfError(e) || e instanceof Error ? e.message : String(e);
      return fail('SCHEMA_SYNTAX', `${tokenWhere(target)}: cannot read included file '${resolved}': ${why}`);
    }
    this.run(resolved, () => text);
  }

  private condition(kind: string, line: SourceToken[]): boolean {
    const name = line[1];
    if (kind !== 'if') {
      const id = line[2];
      if (!id || !T.isIdentifierLike(id)) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: macro name missing after #${kind}`);
      return this.macros.has(id.image) === (kind === 'ifdef');
    }
    const body = line.slice(2);
    if (body.length === 0) fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: #${name.image} with no expression`);
    const expanded = this.replaceIdentifiers(expandMacros(this.replaceDefined(body), this.macros, this.state));
    const env: ConstEnv = {
      preprocessor: true,
      constant: () => undefined,
      sizeofType: () => fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: sizeof in #if`),
      alignofType: () => fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: alignof in #if`),
      offsetof: () => fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: offsetof in #if`),
      castTarget: () => fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: cast in #if`),
      sizeofVariable: () => undefined,
    };
    try {
      checkNesting(expanded);
      return evaluate(parseConstantExpression(expanded), env).value !== 0n;
    } catch (e) {
      const why = isBpf2pfError(e) ? e.message : String(e);
      return fail('SCHEMA_SYNTAX', `${tokenWhere(name)}: cannot evaluate #${name.image} expression: ${why}`);
    }
  }

  /** `defined X` and `defined(X)` to 1 or 0, before expansion as C requires. */
  private replaceDefined(tokens: SourceToken[]): SourceToken[] {
    const out: SourceToken[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.image !== 'defined') {
        out.push(t);
        continue;
      }
      const paren = tokens[i + 1]?.tokenType === T.LParen;
      const id = tokens[i + (paren ? 2 : 1)];
      if (!id || !T.isIdentifierLike(id) || (paren && tokens[i + 3]?.tokenType !== T.RParen)) {
        fail('SCHEMA_SYNTAX', `${tokenWhere(t)}: 'defined' needs a macro name`);
      }
      out.push(makeToken(this.macros.has(id.image) ? '1' : '0', t));
      i += paren ? 3 : 1;
    }
    return out;
  }

  /** Identifiers still there after expansion are 0 in #if (C11 6.10.1p4). */
  private replaceIdentifiers(tokens: SourceToken[]): SourceToken[] {
    return this.replaceDefined(tokens).map((t) => (T.isIdentifierLike(t) ? makeToken('0', t) : t));
  }
}

/** Logical lines: runs of tokens between Newline tokens, empty lines dropped. */
function splitLines(tokens: SourceToken[]): SourceToken[][] {
  const lines: SourceToken[][] = [];
  let cur: SourceToken[] = [];
  for (const t of tokens) {
    if (t.tokenType === T.Newline) {
      if (cur.length) lines.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) lines.push(cur);
  return lines;
}

/** Refuses bracket nesting deep enough to overflow the recursive-descent parser. */
export function checkNesting(tokens: readonly SourceToken[]): void {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LParen || t.tokenType === T.LBracket || t.tokenType === T.LCurly) {
      if (++depth > MAX_NESTING) fail('SCHEMA_SYNTAX', `${tokenWhere(t)}: brackets nested too deeply`);
    } else if (t.tokenType === T.RParen || t.tokenType === T.RBracket || t.tokenType === T.RCurly) depth--;
  }
}

export const PRELUDE_FILE = '<built-in>';

/** The prelude first, then each entry file with what it includes. */
export function preprocess(prelude: string, entryFiles: readonly string[], readFile: ReadFile): PreprocessedHeaders {
  const pp = new Preprocessor(readFile);
  pp.run(PRELUDE_FILE, () => prelude);
  for (const file of entryFiles) {
    const path = posix.normalize(file);
    if (pp.seen(path)) continue;
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      return fail('IO', `${path}: cannot read: ${e instanceof Error ? e.message : String(e)}`);
    }
    pp.run(path, () => text);
  }
  checkNesting(pp.out);
  return { tokens: pp.out, macros: pp.macros, state: pp.state };
}
