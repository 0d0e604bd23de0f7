/**
 * Grammar of the C subset that BPF map and struct headers use: declarations of structs,
 * unions, enums, typedefs and variables (maps among them), with GNU attributes and
 * designated initialisers. Function bodies are skipped as balanced braces. It runs on
 * tokens the preprocessor (src/object/header-preprocess.ts) has already expanded.
 *
 * C cannot be parsed without knowing which identifiers are typedef names (`(T)-1` is a
 * cast or a subtraction). The parser records typedef names as it meets them; the set
 * lives only for one parse call, so the shared instance carries nothing from one call
 * to the next. Declaration specifiers do not consult it: an identifier there is a type
 * name whenever no type has been seen yet, so an unknown type is reported by name later
 * rather than as a syntax error.
 */
import { EOF, type IToken, type TokenType } from 'chevrotain';
import { fail } from '../src/errors.js';
import type {
  AttributeNode, DeclSpecifiers, Declarator, DeclaratorSuffix, EnumSpecifier, Enumerator, Expr,
  ExternalDeclaration, InitDeclarator, MemberDeclaration, MemberDeclarator,
  ParameterDeclaration, RecordSpecifier, TypeName, TypeSpecifier,
} from './c-header-ast.js';
import { CExpressionParser, locOf, messages, pushAll } from './c-header-expressions.js';
import * as T from './c-header-tokens.js';

class CHeaderParser extends CExpressionParser {
  constructor() {
    super(T.ALL_TOKENS as TokenType[], { maxLookahead: 4, recoveryEnabled: false, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  translationUnit = this.RULE('translationUnit', (): ExternalDeclaration[] => {
    const out: ExternalDeclaration[] = [];
    this.MANY(() => {
      const d = this.SUBRULE(this.externalDeclaration);
      this.ACTION(() => d && out.push(d));
    });
    return out;
  });

  externalDeclaration = this.RULE('externalDeclaration', (): ExternalDeclaration | undefined =>
    this.OR([
      { ALT: () => { this.CONSUME(T.Semicolon); return undefined; } },
      { ALT: () => this.SUBRULE(this.staticAssert) },
      { ALT: () => this.SUBRULE(this.declarationOrFunction) },
    ]),
  );

  staticAssert = this.RULE('staticAssert', (): ExternalDeclaration => {
    const kw = this.CONSUME(T.StaticAssert);
    this.CONSUME(T.LParen);
    const test = this.SUBRULE(this.conditional);
    let message = '';
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.AT_LEAST_ONE(() => { message += this.CONSUME(T.StringLiteral).image; });
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Semicolon);
    return { kind: 'staticAssert', test, message, loc: locOf(kw) };
  });

  declarationOrFunction = this.RULE('declarationOrFunction', (): ExternalDeclaration => {
    const specifiers = this.SUBRULE(this.declSpecifiers);
    // The declarator may be abstract (empty), so a lone ';' fits both; the first wins.
    const declaration = this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
      {
        ALT: (): ExternalDeclaration => {
          this.CONSUME(T.Semicolon);
          return { kind: 'declaration', specifiers, declarators: [], loc: specifiers.loc };
        },
      },
      {
        ALT: (): ExternalDeclaration => {
          const first = this.SUBRULE(this.declarator);
          return this.OR2([
            {
              ALT: (): ExternalDeclaration => {
                this.SUBRULE(this.skippedBody);
                return { kind: 'function', specifiers, declarator: first, loc: specifiers.loc };
              },
            },
            {
              ALT: (): ExternalDeclaration => {
                const declarators: InitDeclarator[] = [];
                const initializer = this.OPTION(() => {
                  this.CONSUME(T.Assign);
                  return this.SUBRULE(this.initializer);
                });
                declarators.push({ declarator: first, initializer });
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  declarators.push(this.SUBRULE(this.initDeclarator));
                });
                this.CONSUME2(T.Semicolon);
                return { kind: 'declaration', specifiers, declarators, loc: specifiers.loc };
              },
            },
          ]);
        },
      },
    ] });
    this.ACTION(() => {
      if (declaration.kind === 'declaration' && specifiers.storage.includes('typedef')) {
        for (const d of declaration.declarators) if (d.declarator.name) this.typedefNames.add(d.declarator.name);
      }
    });
    return declaration;
  });

  initDeclarator = this.RULE('initDeclarator', (): InitDeclarator => {
    const declarator = this.SUBRULE(this.declarator);
    const initializer = this.OPTION(() => {
      this.CONSUME(T.Assign);
      return this.SUBRULE(this.initializer);
    });
    return { declarator, initializer };
  });

  skippedBody = this.RULE('skippedBody', (): void => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.skippedBody) }, { ALT: () => this.CONSUME(T.NotBrace) }]));
    this.CONSUME(T.RCurly);
  });

  declSpecifiers = this.RULE('declSpecifiers', (): DeclSpecifiers => {
    const storage: string[] = [];
    const types: TypeSpecifier[] = [];
    const attributes: AttributeNode[] = [];
    let sawType = false;
    const start = this.LA(1);
    this.AT_LEAST_ONE({
      GATE: () => this.LA(1).tokenType !== T.Identifier || !sawType,
      DEF: () =>
        this.OR([
          { ALT: () => { storage.push(this.CONSUME(T.StorageClass).image); } },
          { ALT: () => { this.CONSUME(T.Qualifier); } },
          { ALT: () => { pushAll(attributes, this.SUBRULE(this.attributeSpecifier)); } },
          { ALT: () => { attributes.push(this.SUBRULE(this.alignasSpecifier)); } },
          {
            ALT: () => {
              const w = this.CONSUME(T.BaseTypeWord);
              types.push({ kind: 'base', words: [w.image], loc: locOf(w) });
              sawType = true;
            },
          },
          { ALT: () => { types.push(this.SUBRULE(this.recordSpecifier)); sawType = true; } },
          { ALT: () => { types.push(this.SUBRULE(this.enumSpecifier)); sawType = true; } },
          {
            ALT: () => {
              const kw = this.CONSUME(T.Typeof);
              this.CONSUME(T.LParen);
              const type = this.SUBRULE(this.typeName);
              this.CONSUME(T.RParen);
              types.push({ kind: 'typeof', type, loc: locOf(kw) });
              sawType = true;
            },
          },
          {
            ALT: () => {
              const id = this.CONSUME(T.Identifier);
              types.push({ kind: 'named', name: id.image, loc: locOf(id) });
              sawType = true;
            },
          },
        ]),
    });
    return { storage, types, attributes, loc: locOf(start) };
  });

  recordSpecifier = this.RULE('recordSpecifier', (): RecordSpecifier => {
    const kw = this.OR([{ ALT: () => this.CONSUME(T.Struct) }, { ALT: () => this.CONSUME(T.Union) }]);
    const attributes: AttributeNode[] = [];
    this.MANY(() => pushAll(attributes, this.SUBRULE(this.attributeSpecifier)));
    const tag = this.OPTION(() => this.CONSUME(T.Identifier).image);
    const members = this.OPTION2(() => {
      const list: MemberDeclaration[] = [];
      this.CONSUME(T.LCurly);
      this.MANY2(() => {
        const m = this.SUBRULE(this.memberDeclaration);
        this.ACTION(() => m && list.push(m));
      });
      this.CONSUME(T.RCurly);
      this.MANY3(() => pushAll(attributes, this.SUBRULE2(this.attributeSpecifier)));
      return list;
    });
    return { kind: 'record', union: kw.image === 'union', tag, members, attributes, loc: locOf(kw) };
  });

  memberDeclaration = this.RULE('memberDeclaration', (): MemberDeclaration | undefined =>
    this.OR([
      { ALT: () => { this.CONSUME(T.Semicolon); return undefined; } },
      { ALT: () => { this.SUBRULE(this.staticAssert); return undefined; } },
      {
        ALT: () => {
          const specifiers = this.SUBRULE(this.declSpecifiers);
          const declarators: MemberDeclarator[] = [];
          this.OPTION(() => {
            declarators.push(this.SUBRULE(this.memberDeclarator));
            this.MANY(() => {
              this.CONSUME(T.Comma);
              declarators.push(this.SUBRULE2(this.memberDeclarator));
            });
          });
          this.CONSUME2(T.Semicolon);
          return { specifiers, declarators, loc: specifiers.loc };
        },
      },
    ]),
  );

  memberDeclarator = this.RULE('memberDeclarator', (): MemberDeclarator => {
    const start = this.LA(1);
    const declarator = this.SUBRULE(this.declarator);
    const bitWidth = this.OPTION(() => {
      this.CONSUME(T.Colon);
      return this.SUBRULE(this.conditional);
    });
    const extra: AttributeNode[] = [];
    this.MANY(() => pushAll(extra, this.SUBRULE(this.attributeSpecifier)));
    return this.ACTION((): MemberDeclarator => {
      const withAttrs = extra.length ? { ...declarator, attributes: [...declarator.attributes, ...extra] } : declarator;
      return { declarator: withAttrs, bitWidth, loc: locOf(start) };
    });
  });

  enumSpecifier = this.RULE('enumSpecifier', (): EnumSpecifier => {
    const kw = this.CONSUME(T.Enum);
    const attributes: AttributeNode[] = [];
    this.MANY(() => pushAll(attributes, this.SUBRULE(this.attributeSpecifier)));
    const tag = this.OPTION(() => this.CONSUME(T.Identifier).image);
    const enumerators = this.OPTION2(() => {
      const list: Enumerator[] = [];
      this.CONSUME(T.LCurly);
      list.push(this.SUBRULE(this.enumerator));
      this.MANY3(() => {
        this.CONSUME2(T.Comma);
        list.push(this.SUBRULE2(this.enumerator));
      });
      this.OPTION3(() => this.CONSUME3(T.Comma));
      this.CONSUME(T.RCurly);
      this.MANY2(() => pushAll(attributes, this.SUBRULE2(this.attributeSpecifier)));
      return list;
    });
    return { kind: 'enum', tag, enumerators, attributes, loc: locOf(kw) };
  });

  enumerator = this.RULE('enumerator', (): Enumerator => {
    const id = this.CONSUME(T.Identifier);
    this.MANY(() => this.SUBRULE(this.attributeSpecifier));
    const value = this.OPTION(() => {
      this.CONSUME(T.Assign);
      return this.SUBRULE(this.conditional);
    });
    return { name: id.image, value, loc: locOf(id) };
  });

  attributeSpecifier = this.RULE('attributeSpecifier', (): AttributeNode[] => {
    const list: AttributeNode[] = [];
    this.CONSUME(T.Attribute);
    this.CONSUME(T.LParen);
    this.CONSUME2(T.LParen);
    this.OPTION(() => list.push(this.SUBRULE(this.attribute)));
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION2(() => list.push(this.SUBRULE2(this.attribute)));
    });
    this.CONSUME(T.RParen);
    this.CONSUME2(T.RParen);
    return list;
  });

  attribute = this.RULE('attribute', (): AttributeNode => {
    const id = this.CONSUME(T.AnyWord);
    const args: Expr[] = [];
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.conditional)) });
      this.CONSUME(T.RParen);
    });
    return { name: id.image.replace(/^__(.*)__$/, '$1'), args, loc: locOf(id) };
  });

  alignasSpecifier = this.RULE('alignasSpecifier', (): AttributeNode => {
    const kw = this.CONSUME(T.Alignas);
    this.CONSUME(T.LParen);
    const node = this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.isTypeStart(this.LA(1)),
          ALT: (): AttributeNode => ({ name: 'aligned', args: [], alignasType: this.SUBRULE(this.typeName), loc: locOf(kw) }),
        },
        { ALT: (): AttributeNode => ({ name: 'aligned', args: [this.SUBRULE(this.conditional)], loc: locOf(kw) }) },
      ],
    });
    this.CONSUME(T.RParen);
    return node;
  });

  /** A declarator, named or abstract (no name, as in type names and parameters). */
  declarator = this.RULE('declarator', (): Declarator => {
    const start = this.LA(1);
    const pointers: DeclaratorSuffix[] = [];
    const attributes: AttributeNode[] = [];
    this.MANY(() => {
      const star = this.CONSUME(T.Star);
      pointers.push({ kind: 'pointer', loc: locOf(star) });
      this.MANY2(() =>
        this.OR([
          { ALT: () => { this.CONSUME(T.Qualifier); } },
          { ALT: () => { this.SUBRULE(this.attributeSpecifier); } },
        ]),
      );
    });
    let name: string | undefined;
    let inner: Declarator | undefined;
    let nameTok: IToken | undefined;
    this.OPTION({
      GATE: () => {
        const t1 = this.LA(1).tokenType;
        const t2 = this.LA(2).tokenType;
        return t1 === T.Identifier || (t1 === T.LParen && (t2 === T.Star || t2 === T.LParen || t2 === T.LBracket || t2 === T.Attribute));
      },
      DEF: () =>
        this.OR2([
          { ALT: () => { nameTok = this.CONSUME(T.Identifier); name = nameTok.image; } },
          {
            ALT: () => {
              this.CONSUME(T.LParen);
              this.MANY3(() => pushAll(attributes, this.SUBRULE2(this.attributeSpecifier)));
              inner = this.SUBRULE(this.declarator);
              this.CONSUME(T.RParen);
            },
          },
        ]),
    });
    const suffixes: DeclaratorSuffix[] = [];
    this.MANY4(() => suffixes.push(this.SUBRULE(this.declaratorSuffix)));
    this.MANY5(() => pushAll(attributes, this.SUBRULE3(this.attributeSpecifier)));
    return this.ACTION((): Declarator => {
      const derivations = [...pointers, ...suffixes.reverse(), ...(inner?.derivations ?? [])];
      return {
        name: name ?? inner?.name,
        derivations,
        attributes: [...(inner?.attributes ?? []), ...attributes],
        loc: locOf(nameTok ?? start),
      };
    });
  });

  declaratorSuffix = this.RULE('declaratorSuffix', (): DeclaratorSuffix =>
    this.OR([
      {
        ALT: (): DeclaratorSuffix => {
          const lb = this.CONSUME(T.LBracket);
          this.MANY(() => this.CONSUME(T.Qualifier));
          const size = this.OPTION(() => this.SUBRULE(this.conditional));
          this.CONSUME(T.RBracket);
          return { kind: 'array', size, loc: locOf(lb) };
        },
      },
      {
        ALT: (): DeclaratorSuffix => {
          const lp = this.CONSUME(T.LParen);
          const params: ParameterDeclaration[] = [];
          let variadic = false;
          this.OPTION2(() =>
            this.OR2([
              { ALT: () => { this.CONSUME(T.Ellipsis); variadic = true; } },
              {
                ALT: () => {
                  params.push(this.SUBRULE(this.parameter));
                  this.MANY2(() => {
                    this.CONSUME(T.Comma);
                    params.push(this.SUBRULE2(this.parameter));
                  });
                  this.OPTION3(() => {
                    this.CONSUME2(T.Comma);
                    this.CONSUME2(T.Ellipsis);
                    variadic = true;
                  });
                },
              },
            ]),
          );
          this.CONSUME(T.RParen);
          return { kind: 'function', params, variadic, loc: locOf(lp) };
        },
      },
    ]),
  );

  parameter = this.RULE('parameter', (): ParameterDeclaration => {
    const specifiers = this.SUBRULE(this.declSpecifiers);
    const declarator = this.SUBRULE(this.declarator);
    return { specifiers, declarator };
  });

  typeName = this.RULE('typeName', (): TypeName => {
    const specifiers = this.SUBRULE(this.declSpecifiers);
    const declarator = this.SUBRULE(this.declarator);
    return { specifiers, declarator, loc: specifiers.loc };
  });

}

// Built once: chevrotain's grammar analysis is slow, and the instance holds no state
// between calls (input, errors and typedefNames are all replaced by each call below).
const parser = new CHeaderParser();

function run<R>(tokens: IToken[], rule: () => R, typedefNames: ReadonlySet<string> = new Set()): R {
  parser.typedefNames = new Set(typedefNames);
  parser.input = tokens;
  const result = rule();
  const err = parser.errors[0];
  parser.input = [];
  if (err) {
    const at = err.token.tokenType === EOF ? (err as { previousToken?: IToken }).previousToken ?? tokens[tokens.length - 1] : err.token;
    const loc = at ? locOf(at) : { file: '<input>', line: 0, column: 0 };
    fail('SCHEMA_SYNTAX', `${loc.file}:${loc.line}:${loc.column}: ${err.message}`);
  }
  return result;
}

/** A whole translation unit; fails with SCHEMA_SYNTAX at the first token that does not fit. */
export function parseTranslationUnit(tokens: IToken[]): ExternalDeclaration[] {
  return run(tokens, () => parser.translationUnit());
}

/** One constant expression filling all of `tokens`; `typedefNames` tells casts from parentheses. */
export function parseConstantExpression(tokens: IToken[], typedefNames?: ReadonlySet<string>): Expr {
  return run(tokens, () => parser.conditional(), typedefNames);
}
