import type { BpfMap, BpfObject } from '../../src/object/types.js';
import {
  fromHex,
  isInnerEntry,
  isProgramEntry,
  isValueEntry,
  type MapContents,
  type MapStateFile,
} from '../../src/state/map-state.js';
import type { PacketRun, RunOutcome, SkbContextIn, SkbContextOut } from '../../src/vm/run-types.js';

/**
 * The request lines and response shapes of test/oracle/oracle.c (its header comment is
 * the protocol's description). Pure functions: nothing here talks to the process.
 */

export class OracleError extends Error {
  readonly errno: number | undefined;
  constructor(message: string, errno?: number) {
    super(message);
    this.name = 'OracleError';
    this.errno = errno;
  }
}

/** A response line, parsed. */
export interface Reply {
  readonly ok: boolean;
  readonly error?: string;
  readonly errno?: number;
  readonly [field: string]: unknown;
}

export function parseReply(line: string): Reply {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new OracleError(`oracle answered with something that is not JSON: ${line.slice(0, 200)}`);
  }
  if (typeof v !== 'object' || v === null || typeof (v as { ok?: unknown }).ok !== 'boolean') {
    throw new OracleError(`oracle answered without "ok": ${line.slice(0, 200)}`);
  }
  return v as Reply;
}

/** Throws the oracle's error for a failed reply. */
export function expectOk(r: Reply, what: string): Reply {
  if (!r.ok) throw new OracleError(`${what}: ${r.error ?? 'failed'}`, r.errno);
  return r;
}

/** Names and request tokens never contain spaces or newlines; refuse anything that would. */
export function token(s: string, what: string): string {
  if (s === '' || /[\s]/.test(s)) throw new OracleError(`${what} cannot be sent to the oracle: ${JSON.stringify(s)}`);
  return s;
}

// Buffer's hex codec: several times faster than map-state's portable one, same output.
const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const unhex = (s: string): Uint8Array => {
  if (s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new OracleError(`oracle sent bad hex: ${s.slice(0, 40)}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
};
const hexOrDash = (b: Uint8Array): string => (b.length === 0 ? '-' : hex(b));

export function ctxTokens(ctx: SkbContextIn | undefined): string[] {
  if (!ctx) return [];
  const t: string[] = [];
  const checkU32 = (name: string, v: number): number => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new OracleError(`ctx ${name} is not a u32: ${v}`);
    return v;
  };
  const u32 = (name: string, v: number | undefined): void => {
    if (v !== undefined) t.push(`${name}=${checkU32(name, v)}`);
  };
  const u64 = (name: string, v: bigint | undefined): void => {
    if (v === undefined) return;
    if (v < 0n || v > 0xffffffffffffffffn) throw new OracleError(`ctx ${name} is not a u64: ${v}`);
    t.push(`${name}=${v}`);
  };
  u32('mark', ctx.mark);
  u32('priority', ctx.priority);
  u32('ingress_ifindex', ctx.ingressIfindex);
  u32('ifindex', ctx.ifindex);
  if (ctx.cb) t.push(`cb=${ctx.cb.map((x, i) => checkU32(`cb[${i}]`, x)).join(',')}`);
  u64('tstamp', ctx.tstamp);
  u32('wire_len', ctx.wireLen);
  u32('gso_segs', ctx.gsoSegs);
  u32('gso_size', ctx.gsoSize);
  u64('hwtstamp', ctx.hwtstamp);
  return t;
}

export function runLine(run: PacketRun, omitCtx = false): string {
  if (omitCtx && run.ctx) throw new OracleError(`run ${run.program}: ctx fields given with omitCtx`);
  const words = ['run', token(run.program, 'program name'), hexOrDash(run.packet), ...ctxTokens(run.ctx)];
  return (omitCtx ? [...words, 'noctx'] : words).join(' ');
}

interface WireCtx {
  mark: number;
  priority: number;
  ingress_ifindex: number;
  ifindex: number;
  cb: [number, number, number, number, number];
  tstamp: string;
  wire_len: number;
  gso_segs: number;
  gso_size: number;
  hwtstamp: string;
}

function ctxFromWire(c: WireCtx): SkbContextOut {
  return {
    mark: c.mark,
    priority: c.priority,
    ingressIfindex: c.ingress_ifindex,
    ifindex: c.ifindex,
    cb: c.cb,
    tstamp: BigInt(c.tstamp),
    wireLen: c.wire_len,
    gsoSegs: c.gso_segs,
    hwtstamp: BigInt(c.hwtstamp),
  };
}

/** What the oracle reports for one run. */
export interface OracleRun {
  /** Meaningless when `error` is set (retval 0, empty packet). */
  readonly outcome: RunOutcome;
  /** CLOCK_MONOTONIC just before and just after BPF_PROG_TEST_RUN. */
  readonly clockBefore: bigint;
  readonly clockAfter: bigint;
  /** The kernel refused the run (e.g. an IPv4 frame shorter than 34 bytes: EINVAL). */
  readonly error?: string;
  readonly errno?: number;
  /** Average run time the kernel measured, in ns. */
  readonly durationNs?: number;
}

export function parseRun(r: Reply, program: string): OracleRun {
  if (r.t0 === undefined) expectOk(r, `run ${program}`); // not a run at all: bad request
  const clockBefore = BigInt(r.t0 as string);
  const clockAfter = BigInt(r.t1 as string);
  if (!r.ok) {
    return {
      outcome: { retval: 0, packet: new Uint8Array(0) },
      clockBefore,
      clockAfter,
      error: r.error ?? 'failed',
      ...(r.errno !== undefined && { errno: r.errno }),
    };
  }
  const ctx = r.ctx === undefined ? undefined : ctxFromWire(r.ctx as WireCtx);
  return {
    outcome: { retval: r.retval as number, packet: unhex(r.data as string), ...(ctx && { ctx }) },
    clockBefore,
    clockAfter,
    durationNs: r.duration as number,
  };
}

export function dumpLine(names: readonly string[] | undefined): string {
  return ['dump', ...(names ?? []).map((n) => token(n, 'map name'))].join(' ');
}

export function parseDump(r: Reply): MapStateFile {
  expectOk(r, 'dump');
  return { version: 1, maps: r.maps as Record<string, MapContents> };
}

/** The inner map template a map-in-map entry needs, from the object as loadObject read it. */
function innerTemplate(map: BpfMap | undefined, name: string): string {
  const t = map?.inner;
  if (!t) throw new OracleError(`map ${name}: no inner map template in the object, cannot create inner maps`);
  return `${t.type} ${t.keySize} ${t.valueSize} ${t.maxEntries} ${t.flags}`;
}

/** The requests that make `name` hold exactly `contents`: clear, then insert. */
export function setMapLines(name: string, contents: MapContents, obj: BpfObject): string[] {
  const n = token(name, 'map name');
  const lines = [`clear ${n}`];
  for (const e of contents.entries) {
    const key = token(e.key, 'key');
    if (isProgramEntry(e)) {
      lines.push(`put-prog ${n} ${key} ${token(e.program, 'program name')}`);
    } else if (isInnerEntry(e)) {
      const pairs = e.inner.entries.map((ie) => {
        if (!isValueEntry(ie)) throw new OracleError(`map ${name}: inner maps hold values only`);
        return `${token(ie.key, 'key')} ${hexOrDash(fromHex(ie.value))}`;
      });
      const tmpl = innerTemplate(obj.maps.find((m) => m.name === name), name);
      lines.push([`put-inner ${n} ${key} ${tmpl}`, ...pairs].join(' '));
    } else if (isValueEntry(e)) {
      lines.push(`put ${n} ${key} ${hexOrDash(fromHex(e.value))}`);
    }
  }
  return lines;
}
