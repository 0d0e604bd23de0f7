/**
 * A predicate to decision DAGs: every inner node is one test with a true and a false
 * successor, the two leaves are "match" and "no match" (dag-builder.ts builds one).
 * The caller generates code for each candidate and keeps the shortest.
 *
 * Passes, sharing one table of continuations so ids mean the same in each:
 *
 * 1. a build without pull-ups records the flow between tests (flow.ts) for the
 *    dominator facts libpcap's pull-ups depend on;
 * 2. the first candidate: every continuation built with all its path knows, pull-ups
 *    where libpcap would make them;
 * 3. further candidates: a continuation reached on several paths that know different
 *    things comes out once per path in (2), where libpcap builds it once and lets
 *    each path jump past the tests it has decided. Neither is always shorter, so these
 *    build the continuations that came out different once, with only what those paths
 *    share (repeated, since that changes what the paths after them know).
 */
import { DagBuilder, type Generalised } from './dag-builder.js';
import { ContTable, type DagNode } from './continuations.js';
import { FlowRecorder } from './flow.js';
import type { Pred } from './pred.js';

export { MATCH, NO_MATCH, type DagNode } from './continuations.js';

const GENERALISE_PASSES = 3;

export function buildDags(pred: Pred): DagNode[] {
  const table = new ContTable();
  const root = table.cont(pred, table.match, table.noMatch);
  const recorder = new FlowRecorder();
  new DagBuilder(table, { record: recorder }).build(root);
  const flow = recorder.facts();
  const out: DagNode[] = [];
  let generalise = new Map<number, Generalised>();
  for (let pass = 0; pass <= GENERALISE_PASSES; pass++) {
    const builder = new DagBuilder(table, { flow, generalise });
    out.push(builder.build(root));
    const next = builder.specialised();
    if (next.size === generalise.size) break;
    generalise = next;
  }
  return out;
}
