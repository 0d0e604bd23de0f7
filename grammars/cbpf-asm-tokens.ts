/**
 * Tokens of classic BPF assembly in tcpdump's three dump forms (-d mnemonics, -dd C
 * array, -ddd decimal). Line breaks are tokens: an instruction is one line. The lexer
 * never fails: a character it does not know becomes an `Other` token, which no rule
 * accepts, so the parser reports it with its line and column.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
/** `; ...` (bpf_asm's comments) and `// ...` run to the end of the line. */
export const Comment = createToken({ name: 'Comment', pattern: /;[^\n\r]*|\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n|\r/, line_breaks: true, label: 'end of line' });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_.]*/, label: 'a name' });
// jt and jf are words of their own so that an operand can never swallow them.
export const Jt = createToken({ name: 'Jt', pattern: /jt/, longer_alt: Identifier, label: "'jt'" });
export const Jf = createToken({ name: 'Jf', pattern: /jf/, longer_alt: Identifier, label: "'jf'" });
/** Decimal or 0x hex, optionally negative (tcpdump prints signed k as `#-1`, `[x + -4]`). */
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /-?(?:0[xX][0-9A-Fa-f]+|[0-9]+)/, label: 'a number' });

export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'" });
export const Hash = createToken({ name: 'Hash', pattern: '#', label: "'#'" });
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'" });
export const Star = createToken({ name: 'Star', pattern: '*', label: "'*'" });
export const Amp = createToken({ name: 'Amp', pattern: '&', label: "'&'" });
export const Other = createToken({ name: 'Other', pattern: /[^\n\r]/ });

export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace, Comment, Newline, Jt, Jf, Identifier, NumberLiteral,
  LParen, RParen, LBracket, RBracket, LCurly, RCurly, Comma, Colon, Hash, Plus, Star, Amp, Other,
];

// Stateless once built (tokenize keeps nothing between calls), so one instance is shared.
const lexer = new Lexer(ALL_TOKENS as TokenType[], { ensureOptimizations: false, positionTracking: 'full' });

/** The tokens of each line, in order; blank and comment-only lines give empty lists. */
export function lexLines(text: string): IToken[][] {
  const lines: IToken[][] = [[]];
  for (const t of lexer.tokenize(text).tokens) {
    if (t.tokenType === Newline) lines.push([]);
    else lines[lines.length - 1].push(t);
  }
  return lines;
}
