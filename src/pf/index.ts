/** The pf.conf reader used to verify the emitter's output (and, later, by the pf evaluator). */
export { parsePf, parsePfTableFile, type ParsePfOptions } from './parse.js';
export type * from '../../grammars/pf-ast.js';
