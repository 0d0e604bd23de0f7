/**
 * Dummynet pipe numbers, shared with the dummynet emitter. A global pipe is numbered by
 * its IR id. A family pipe gets one number per instance:
 *
 *     number = pipe id * 1000 + instance index
 *
 * where the index is the instance's position in `family.instances` (0-based). An
 * instance the control plane adds at run time takes the next unused index. The scheme
 * is stable while instances are only appended, and readable (pipe 3 of the 8th sandbox
 * is 3007). It allows at most 1000 instances per family and pipe ids up to 65; beyond
 * that, or on any collision, emission fails with EMIT_LIMIT rather than share a pipe.
 */
import { fail } from '../../errors.js';
import type { PolicyIR } from '../../ir/types.js';
import { checkPipeNumber } from './limits.js';

export const FAMILY_PIPE_STRIDE = 1000;

export interface PipeNumber {
  readonly pipe: number;
  readonly name: string;
  /** Family and instance name for family pipes; null for global ones. */
  readonly family: string | null;
  readonly instance: string | null;
  readonly number: number;
}

export function pipeNumbers(ir: PolicyIR): readonly PipeNumber[] {
  const out: PipeNumber[] = [];
  const seen = new Map<number, string>();
  const add = (p: PipeNumber): void => {
    const what = p.instance === null ? `pipe ${p.pipe} (${p.name})` : `pipe ${p.pipe} (${p.name}) of ${p.family}/${p.instance}`;
    checkPipeNumber(p.number, what);
    const other = seen.get(p.number);
    if (other !== undefined) fail('EMIT_LIMIT', `${what}: dummynet pipe number ${p.number} is also ${other}`);
    seen.set(p.number, what);
    out.push(p);
  };
  for (const pipe of ir.pipes) {
    if (pipe.scope.kind === 'global') {
      add({ pipe: pipe.id, name: pipe.name, family: null, instance: null, number: pipe.id });
      continue;
    }
    const familyName = pipe.scope.family;
    const family = ir.families.find((f) => f.name === familyName);
    if (!family) fail('EMIT_BAD_IR', `pipe ${pipe.id} (${pipe.name}) belongs to unknown family ${JSON.stringify(familyName)}`);
    if (family.instances.length > FAMILY_PIPE_STRIDE) {
      fail('EMIT_LIMIT', `pipe ${pipe.id} (${pipe.name}): family ${family.name} has ${family.instances.length} instances; pipe numbering (id * ${FAMILY_PIPE_STRIDE} + index) allows ${FAMILY_PIPE_STRIDE}`);
    }
    family.instances.forEach((inst, index) => {
      add({ pipe: pipe.id, name: pipe.name, family: family.name, instance: inst.name, number: pipe.id * FAMILY_PIPE_STRIDE + index });
    });
  }
  return out;
}

/** Looks up the number a rule's `dnpipe` prints: for family pipes, the instance's own. */
export function pipeIndex(numbers: readonly PipeNumber[]): (pipe: number, instance: { readonly family: string; readonly name: string } | null, what: string) => number {
  const byKey = new Map(numbers.map((n) => [`${n.pipe}/${n.family ?? ''}/${n.instance ?? ''}`, n]));
  const familyOf = new Map(numbers.filter((n) => n.family !== null).map((n) => [n.pipe, n.family]));
  return (pipe, instance, what) => {
    const global = byKey.get(`${pipe}//`);
    if (global) return global.number;
    const family = familyOf.get(pipe);
    if (family === undefined) fail('EMIT_BAD_IR', `${what}: dnpipe ${pipe} is not a pipe of the IR (or its family has no instances)`);
    if (instance === null || family !== instance.family) {
      fail('EMIT_BAD_IR', `${what}: dnpipe ${pipe} belongs to family ${family}; only that family's rules can use it`);
    }
    const own = byKey.get(`${pipe}/${instance.family}/${instance.name}`);
    if (!own) fail('EMIT_BAD_IR', `${what}: no pipe ${pipe} number for ${instance.family}/${instance.name}`);
    return own.number;
  };
}
