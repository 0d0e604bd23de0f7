/**
 * Expression and initializer rules of the C header grammar (grammars/c-header.ts
 * extends this class with the declarations). Kept apart only for size; the two form
 * one chevrotain grammar, analysed once in the subclass's constructor.
 */
import { EmbeddedActionsParser, type IToken, type ParserMethod, type TokenType } from 'chevrotain';
import { parserMessages } from './error-messages.js';
import type { Designator, Expr, Initializer, InitializerItem, OffsetofStep, SourceLoc, TypeName } from './c-header-ast.js';
import * as T from './c-header-tokens.js';

export function locOf(t: IToken | undefined): SourceLoc {
  // Undefined only while chevrotain records the grammar, when no result is used.
  if (!t) return { file: '<input>', line: 0, column: 0 };
  return { file: T.fileOf(t), line: t.startLine ?? 0, column: t.startColumn ?? 0 };
}

/** Tokens that can only start a type name, never an expression. */
const TYPE_START: ReadonlySet<TokenType> = new Set([
  T.Struct, T.Union, T.Enum, T.Typeof, T.Attribute, T.Alignas, ...T.BASE_TYPE_WORDS, ...T.QUALIFIERS,
]);

export const messages = parserMessages('end of input');

/** Spreads a sub-rule's list result; during chevrotain's recording phase there is none. */
export function pushAll<X>(target: X[], items: readonly X[] | undefined): void {
  if (Array.isArray(items)) target.push(...items);
}


export abstract class CExpressionParser extends EmbeddedActionsParser {
  /** Typedef names seen so far in the current parse; replaced by every parse call. */
  typedefNames = new Set<string>();

  /** Defined by the declaration grammar; casts, sizeof and offsetof need it. */
  abstract typeName: ParserMethod<[], TypeName>;

  protected isTypeStart(t: IToken): boolean {
    return TYPE_START.has(t.tokenType) || (t.tokenType === T.Identifier && this.typedefNames.has(t.image));
  }

  initializer = this.RULE('initializer', (): Initializer =>
    this.OR([
      {
        ALT: (): Initializer => {
          const lc = this.CONSUME(T.LCurly);
          const items: InitializerItem[] = [];
          this.OPTION(() => {
            items.push(this.SUBRULE(this.initializerItem));
            this.MANY(() => {
              this.CONSUME(T.Comma);
              items.push(this.SUBRULE2(this.initializerItem));
            });
            this.OPTION2(() => this.CONSUME2(T.Comma));
          });
          this.CONSUME(T.RCurly);
          return { kind: 'list', items, loc: locOf(lc) };
        },
      },
      {
        ALT: (): Initializer => {
          const start = this.LA(1);
          return { kind: 'expr', expr: this.SUBRULE(this.conditional), loc: locOf(start) };
        },
      },
    ]),
  );

  initializerItem = this.RULE('initializerItem', (): InitializerItem => {
    const designators: Designator[] = [];
    this.OPTION(() => {
      this.AT_LEAST_ONE(() =>
        this.OR([
          {
            ALT: () => {
              const dot = this.CONSUME(T.Dot);
              designators.push({ kind: 'field', name: this.CONSUME(T.Identifier).image, loc: locOf(dot) });
            },
          },
          {
            ALT: () => {
              const lb = this.CONSUME(T.LBracket);
              designators.push({ kind: 'index', index: this.SUBRULE(this.conditional), loc: locOf(lb) });
              this.CONSUME(T.RBracket);
            },
          },
        ]),
      );
      this.CONSUME(T.Assign);
    });
    const value = this.SUBRULE(this.initializer);
    return { designators, value };
  });

  // Expressions, loosest first. Constant expressions need no comma operator or assignment.

  conditional = this.RULE('conditional', (): Expr => {
    const test = this.SUBRULE(this.logicalOr);
    const rest = this.OPTION(() => {
      const q = this.CONSUME(T.Question);
      const then = this.SUBRULE(this.conditional);
      this.CONSUME(T.Colon);
      const otherwise = this.SUBRULE2(this.conditional);
      return { q, then, otherwise };
    });
    return rest ? { kind: 'conditional', test, then: rest.then, otherwise: rest.otherwise, loc: locOf(rest.q) } : test;
  });

  /** One left-associative binary level; each level needs its own rule for chevrotain's lookahead. */
  private level(name: string, op: TokenType, next: () => ParserMethod<[], Expr>): ParserMethod<[], Expr> {
    return this.RULE(name, (): Expr => {
      let left = this.SUBRULE(next());
      this.MANY(() => {
        const t = this.CONSUME(op);
        const right = this.SUBRULE2(next());
        left = { kind: 'binary', op: t.image, left, right, loc: locOf(t) };
      });
      return left;
    });
  }

  multiplicative = this.level('multiplicative', T.MulOp, () => this.cast);
  additive = this.level('additive', T.AddOp, () => this.multiplicative);
  shift = this.level('shift', T.ShiftOp, () => this.additive);
  relational = this.level('relational', T.RelOp, () => this.shift);
  equality = this.level('equality', T.EqOp, () => this.relational);
  bitAnd = this.level('bitAnd', T.Amp, () => this.equality);
  bitXor = this.level('bitXor', T.Caret, () => this.bitAnd);
  bitOr = this.level('bitOr', T.Pipe, () => this.bitXor);
  logicalAnd = this.level('logicalAnd', T.AndAnd, () => this.bitOr);
  logicalOr = this.level('logicalOr', T.OrOr, () => this.logicalAnd);

  cast = this.RULE('cast', (): Expr =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.LA(1).tokenType === T.LParen && this.isTypeStart(this.LA(2)),
          ALT: (): Expr => {
            const lp = this.CONSUME(T.LParen);
            const type = this.SUBRULE(this.typeName);
            this.CONSUME(T.RParen);
            return { kind: 'cast', type, operand: this.SUBRULE(this.cast), loc: locOf(lp) };
          },
        },
        { ALT: () => this.SUBRULE(this.unary) },
      ],
    }),
  );

  unary = this.RULE('unary', (): Expr =>
    this.OR([
      {
        ALT: (): Expr => {
          const op = this.CONSUME(T.UnaryOp);
          return { kind: 'unary', op: op.image, operand: this.SUBRULE(this.cast), loc: locOf(op) };
        },
      },
      {
        ALT: (): Expr => {
          const kw = this.CONSUME(T.Sizeof);
          return this.OR2({
            IGNORE_AMBIGUITIES: true,
            DEF: [
              {
                GATE: () => this.LA(1).tokenType === T.LParen && this.isTypeStart(this.LA(2)),
                ALT: (): Expr => {
                  this.CONSUME(T.LParen);
                  const type = this.SUBRULE(this.typeName);
                  this.CONSUME(T.RParen);
                  return { kind: 'sizeofType', type, loc: locOf(kw) };
                },
              },
              { ALT: (): Expr => ({ kind: 'sizeofExpr', operand: this.SUBRULE(this.unary), loc: locOf(kw) }) },
            ],
          });
        },
      },
      {
        ALT: (): Expr => {
          const kw = this.CONSUME(T.Alignof);
          this.CONSUME2(T.LParen);
          const type = this.SUBRULE2(this.typeName);
          this.CONSUME2(T.RParen);
          return { kind: 'alignofType', type, loc: locOf(kw) };
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]),
  );

  postfix = this.RULE('postfix', (): Expr => {
    let base = this.SUBRULE(this.primary);
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            const lb = this.CONSUME(T.LBracket);
            this.SUBRULE(this.conditional);
            this.CONSUME(T.RBracket);
            base = { kind: 'postfix', base, what: 'subscript', loc: locOf(lb) };
          },
        },
        {
          ALT: () => {
            const lp = this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE2(this.conditional) });
            this.CONSUME(T.RParen);
            base = { kind: 'postfix', base, what: 'call', loc: locOf(lp) };
          },
        },
        {
          ALT: () => {
            const op = this.OR2([{ ALT: () => this.CONSUME(T.Dot) }, { ALT: () => this.CONSUME(T.Arrow) }]);
            this.CONSUME(T.Identifier);
            base = { kind: 'postfix', base, what: 'member access', loc: locOf(op) };
          },
        },
        {
          ALT: () => {
            const op = this.CONSUME(T.IncDec);
            base = { kind: 'postfix', base, what: op.image, loc: locOf(op) };
          },
        },
      ]),
    );
    return base;
  });

  primary = this.RULE('primary', (): Expr =>
    this.OR([
      { ALT: (): Expr => { const t = this.CONSUME(T.NumberLiteral); return { kind: 'number', text: t.image, loc: locOf(t) }; } },
      { ALT: (): Expr => { const t = this.CONSUME(T.CharLiteral); return { kind: 'char', text: t.image, loc: locOf(t) }; } },
      {
        ALT: (): Expr => {
          const parts: IToken[] = [];
          this.AT_LEAST_ONE(() => parts.push(this.CONSUME(T.StringLiteral)));
          return { kind: 'string', text: parts.map((p) => p.image).join(' '), loc: locOf(parts[0]) };
        },
      },
      { ALT: (): Expr => { const t = this.CONSUME(T.Identifier); return { kind: 'ident', name: t.image, loc: locOf(t) }; } },
      {
        ALT: (): Expr => {
          this.CONSUME(T.LParen);
          const e = this.SUBRULE(this.conditional);
          this.CONSUME(T.RParen);
          return e;
        },
      },
      { ALT: () => this.SUBRULE(this.offsetof) },
    ]),
  );

  offsetof = this.RULE('offsetof', (): Expr => {
    const kw = this.CONSUME(T.BuiltinOffsetof);
    this.CONSUME(T.LParen);
    const type = this.SUBRULE(this.typeName);
    this.CONSUME(T.Comma);
    const first = this.CONSUME(T.Identifier);
    const path: OffsetofStep[] = [{ kind: 'member', name: first.image, loc: locOf(first) }];
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Dot);
            const id = this.CONSUME2(T.Identifier);
            path.push({ kind: 'member', name: id.image, loc: locOf(id) });
          },
        },
        {
          ALT: () => {
            const lb = this.CONSUME(T.LBracket);
            path.push({ kind: 'index', index: this.SUBRULE(this.conditional), loc: locOf(lb) });
            this.CONSUME(T.RBracket);
          },
        },
      ]),
    );
    this.CONSUME(T.RParen);
    return { kind: 'offsetof', type, path, loc: locOf(kw) };
  });
}
