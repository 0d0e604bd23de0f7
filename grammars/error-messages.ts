import { EOF, type IParserErrorMessageProvider, type IToken } from 'chevrotain';

/**
 * Chevrotain's parse errors in our words, shared by every grammar: `expected X, found 'y'`
 * or `unexpected 'y'`, with `end` naming the end of the input (a line, an expression).
 */
export function parserMessages(end: string): IParserErrorMessageProvider {
  const show = (t: IToken | undefined): string => (!t || t.tokenType === EOF ? end : `'${t.image}'`);
  return {
    buildMismatchTokenMessage: ({ expected, actual }) => `expected ${expected.LABEL ?? expected.name}, found ${show(actual)}`,
    buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${show(firstRedundant)}`,
    buildNoViableAltMessage: ({ actual }) => `unexpected ${show(actual[0])}`,
    buildEarlyExitMessage: ({ actual }) => `unexpected ${show(actual[0])}`,
  };
}
