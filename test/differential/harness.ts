import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBpf2pfError } from '../../src/errors.js';
import { createRng, packetsFor, statesFor, type GeneratedRun } from '../../src/gen/index.js';
import { loadObject } from '../../src/object/load-object.js';
import { isPacketProgram } from '../../src/object/program-types.js';
import type { BpfObject } from '../../src/object/types.js';
import { toHex, type MapContents, type MapStateFile } from '../../src/state/map-state.js';
import { createMapStore, dumpMaps, runProgram, type MapStore, type TimeDerivedMapBytes, type VmDevice, type VmResult } from '../../src/vm/index.js';
import { taintedMapBytes } from '../../src/vm/run/time-derived.js';
import { openOracle, type Oracle, type OracleRun } from '../oracle/oracle.js';
import { repoRoot } from '../support/corpus.js';

/**
 * The interpreter against the kernel: the same object, map state and packets through
 * BPF_PROG_TEST_RUN and through src/vm, comparing after every run the return code, the
 * output packet, the context fields the kernel copies back and every map's contents.
 * Bytes the interpreter reports as derived from a clock are compared by presence only;
 * redirect targets (which test_run does not report) are the interpreter's alone.
 *
 * Packets run in sequences per (state, program): the maps carry over from run to run, as
 * they do in the kernel, so session creation and later lookups are compared too.
 */
export interface ProgramTally {
  readonly program: string;
  runs: number;
  agreements: number;
  /** Runs the kernel refused (e.g. an unknown ifindex); agreement means the VM refused too. */
  refused: number;
}

export interface Mismatch {
  readonly object: string;
  readonly state: string;
  readonly program: string;
  readonly category: string;
  readonly differences: readonly string[];
  /** A JSON file with the starting state and the runs that reproduce it. */
  readonly reproduction: string;
}

export interface ObjectTally {
  readonly object: string;
  readonly programs: ProgramTally[];
  readonly mismatches: Mismatch[];
  /** Slots the interpreter executed, per section, over all runs. */
  readonly executed: Map<string, Set<number>>;
}

export interface DifferentialEnv {
  readonly oracleBinary?: string;
  /** The devices both sides see, after making sure `ifindex` (when given) exists. */
  readonly devices: (ifindex?: number) => readonly VmDevice[];
  readonly perProgram: number;
}

/** Every map the kernel can be told to hold, with the state's contents or empty. */
function fullState(obj: BpfObject, oracle: Oracle, state: MapStateFile): MapStateFile {
  const maps: Record<string, MapContents> = {};
  for (const m of oracle.maps) {
    if (m.frozen || !m.dumpable) continue;
    const given = state.maps[m.name];
    if (given) maps[m.name] = given;
    else if (m.internal) {
      const d = obj.dataSections.find((x) => x.name === m.name);
      const nonzero = d && d.bytes.some((b) => b !== 0);
      maps[m.name] = { entries: nonzero ? [{ key: '00000000', value: toHex(d.bytes) }] : [] };
    } else if (obj.maps.find((x) => x.name === m.name)?.initialSlots.length) {
      continue; // PROG_ARRAY / map-in-map static slots: as loaded
    } else maps[m.name] = { entries: [] };
  }
  return { version: 1, maps };
}

function mask(hex: string, bytes: readonly number[]): string {
  if (!bytes.length) return hex;
  const c = [...hex];
  for (const b of bytes) if (2 * b + 1 < c.length) c[2 * b] = c[2 * b + 1] = 'x';
  return c.join('');
}

/** Return code, packet and context of one run; clock-derived context fields by presence. */
function compareRun(k: OracleRun, v: VmResult): string[] {
  const diffs: string[] = [];
  if (v.retval !== k.outcome.retval) diffs.push(`retval: kernel ${k.outcome.retval}, vm ${v.retval}`);
  if (toHex(v.packet) !== toHex(k.outcome.packet)) diffs.push(`packet: kernel ${toHex(k.outcome.packet)}, vm ${toHex(v.packet)}`);
  if (k.outcome.ctx && v.ctx) {
    for (const f of Object.keys(k.outcome.ctx) as (keyof typeof v.ctx)[]) {
      if (String(k.outcome.ctx[f]) === String(v.ctx[f])) continue;
      const timed = v.timeDerived.ctx.some((t) => t.replace(/_/g, '').toLowerCase() === f.toLowerCase());
      if (!timed) diffs.push(`ctx.${f}: kernel ${k.outcome.ctx[f]}, vm ${v.ctx[f]}`);
    }
  }
  return diffs;
}

/** Every map, with the bytes the interpreter knows came from a clock compared by presence. */
function compareMaps(kernel: MapStateFile, vm: MapStateFile, timed: readonly TimeDerivedMapBytes[]): string[] {
  const diffs: string[] = [];
  for (const [name, contents] of Object.entries(kernel.maps)) {
    const masks = timed.filter((t) => t.map === name && !t.inner);
    const norm = (x: MapContents | undefined): string =>
      JSON.stringify((x?.entries ?? []).map((e) => ('value' in e ? { k: e.key, v: mask(e.value, masks.find((t) => t.key === e.key)?.bytes ?? []) } : e)));
    const kn = norm(contents);
    const vn = norm(vm.maps[name]);
    if (kn !== vn) diffs.push(`map ${name}: kernel ${kn.slice(0, 300)}, vm ${vn.slice(0, 300)}`);
  }
  return diffs;
}

function writeReproduction(m: Omit<Mismatch, 'reproduction'>, state: MapStateFile, runs: readonly GeneratedRun[]): string {
  const dir = join(repoRoot, 'test/.build/repro');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${m.object.replace(/\W+/g, '_')}-${m.program}-${Date.now()}.json`);
  const json = {
    object: m.object,
    program: m.program,
    differences: m.differences,
    state,
    runs: runs.map((r) => ({ packet: toHex(r.packet), ctx: r.ctx ? JSON.parse(JSON.stringify(r.ctx, (_, x) => (typeof x === 'bigint' ? x.toString() : x))) : undefined, category: r.category })),
  };
  writeFileSync(file, JSON.stringify(json, null, 2));
  const stateFile = file.replace(/\.json$/, '.state.json');
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const ctx = (r: GeneratedRun): string =>
    Object.entries(r.ctx ?? {}).map(([k, v]) => ` --ctx ${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=${Array.isArray(v) ? v.join(',') : String(v)}`).join('');
  const command = `bpf2pf run ${m.object} --program ${m.program} --maps ${stateFile}${runs.map((r) => ` --packet ${toHex(r.packet)}`).join('')}${ctx(runs[runs.length - 1])}`;
  return `${file}\n    ${command}`;
}

type Outcome = { kind: 'agree' } | { kind: 'refused' } | { kind: 'differ'; differences: string[] };

/** One run on both sides; maps are compared only when `checkMaps` (dumps are the slow part). */
function runBoth(obj: BpfObject, oracle: Oracle, store: MapStore, run: GeneratedRun, env: DifferentialEnv, executed: Map<string, Set<number>>, checkMaps: boolean): Outcome {
  const devices = env.devices(run.ctx?.ifindex);
  const k = oracle.run(run);
  if (k.error) {
    try {
      runProgram(obj, createMapStore(obj), run, { devices, dumpMaps: false });
      return { kind: 'differ', differences: [`kernel refused the run (${k.error}), the interpreter ran it`] };
    } catch (e) {
      if (isBpf2pfError(e) && e.code === 'VM_BAD_STATE') return { kind: 'refused' };
      return { kind: 'differ', differences: [`kernel refused the run (${k.error}), the interpreter failed: ${String(e)}`] };
    }
  }
  let v: VmResult;
  try {
    v = runProgram(obj, store, run, { now: k.clockBefore, devices, dumpMaps: false });
  } catch (e) {
    return { kind: 'differ', differences: [`interpreter: ${isBpf2pfError(e) ? `${e.code} ${e.message}` : String(e)}`] };
  }
  for (const [section, slots] of v.executed) {
    const set = executed.get(section) ?? new Set<number>();
    for (const x of slots) set.add(x);
    executed.set(section, set);
  }
  const differences = compareRun(k, v);
  if (checkMaps) differences.push(...compareMaps(oracle.dumpMaps(), dumpMaps(obj, store), v.timeDerived.maps));
  return differences.length ? { kind: 'differ', differences } : { kind: 'agree' };
}

/**
 * The first run of `runs` (started from `start`) after which the two sides differ,
 * comparing maps after every run: a window that ended with different maps is replayed
 * to find which run made them differ. Returns the runs up to it and what differed.
 */
function firstDivergence(obj: BpfObject, objectPath: string, env: DifferentialEnv, start: MapStateFile, runs: readonly GeneratedRun[]): { runs: readonly GeneratedRun[]; differences: string[] } {
  const oracle = openOracle(objectPath, env.oracleBinary ? { binary: env.oracleBinary } : {});
  try {
    oracle.setMaps(start, obj);
    const store = createMapStore(obj, oracle.dumpMaps());
    for (let i = 0; i < runs.length; i++) {
      const out = runBoth(obj, oracle, store, runs[i], env, new Map(), true);
      if (out.kind !== 'differ') continue;
      if (i === 0) return { runs: [runs[0]], differences: out.differences };
      const alone = firstDivergence(obj, objectPath, env, start, [runs[i]]);
      return alone.differences[0] === ALONE_AGREES ? { runs: runs.slice(0, i + 1), differences: out.differences } : alone;
    }
    return { runs, differences: [ALONE_AGREES] };
  } finally {
    oracle.close();
  }
}

const ALONE_AGREES = 'differs only when run in the full sequence';

/** Maps are compared after this many runs, and at the end of every sequence. */
const CHECK_EVERY = 25;

export async function runDifferential(objectPath: string, env: DifferentialEnv): Promise<ObjectTally> {
  const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, objectPath))));
  const rng = createRng(objectPath);
  const path = join(repoRoot, objectPath);
  const oracle = openOracle(path, env.oracleBinary ? { binary: env.oracleBinary } : {});
  const programs = obj.programs.filter((p) => isPacketProgram(p.kind.type));
  const tallies = new Map(programs.map((p) => [p.name, { program: p.name, runs: 0, agreements: 0, refused: 0 }]));
  const mismatches: Mismatch[] = [];
  const executed = new Map<string, Set<number>>();
  const record = (st: string, program: string, run: GeneratedRun, start: MapStateFile, repro: readonly GeneratedRun[], differences: readonly string[]): void => {
    const base = { object: objectPath, state: st, program, category: run.category, differences };
    mismatches.push({ ...base, reproduction: writeReproduction(base, start, repro) });
  };
  try {
    const states = statesFor(obj, rng);
    const perState = Math.ceil(env.perProgram / states.length);
    for (const st of states) {
      // One state for all programs of the object: their maps are shared, as in the kernel.
      oracle.setMaps(fullState(obj, oracle, st.state), obj);
      let windowStart = oracle.dumpMaps();
      let store = createMapStore(obj, windowStart);
      for (const p of programs) {
        // Long runs of synchronous work starve vitest's worker messages: yield now and then.
        await new Promise((resolve) => setImmediate(resolve));
        let windowFrom = 0;
        const runs = packetsFor(obj, p.name, st.state, rng, perState, st.hints ? { hints: st.hints } : {});
        const tally = tallies.get(p.name)!;
        for (let i = 0; i < runs.length; i++) {
          const out = runBoth(obj, oracle, store, runs[i], env, executed, false);
          tally.runs++;
          if (out.kind === 'refused') tally.refused++;
          if (out.kind === 'differ') {
            const found = firstDivergence(obj, path, env, windowStart, runs.slice(windowFrom, i + 1));
            record(st.name, p.name, runs[i], windowStart, found.runs, out.differences);
          } else tally.agreements++;
          const checkpoint = (i + 1) % CHECK_EVERY === 0 || i === runs.length - 1;
          if (!checkpoint && out.kind !== 'differ') continue;
          const kernel = oracle.dumpMaps();
          const differences = out.kind === 'differ' ? [] : compareMaps(kernel, dumpMaps(obj, store), taintedMapBytes(store));
          if (differences.length) {
            const found = firstDivergence(obj, path, env, windowStart, runs.slice(windowFrom, i + 1));
            const last = found.runs[found.runs.length - 1];
            tally.agreements -= 1; // the run that made the maps differ was counted as agreeing
            record(st.name, p.name, last, windowStart, found.runs, found.differences);
          }
          // The next window starts from the kernel's maps, so one divergence does not hide the next.
          if (differences.length || out.kind === 'differ') store = createMapStore(obj, kernel);
          windowStart = kernel;
          windowFrom = i + 1;
        }
      }
    }
  } finally {
    oracle.close();
  }
  return { object: objectPath, programs: [...tallies.values()], mismatches, executed };
}

/** Share of a function's instructions some run executed. */
export function coverageOf(obj: BpfObject, executed: Map<string, Set<number>>): { name: string; reached: number; total: number; missing: number[] }[] {
  return [...obj.programs, ...obj.subprograms].map((f) => {
    const set = executed.get(f.section) ?? new Set<number>();
    const missing = f.insns.filter((i) => !set.has(i.slot)).map((i) => i.slot);
    return { name: f.name, reached: f.insns.length - missing.length, total: f.insns.length, missing };
  });
}
