import type { MapDeclaration } from '../object/map-declaration.js';
import { MapType } from '../object/map-types.js';
import type { BpfObject, BpfProgram } from '../object/types.js';
import { DEFAULT_LIMITS, liftProgram, type FollowTailCall, type LiftLimits } from './execute.js';
import type { HelperEnv } from './helpers.js';
import type { AbandonCause, ProgramPaths } from './types.js';

export interface LiftOptions {
  /** `.rodata` global overrides by name (profile `constants`, `--const`), as raw bytes. */
  readonly constants?: ReadonlyMap<string, Uint8Array>;
  readonly limits?: LiftLimits;
}

/** Budget for deciding whether a tail-call target can be lifted at all. */
const STAGE_PROBE: LiftLimits = { ...DEFAULT_LIMITS, maxPaths: 2_000, maxStepsPerProgram: 20_000, stopAtFirstAbandoned: true };
/** A first, depth-first look at a stage, for a path the lifter gives up on. */
const STAGE_DIVE: LiftLimits = { ...STAGE_PROBE, maxStepsPerProgram: 2_000, depthFirst: true };

/** Section bytes of every `.rodata*` section with the overrides written in. */
export function rodataWithOverrides(obj: BpfObject, constants: ReadonlyMap<string, Uint8Array> = new Map()): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const d of obj.dataSections) if (d.readOnly) out.set(d.name, d.bytes.slice());
  for (const [name, bytes] of constants) {
    const g = obj.globals.find((x) => x.name === name && x.section.startsWith('.rodata'));
    const sec = g && out.get(g.section);
    if (!g || !sec) continue;
    sec.set(bytes.subarray(0, g.size), g.offset);
  }
  return out;
}

export function helperEnv(obj: BpfObject, program: BpfProgram, constants?: ReadonlyMap<string, Uint8Array>): HelperEnv {
  const isXdp = program.kind.type === 'xdp';
  return {
    obj,
    context: isXdp ? 'xdp' : 'skb',
    rodata: rodataWithOverrides(obj, constants),
    isXdp,
    maps: new Map<string, MapDeclaration>(obj.maps.map((m) => [m.name, m])),
  };
}

/** Programs some PROG_ARRAY of the object holds from the start: reached by tail calls. */
export function tailCallTargets(obj: BpfObject): Set<string> {
  const out = new Set<string>();
  for (const m of obj.maps) {
    if (m.type !== MapType.PROG_ARRAY) continue;
    for (const s of m.initialSlots) if (s.targetKind === 'program') out.add(s.target);
  }
  return out;
}

/**
 * For each tail-call target, whether the lifter can follow it: lifted on its own within a
 * small budget, every path must end. A parser stage that loops over a DNS name cannot be
 * lifted; the calls into it are then lifted as if its slot were empty, and say so.
 *
 * A stage is probed when a lift first reaches a call into it, not before: a stage only an
 * unfollowed stage calls is never reached, and its probe (the whole budget, for a stage
 * that forks on every DNS answer) would be spent for nothing. The verdict does not depend
 * on when it is made: a probe follows no tail calls of its own.
 */
export function tailCallFollower(obj: BpfObject, options: LiftOptions = {}): FollowTailCall {
  const targets = tailCallTargets(obj);
  const verdicts = new Map<string, ReturnType<FollowTailCall>>();
  return (name) => {
    if (!targets.has(name)) return undefined;
    if (!verdicts.has(name)) verdicts.set(name, probeStage(obj, name, options));
    return verdicts.get(name);
  };
}

function probeStage(obj: BpfObject, name: string, options: LiftOptions): ReturnType<FollowTailCall> {
  const p = obj.programs.find((x) => x.name === name);
  if (!p) return undefined;
  const env = helperEnv(obj, p, options.constants);
  const alone: FollowTailCall = () => ({ why: 'probing stages one at a time', stuckAt: undefined });
  // A path the dive gives up on for what it is (not for the budget) the full probe would
  // reach too, merged or not: merging loses precision, never loop passes or an access.
  const dive = liftProgram(obj, p, env, STAGE_DIVE, alone);
  const given = dive.paths.find((x) => x.end.kind === 'abandoned' && x.end.cause !== 'budget');
  const r = given ? dive : liftProgram(obj, p, env, STAGE_PROBE, alone);
  const stuck = given ?? r.paths.find((x) => x.end.kind === 'abandoned');
  // Where the probe stops first depends on the compiler's code; what stops it does not.
  if (r.truncated) return { why: `${name} has more paths than the lifter follows (${STAGE_PROBE.maxPaths})`, stuckAt: undefined };
  return stuck?.end.kind === 'abandoned' ? { why: `${name} cannot be lifted: ${STUCK[stuck.end.cause]}`, stuckAt: stuck.end.slot } : undefined;
}

const STUCK: Record<AbandonCause, string> = {
  limit: 'it runs longer than the lifter follows (a loop over packet data, or more instructions than its budget)',
  budget: 'it runs longer than the lifter follows (more instructions than its budget)',
  memory: 'it reads or writes memory at an address the lifter cannot follow (an offset computed from packet data)',
  helper: 'it calls a helper in a form the lifter does not model (a copy of unbounded length, an unknown map)',
  construct: 'it uses an instruction or call the lifter does not lift',
};

/** Lifts one program of an object to its path summaries. */
export function liftObjectProgram(obj: BpfObject, program: BpfProgram, options: LiftOptions = {}, follow?: FollowTailCall): ProgramPaths {
  return liftProgram(obj, program, helperEnv(obj, program, options.constants), options.limits ?? DEFAULT_LIMITS, follow ?? tailCallFollower(obj, options));
}
