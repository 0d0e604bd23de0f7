import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BpfObject } from '../../src/object/types.js';
import { toHex, type MapStateFile } from '../../src/state/map-state.js';
import type { PacketRun } from '../../src/vm/run-types.js';
import { repoRoot } from '../support/corpus.js';
import { openLineChannel, type LineChannel } from './line-channel.js';
import {
  dumpLine,
  expectOk,
  OracleError,
  parseDump,
  parseReply,
  parseRun,
  runLine,
  setMapLines,
  token,
  type OracleRun,
  type Reply,
} from './protocol.js';

export { OracleError, type OracleRun } from './protocol.js';

/**
 * The running kernel as the reference for eBPF semantics: one object loaded into the
 * kernel by test/.build/oracle (built from test/oracle/*.c by test/global-setup.ts),
 * its maps set and dumped in the canonical MapStateFile form, its programs run with
 * BPF_PROG_TEST_RUN. Every call is synchronous.
 *
 *   const o = openOracle('corpus/idioms/obj/mark_set.bpfel.o');
 *   const r = o.run({ program: 'mark_mgmt_traffic', packet });
 *   o.close();
 *
 * Nothing is pinned, and the helper process dies with ours, so nothing stays loaded.
 */

export const ORACLE_BINARY = join(repoRoot, 'test/.build/oracle');

export interface DataPatch {
  /** A data section: '.rodata', '.data', '.bss', ... */
  readonly section: string;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export interface OracleOptions {
  /** Whole initial values of data sections, set before load (`.rodata` is frozen after). */
  readonly sections?: Readonly<Record<string, Uint8Array>>;
  /** Byte patches of data sections, applied after `sections`, before load. */
  readonly patches?: readonly DataPatch[];
  /** Another oracle binary (tests of the driver). */
  readonly binary?: string;
}

/** A program as the kernel loaded it. */
export interface OracleProgram {
  readonly name: string;
  readonly section: string;
  /** BPF_PROG_TYPE_*: 3 SCHED_CLS, 6 XDP. */
  readonly type: number;
  readonly id: number;
}

/** A map as the kernel created it. */
export interface OracleMap {
  /** Internal maps carry their section name ('.rodata'), as in MapStateFile. */
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly internal: boolean;
  /** `.rodata`: set through OracleOptions before load, never afterwards. */
  readonly frozen: boolean;
  /** Whether dumps include it (ring buffers, queues and the like have no keyed access). */
  readonly dumpable: boolean;
}

export interface RunOptions {
  /**
   * tc programs: pass no `__sk_buff` at all instead of a zero one with the fields given.
   * The kernel then skips its ctx conversion: the program reads wire_len 0 (not the
   * packet's length) and no ctx comes back.
   */
  readonly omitCtx?: boolean;
}

export interface RunBatchOptions extends RunOptions {
  /** Dump every map after each run into `outcome.maps`. */
  readonly dumpAfterEach?: boolean;
}

export interface Oracle {
  readonly objectPath: string;
  /** True when the object has a legacy `maps` section and our own loader took it. */
  readonly legacy: boolean;
  readonly programs: readonly OracleProgram[];
  readonly maps: readonly OracleMap[];
  /** Makes every map named in `state` hold exactly its entries; other maps are untouched. */
  setMaps(state: MapStateFile, obj: BpfObject): void;
  run(run: PacketRun, options?: RunOptions): OracleRun;
  runBatch(runs: readonly PacketRun[], options?: RunBatchOptions): OracleRun[];
  /** Every dumpable map, or the named ones. */
  dumpMaps(names?: readonly string[]): MapStateFile;
  /** CLOCK_MONOTONIC of the kernel now, in ns. */
  clock(): bigint;
  /** One raw protocol request (not `batch`), for tests of the protocol itself. */
  request(line: string): Reply;
  close(): void;
}

/** A patch that sets one global variable of `obj` (by name) to `bytes`. */
export function globalPatch(obj: BpfObject, name: string, bytes: Uint8Array): DataPatch {
  const g = obj.globals.find((x) => x.name === name);
  if (!g) throw new OracleError(`the object has no global ${name}`);
  if (bytes.length > g.size) throw new OracleError(`${name} is ${g.size} bytes, got ${bytes.length}`);
  return { section: g.section, offset: g.offset, bytes };
}

let unavailable: string | null | undefined;

/** Why the oracle cannot run here (for a SKIP line), or undefined when it can. */
export function oracleUnavailable(): string | undefined {
  if (unavailable !== undefined) return unavailable ?? undefined;
  unavailable = probe() ?? null;
  return unavailable ?? undefined;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (BPF_PROG_TEST_RUN needs CAP_BPF and CAP_NET_ADMIN)';
  if (!existsSync(ORACLE_BINARY)) return 'test/.build/oracle was not built (gcc, libbpf-dev or libelf-dev missing)';
  const r = spawnSync(ORACLE_BINARY, [], { input: 'hello\nquit\n', encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `oracle does not start: ${r.error.message}`;
  try {
    const hello = parseReply(r.stdout.split('\n')[0] ?? '');
    if (hello.bpf !== 'yes') return `bpf() is not usable: ${String(hello.bpf)}`;
  } catch (e) {
    return `oracle does not answer: ${(e as Error).message}`;
  }
  return undefined;
}

/** Runs per request batch: bounds the memory of one exchange, costs nothing noticeable. */
const BATCH = 512;

export function openOracle(objectPath: string, options: OracleOptions = {}): Oracle {
  const path = resolve(repoRoot, objectPath);
  if (/[\n]/.test(path)) throw new OracleError(`object path contains a newline: ${path}`);
  const channel = openLineChannel(options.binary ?? ORACLE_BINARY);
  try {
    return start(channel, objectPath, path, options);
  } catch (e) {
    channel.close();
    throw e;
  }
}

function start(channel: LineChannel, objectPath: string, path: string, options: OracleOptions): Oracle {
  /** Sends lines as one batch and returns one reply per line. */
  const exchange = (lines: readonly string[]): Reply[] => {
    const out: Reply[] = [];
    for (let i = 0; i < lines.length; i += BATCH) {
      const part = lines.slice(i, i + BATCH);
      const framed = part.length === 1 ? part : [`batch ${part.length}`, ...part];
      for (const l of channel.exchange(framed, part.length)) out.push(parseReply(l));
    }
    return out;
  };
  const one = (line: string): Reply => exchange([line])[0];

  const setup = [
    `open ${path}`,
    ...Object.entries(options.sections ?? {}).map(([s, b]) => `init ${token(s, 'section')} ${b.length ? toHex(b) : '-'}`),
    ...(options.patches ?? []).map((p) => `patch ${token(p.section, 'section')} ${p.offset} ${p.bytes.length ? toHex(p.bytes) : '-'}`),
  ];
  for (const [i, r] of exchange(setup).entries()) expectOk(r, setup[i].slice(0, 80));
  const loaded = expectOk(one('load'), `load ${objectPath}`);
  const programs = loaded.programs as OracleProgram[];
  const maps = loaded.maps as OracleMap[];
  const mapByName = new Map(maps.map((m) => [m.name, m]));

  const dumpMaps = (names?: readonly string[]): MapStateFile => parseDump(one(dumpLine(names)));

  return {
    objectPath,
    legacy: loaded.legacy as boolean,
    programs,
    maps,
    setMaps(state, obj) {
      const lines: string[] = [];
      for (const [name, contents] of Object.entries(state.maps)) {
        const m = mapByName.get(name);
        if (!m) throw new OracleError(`the object has no map ${name}`);
        if (m.frozen) {
          // Frozen after load: accept a state that says what it already holds.
          const now = dumpMaps([name]).maps[name];
          if (JSON.stringify(now) !== JSON.stringify(contents)) {
            throw new OracleError(`map ${name} is frozen after load: give its bytes to openOracle({ sections })`);
          }
          continue;
        }
        lines.push(...setMapLines(name, contents, obj));
      }
      for (const [i, r] of exchange(lines).entries()) expectOk(r, lines[i].slice(0, 80));
    },
    run(run, opts = {}) {
      return parseRun(one(runLine(run, opts.omitCtx)), run.program);
    },
    runBatch(runs, opts = {}) {
      const lines = runs.flatMap((r) => {
        const line = runLine(r, opts.omitCtx);
        return opts.dumpAfterEach ? [line, 'dump'] : [line];
      });
      const replies = exchange(lines);
      return runs.map((r, i) => {
        if (!opts.dumpAfterEach) return parseRun(replies[i], r.program);
        const res = parseRun(replies[2 * i], r.program);
        const maps = parseDump(replies[2 * i + 1]);
        return { ...res, outcome: { ...res.outcome, maps } };
      });
    },
    dumpMaps,
    clock() {
      return BigInt(expectOk(one('clock'), 'clock').now as string);
    },
    request(line) {
      // A batch line would make the helper wait for lines this call never sends.
      if (/^batch /.test(line)) throw new OracleError('request() takes single requests; runBatch frames batches');
      return one(line);
    },
    close() {
      channel.close();
    },
  };
}
