import type { BpfObject } from '../object/types.js';
import type { MapStateFile } from '../state/map-state.js';
import { stateFile } from '../state/state-file.js';
import { isCoppiceObject } from './coppice-names.js';
import { dnsScratchPlan, EMPTY_PLAN, fullPlan, threeSandboxesPlan } from './coppice-plan.js';
import { coppiceState } from './coppice-state.js';
import type { PoolHints } from './draw-pools.js';
import { genericState } from './generic-state.js';
import { idiomStates } from './idiom-states.js';
import type { Rng } from './rng.js';

/** A map state to run packets against, with what it is for. */
export interface GeneratedState {
  readonly name: string;
  readonly description: string;
  readonly state: MapStateFile;
  /** Pass to `packetsFor` so packets also reach entries of maps without layouts. */
  readonly hints?: PoolHints;
}

export interface StatesOptions {
  /** The idiom an object is built from (its file name up to the first dot); found from its maps when not given. */
  readonly idiom?: string;
}

/**
 * The states the differential tests run an object against:
 * - Coppice objects: `empty`, `three-sandboxes`, `dns-scratch` (the same plus a DNS parse
 *   left in the per-CPU scratch maps, for running the tail-call stages alone) and `full`;
 * - any other object: `empty`, `generic` (from the map layouts) and the idiom's
 *   hand-written states, if it has any.
 * Every state lists every map that carries entries, in canonical form.
 */
export function statesFor(obj: BpfObject, rng: Rng, options: StatesOptions = {}): GeneratedState[] {
  if (isCoppiceObject(obj)) {
    return [
      { name: 'empty', description: 'no sandboxes registered', state: coppiceState(obj, EMPTY_PLAN) },
      { name: 'three-sandboxes', description: 'three TAPs with policy, port mappings, SNAT pool, sessions in many TCP states, DNS domains and pending queries', state: coppiceState(obj, threeSandboxesPlan()) },
      { name: 'dns-scratch', description: 'three-sandboxes plus a query parse left in cube_percpu/world_percpu', state: coppiceState(obj, dnsScratchPlan()) },
      { name: 'full', description: 'an allow trie at capacity, SNAT port collisions, waterlines at the wrap, a SNAT slot without an address', state: coppiceState(obj, fullPlan()) },
    ];
  }
  const out: GeneratedState[] = [
    { name: 'empty', description: 'every map empty (program arrays as initialised)', state: stateFile(obj.maps, {}, obj.littleEndian) },
    { name: 'generic', description: 'a few entries per map, drawn from the map layouts', state: genericState(obj, rng) },
  ];
  const idiom = idiomStates(obj, options.idiom);
  for (const s of idiom?.states ?? []) {
    out.push({ name: s.name, description: s.description, state: stateFile(obj.maps, s.contents, obj.littleEndian), ...(s.hints && { hints: s.hints }) });
  }
  return out;
}
