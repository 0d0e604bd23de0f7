import { fail } from '../errors.js';
import type { BpfObject } from '../object/types.js';
import { buildFrame, TEST_RUN_MAX_FRAME } from '../packet/build-frame.js';
import type { MapStateFile } from '../state/map-state.js';
import type { PacketRun, SkbContextIn } from '../vm/run-types.js';
import { contextReads } from './context-reads.js';
import { drawCubeFrame, type CoppiceDraw } from './coppice-cube-packets.js';
import { coppiceName, isCoppiceObject } from './coppice-names.js';
import { TAP_UNREGISTERED } from './coppice-plan.js';
import { coppiceView, type CoppiceView } from './coppice-view.js';
import { drawEnvoyFrame, drawWorldFrame } from './coppice-world-packets.js';
import { drawContext } from './draw-context.js';
import { drawFrame } from './draw-frame.js';
import { drawPools, type DrawPools, type PoolHints } from './draw-pools.js';
import type { Rng } from './rng.js';

/** A run plus what kind of traffic it was drawn as, for distributions and failure reports. */
export interface GeneratedRun extends PacketRun {
  readonly category: string;
}

export interface PacketsOptions {
  /** Addresses and ports of maps the object has no layouts for (idiom states supply these). */
  readonly hints?: PoolHints;
  /** An ifindex in no map, used for "unknown interface" runs. */
  readonly unknownIfindex?: number;
}

/**
 * `count` runs of `program` against `state`: frames drawn from the state's entries and
 * the object's constants, with the context fields the program reads. Coppice programs
 * (recognised by their maps) get traffic shaped after their own steps; any other
 * program gets the generic mix of draw-frame.ts. Deterministic for a given rng state.
 */
export function packetsFor(obj: BpfObject, program: string, state: MapStateFile, rng: Rng, count: number, options: PacketsOptions = {}): GeneratedRun[] {
  const prog = obj.programs.find((p) => p.name === program) ?? fail('USAGE', `object has no program ${program}`);
  const pools = drawPools(obj, state, options.hints);
  const unknownIfindex = options.unknownIfindex ?? TAP_UNREGISTERED;
  const runs: GeneratedRun[] = [];
  const name = coppiceName(program);
  if (isCoppiceObject(obj) && COPPICE_DRAWS.has(name)) {
    const view = coppiceView(obj, state);
    const draw = COPPICE_DRAWS.get(name) ?? fail('USAGE', `no Coppice traffic for ${program}`);
    for (let i = 0; i < count; i++) {
      const d = draw(view, pools, rng, unknownIfindex);
      runs.push(run(program, d.category, buildFrame(d.frame), d.ctx));
    }
    return runs;
  }
  const skb = prog.kind.type === 'sched_cls' || prog.kind.type === 'sched_act';
  const reads = contextReads(obj);
  for (let i = 0; i < count; i++) {
    const d = drawFrame(pools, rng);
    const ctx = skb ? drawContext(reads, pools, rng, { unknownIfindex }) : undefined;
    runs.push(run(program, d.category, buildFrame(d.spec), ctx));
  }
  return runs;
}

type CoppiceDrawFn = (v: CoppiceView, p: DrawPools, rng: Rng, unknownTap: number) => CoppiceDraw;

/** Each Coppice program (tail-call stages included) and the traffic it is fed. */
const COPPICE_DRAWS: ReadonlyMap<string, CoppiceDrawFn> = new Map<string, CoppiceDrawFn>([
  ['from_cube', (v, p, rng, tap) => drawCubeFrame(v, p, rng, tap)],
  ['cube_dns_hdr', (v, p, rng, tap) => drawCubeFrame(v, p, rng, tap, true)],
  ['cube_dns_name', (v, p, rng, tap) => drawCubeFrame(v, p, rng, tap, true)],
  ['cube_dns_match', (v, p, rng, tap) => drawCubeFrame(v, p, rng, tap, true)],
  ['from_world', (v, p, rng) => drawWorldFrame(v, p, rng)],
  ['world_dns_hdr', (v, p, rng) => drawWorldFrame(v, p, rng, true)],
  ['world_dns_question', (v, p, rng) => drawWorldFrame(v, p, rng, true)],
  ['world_dns_answers', (v, p, rng) => drawWorldFrame(v, p, rng, true)],
  ['from_envoy', (v, p, rng) => drawEnvoyFrame(v, p, rng)],
]);

function run(program: string, category: string, packet: Uint8Array, ctx: SkbContextIn | undefined): GeneratedRun {
  return { program, category, packet: fitForTestRun(packet), ...(ctx && { ctx }) };
}

/**
 * BPF_PROG_TEST_RUN's size rules (reference §9.2): at least 14 bytes, 34 for an IPv4
 * EtherType and 54 for IPv6, at most 3712. Generators aim inside them; this is the
 * last guard, padding with zeros or cutting.
 */
export function fitForTestRun(frame: Uint8Array): Uint8Array {
  if (frame.length > TEST_RUN_MAX_FRAME) return frame.slice(0, TEST_RUN_MAX_FRAME);
  const type = frame.length >= 14 ? (frame[12] << 8) | frame[13] : -1;
  const min = type === 0x0800 ? 34 : type === 0x86dd ? 54 : 14;
  if (frame.length >= min) return frame;
  const out = new Uint8Array(min);
  out.set(frame);
  return out;
}
