/**
 * Grammar of classic BPF assembly in the three forms tcpdump dumps a program in:
 *
 *   -d    (000) ldh      [12]
 *         (001) jeq      #0x800           jt 2	jf 5
 *         The `(NNN)` prefix is optional; a line may start with `label:`, and jump
 *         targets are absolute indices or labels. `;` and `//` start comments.
 *   -dd   { 0x28, 0, 0, 0x0000000c },
 *   -ddd  a count line, then `40 0 0 12` per instruction.
 *
 * The form is chosen by the first non-blank line: `{` starts -dd, a line of numbers
 * only starts -ddd, anything else is -d. Every line after it must be of the same form.
 * Each line is parsed on its own, so errors carry the line and column they are on.
 */
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from 'chevrotain';
import { parserMessages } from './error-messages.js';
import { fail } from '../src/errors.js';
import type { AsmForm, AsmInstruction, AsmLine, AsmOperand, AsmTarget, AsmText, NumberLit, NumericLine, SourcePos, Word } from './cbpf-asm-ast.js';
import * as T from './cbpf-asm-tokens.js';

function posOf(t: IToken | undefined): SourcePos {
  // Undefined only while chevrotain records the grammar, when no result is used.
  return { line: t?.startLine ?? 0, column: t?.startColumn ?? 0 };
}

function numberOf(t: IToken): NumberLit {
  const neg = t.image.startsWith('-');
  const body = neg ? t.image.slice(1) : t.image;
  // Decimal even with leading zeros: tcpdump never prints octal, and -ddd counts are %u.
  const magnitude = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : parseInt(body, 10);
  return { text: t.image, value: neg ? -magnitude : magnitude, pos: posOf(t) };
}

function wordOf(t: IToken): Word {
  return { name: t.image, pos: posOf(t) };
}


const messages = parserMessages('end of line');

class CbpfAsmParser extends EmbeddedActionsParser {
  constructor() {
    super(T.ALL_TOKENS as TokenType[], { maxLookahead: 3, recoveryEnabled: false, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  asmLine = this.RULE('asmLine', (): Omit<AsmLine, 'pos'> => {
    const index = this.OPTION(() => {
      this.CONSUME(T.LParen);
      const n = this.CONSUME(T.NumberLiteral);
      this.CONSUME(T.RParen);
      return numberOf(n);
    });
    const label = this.OPTION2(() => {
      const w = this.CONSUME(T.Identifier);
      this.CONSUME(T.Colon);
      return wordOf(w);
    });
    const instruction = this.OPTION3(() => this.SUBRULE(this.instruction));
    return { kind: 'asm', index, label, instruction };
  });

  instruction = this.RULE('instruction', (): AsmInstruction => {
    const mnemonic = wordOf(this.CONSUME(T.Identifier));
    const operand = this.OPTION(() => this.SUBRULE(this.operand)) ?? { kind: 'none' };
    const targets = this.OPTION2(() => {
      this.CONSUME(T.Jt);
      const jt = this.SUBRULE(this.target);
      this.OPTION3(() => this.CONSUME(T.Comma));
      this.CONSUME(T.Jf);
      const jf = this.SUBRULE2(this.target);
      return { jt, jf };
    });
    return { mnemonic, operand, jt: targets?.jt, jf: targets?.jf };
  });

  operand = this.RULE('operand', (): AsmOperand =>
    this.OR([
      {
        ALT: (): AsmOperand => {
          this.CONSUME(T.Hash);
          return this.OR2([
            { ALT: (): AsmOperand => ({ kind: 'imm', value: numberOf(this.CONSUME(T.NumberLiteral)) }) },
            { ALT: (): AsmOperand => ({ kind: 'imm-word', word: wordOf(this.CONSUME(T.Identifier)) }) },
          ]);
        },
      },
      {
        ALT: (): AsmOperand => {
          this.CONSUME(T.LBracket);
          const inside = this.OR3([
            { ALT: (): AsmOperand => ({ kind: 'abs', offset: numberOf(this.CONSUME2(T.NumberLiteral)) }) },
            {
              ALT: (): AsmOperand => {
                const w = wordOf(this.CONSUME2(T.Identifier));
                const offset = this.OPTION(() => {
                  this.CONSUME(T.Plus);
                  return numberOf(this.CONSUME3(T.NumberLiteral));
                });
                return offset === undefined && w.name.toLowerCase() !== 'x'
                  ? { kind: 'abs-word', word: w }
                  : { kind: 'ind', register: w, offset };
              },
            },
          ]);
          this.CONSUME(T.RBracket);
          return inside;
        },
      },
      {
        ALT: (): AsmOperand => {
          const bank = wordOf(this.CONSUME3(T.Identifier));
          this.CONSUME2(T.LBracket);
          const index = numberOf(this.CONSUME4(T.NumberLiteral));
          this.CONSUME2(T.RBracket);
          return { kind: 'mem', bank, index };
        },
      },
      {
        ALT: (): AsmOperand => {
          const scale = numberOf(this.CONSUME5(T.NumberLiteral));
          this.CONSUME(T.Star);
          this.CONSUME(T.LParen);
          this.CONSUME3(T.LBracket);
          const offset = numberOf(this.CONSUME6(T.NumberLiteral));
          this.CONSUME3(T.RBracket);
          this.CONSUME(T.Amp);
          const mask = numberOf(this.CONSUME7(T.NumberLiteral));
          this.CONSUME(T.RParen);
          return { kind: 'msh', scale, offset, mask };
        },
      },
      { ALT: (): AsmOperand => ({ kind: 'word', word: wordOf(this.CONSUME4(T.Identifier)) }) },
      { ALT: (): AsmOperand => ({ kind: 'number', value: numberOf(this.CONSUME8(T.NumberLiteral)) }) },
    ]),
  );

  target = this.RULE('target', (): AsmTarget =>
    this.OR([
      { ALT: (): AsmTarget => ({ kind: 'index', value: numberOf(this.CONSUME(T.NumberLiteral)) }) },
      { ALT: (): AsmTarget => ({ kind: 'label', word: wordOf(this.CONSUME(T.Identifier)) }) },
    ]),
  );

  /** `{ 0x28, 0, 0, 0x0000000c },` with the trailing commas optional. */
  ddLine = this.RULE('ddLine', (): NumberLit[] => {
    const numbers: NumberLit[] = [];
    this.CONSUME(T.LCurly);
    numbers.push(numberOf(this.CONSUME(T.NumberLiteral)));
    this.CONSUME(T.Comma);
    numbers.push(numberOf(this.CONSUME2(T.NumberLiteral)));
    this.CONSUME2(T.Comma);
    numbers.push(numberOf(this.CONSUME3(T.NumberLiteral)));
    this.CONSUME3(T.Comma);
    numbers.push(numberOf(this.CONSUME4(T.NumberLiteral)));
    this.OPTION(() => this.CONSUME4(T.Comma));
    this.CONSUME(T.RCurly);
    this.OPTION2(() => this.CONSUME5(T.Comma));
    return numbers;
  });

  /** A -ddd line: numbers only (how many is checked by the assembler). */
  dddLine = this.RULE('dddLine', (): NumberLit[] => {
    const numbers: NumberLit[] = [];
    this.AT_LEAST_ONE(() => numbers.push(numberOf(this.CONSUME(T.NumberLiteral))));
    return numbers;
  });
}

// Built once: chevrotain's grammar analysis is slow, and the instance holds no state
// between calls (input and errors are replaced by each call to parseLine).
const parser = new CbpfAsmParser();

function parseLine<R>(tokens: IToken[], rule: () => R): R {
  parser.input = tokens;
  const result = rule();
  const err = parser.errors[0];
  parser.input = [];
  if (err) {
    const last = tokens[tokens.length - 1];
    const pos = err.token.tokenType === EOF
      ? { line: last?.startLine ?? 0, column: (last?.endColumn ?? 0) + 1 }
      : posOf(err.token);
    fail('CBPF_SYNTAX', `line ${pos.line}:${pos.column}: ${err.message}`);
  }
  return result;
}

function formOf(first: IToken[]): AsmForm {
  if (first[0].tokenType === T.LCurly) return 'dd';
  return first.every((t) => t.tokenType === T.NumberLiteral) ? 'ddd' : 'mnemonic';
}

/** Parses assembly text in any of the three forms; fails with CBPF_SYNTAX at line:col. */
export function parseCbpfText(text: string): AsmText {
  const lines = T.lexLines(text).filter((l) => l.length > 0);
  if (lines.length === 0) return { form: 'mnemonic', lines: [] };
  const form = formOf(lines[0]);
  const parsed = lines.map((tokens): AsmLine | NumericLine => {
    const pos = posOf(tokens[0]);
    switch (form) {
      case 'mnemonic': return { ...parseLine(tokens, () => parser.asmLine()), pos };
      case 'dd': return { kind: 'numeric', pos, numbers: parseLine(tokens, () => parser.ddLine()) };
      case 'ddd': return { kind: 'numeric', pos, numbers: parseLine(tokens, () => parser.dddLine()) };
      default: return unreachable(form);
    }
  });
  return { form, lines: parsed };
}

function unreachable(x: never): never {
  throw new Error(`unhandled assembly form ${String(x)}`);
}
