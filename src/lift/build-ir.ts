import type { BpfObject } from '../object/types.js';
import type { Profile } from '../profile/types.js';
import type { MapStateFile } from '../state/map-state.js';
import { IR_VERSION, type PolicyIR } from '../ir/types.js';

/** One object given to the translator, as the command line named it. */
export interface LiftInput {
  /** As given on the command line (used in provenance and findings). */
  readonly path: string;
  readonly sha256: string;
  readonly object: BpfObject;
}

export interface BuildIrOptions {
  /** Map contents to fill tables and instantiate families from; null: empty, filled at run time. */
  readonly snapshot: MapStateFile | null;
}

/**
 * Lifts every program of every input and runs the recognisers: the whole middle of the
 * compiler, from objects to PolicyIR. (Stub while the recognisers land: every program is
 * blocked and reported.)
 */
export function buildIr(inputs: readonly LiftInput[], profile: Profile, options: BuildIrOptions): PolicyIR {
  void options;
  return {
    version: IR_VERSION,
    target: { os: 'freebsd', release: profile.target.freebsd },
    inputs: inputs.map((i) => ({ object: i.path, sha256: i.sha256, programs: i.object.programs.map((p) => p.name) })),
    interfaces: [],
    sets: [],
    families: [],
    rules: [],
    pipes: [],
    classifiers: [],
    state: { timeouts: {}, limits: {} },
    controlPlane: [],
    findings: inputs.map((i) => ({
      code: 'B2P-NOT-IMPLEMENTED',
      severity: 'error' as const,
      message: 'the recognisers are not in place yet: nothing of this object was translated',
      object: i.path,
      program: null,
      section: null,
      slot: null,
      source: null,
      construct: 'whole object',
      suggestion: 'wait for the recognisers',
    })),
    coverage: [],
  };
}
