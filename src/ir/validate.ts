/**
 * validateIr: an unknown value in, a PolicyIR out, or IR_INVALID naming the JSON path of
 * the first problem (and how many more there are). Two passes: the shape (every field,
 * enum and range; validate-shape.ts, the same contract as schema.ts), then, on a
 * well-shaped IR only, references and semantics (validate-refs.ts, validate-rules.ts).
 */
import { fail } from '../errors.js';
import type { IrProblem, Problems } from './check-shape.js';
import { isRecord } from './check-shape.js';
import { IR_VERSION, type PolicyIR } from './types.js';
import { checkReferences } from './validate-refs.js';
import { checkPolicyShape } from './validate-shape.js';

export type { IrProblem } from './check-shape.js';

/** Every problem found, shape first; empty when `x` is a valid PolicyIR. */
export function irProblems(x: unknown): IrProblem[] {
  const p: Problems = [];
  checkPolicyShape(p, x);
  if (p.length === 0) checkReferences(p, x as PolicyIR);
  return p;
}

/** Only the shape (what the JSON Schema states); for comparing the two. */
export function irShapeProblems(x: unknown): IrProblem[] {
  const p: Problems = [];
  checkPolicyShape(p, x);
  return p;
}

/** Messages list at most this many problems; the count says how many there were. */
const SHOWN = 5;

export function validateIr(x: unknown): PolicyIR {
  // A different version is a different contract: say so before anything it would trip on.
  if (isRecord(x) && 'version' in x && x.version !== IR_VERSION) {
    fail('IR_VERSION', `$.version: this bpf2pf reads PolicyIR version ${IR_VERSION}, not ${JSON.stringify(x.version)}`);
  }
  const problems = irProblems(x);
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN).map((q) => `${q.path}: ${q.message}`);
    const more = problems.length > SHOWN ? ` (and ${problems.length - SHOWN} more)` : '';
    fail('IR_INVALID', `${shown.join('; ')}${more}`);
  }
  return x as PolicyIR;
}
