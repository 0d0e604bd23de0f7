import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { isBpf2pfError } from '../../../src/errors.js';
import { loadObject } from '../../../src/object/load-object.js';
import type { BpfObject } from '../../../src/object/types.js';
import { toHex, type MapStateFile } from '../../../src/state/map-state.js';
import { createMapStore, runProgram, type MapStore, type VmOptions } from '../../../src/vm/index.js';
import type { SkbContextIn, SkbContextOut } from '../../../src/vm/run-types.js';
import { compileProbe, loadProbe, type LoadedProbe } from './kernel-probe.js';

/** An __sk_buff for ctx_in, little endian (the probes are built for bpfel). */
export function skbCtxBytes(c: SkbContextIn): Uint8Array {
  const b = new Uint8Array(192);
  const v = new DataView(b.buffer);
  v.setUint32(8, c.mark ?? 0, true);
  v.setUint32(32, c.priority ?? 0, true);
  v.setUint32(36, c.ingressIfindex ?? 0, true);
  v.setUint32(40, c.ifindex ?? 0, true);
  (c.cb ?? [0, 0, 0, 0, 0]).forEach((x, i) => v.setUint32(48 + 4 * i, x, true));
  v.setBigUint64(152, c.tstamp ?? 0n, true);
  v.setUint32(160, c.wireLen ?? 0, true);
  v.setUint32(164, c.gsoSegs ?? 0, true);
  v.setUint32(176, c.gsoSize ?? 0, true);
  v.setBigUint64(184, c.hwtstamp ?? 0n, true);
  return b;
}

export function skbCtxOut(b: Uint8Array): SkbContextOut {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    mark: v.getUint32(8, true),
    priority: v.getUint32(32, true),
    ingressIfindex: v.getUint32(36, true),
    ifindex: v.getUint32(40, true),
    cb: [0, 1, 2, 3, 4].map((i) => v.getUint32(48 + 4 * i, true)) as unknown as SkbContextOut['cb'],
    tstamp: v.getBigUint64(152, true),
    wireLen: v.getUint32(160, true),
    gsoSegs: v.getUint32(164, true),
    hwtstamp: v.getBigUint64(184, true),
  };
}

export interface ProbeCase {
  readonly program: string;
  readonly packet: Uint8Array;
  readonly ctx?: SkbContextIn;
  readonly label?: string;
  /** Pass no __sk_buff at all (tc). */
  readonly omitCtx?: boolean;
}

/** A probe object loaded in the kernel and in the interpreter, with map stores that live side by side. */
export interface ProbePair {
  readonly obj: BpfObject;
  readonly kernel: LoadedProbe;
  readonly store: MapStore;
  /** Runs a case on both and returns the differences (none when they agree). */
  compare(c: ProbeCase, options?: VmOptions, ignoreMaps?: readonly string[]): string[];
  close(): void;
}

export function probePair(name: string, source: string, compiler: 'clang-14' | 'clang-19' = 'clang-14', mcpu = 'v3'): ProbePair {
  const path = compileProbe(name, source, compiler, mcpu);
  const pair = objectPair(path);
  return {
    ...pair,
    close() {
      pair.close();
      rmSync(dirname(path), { recursive: true, force: true });
    },
  };
}

/** Masks the given byte offsets of a hex string (clock-derived bytes compare by presence only). */
function mask(hex: string, bytes: readonly number[]): string {
  const chars = [...hex];
  for (const b of bytes) {
    if (2 * b + 1 < chars.length) {
      chars[2 * b] = 'x';
      chars[2 * b + 1] = 'x';
    }
  }
  return chars.join('');
}

/** An existing object loaded in the kernel and the interpreter, maps given `initial` on both sides. */
export function objectPair(path: string, initial?: (obj: BpfObject) => MapStateFile): ProbePair {
  const obj = loadObject(new Uint8Array(readFileSync(path)));
  const kernel = loadProbe(path);
  const state = initial?.(obj);
  if (state) kernel.loadState(obj, state);
  const store = createMapStore(obj, state);
  return {
    obj,
    kernel,
    store,
    compare(c, options = {}, ignoreMaps = []) {
      const label = c.label ?? `${c.program}`;
      const diffs: string[] = [];
      const xdp = obj.programs.find((p) => p.name === c.program)?.kind.type === 'xdp';
      const k = kernel.run(c.program, c.packet, xdp || c.omitCtx ? undefined : skbCtxBytes(c.ctx ?? {}));
      let v;
      try {
        // The kernel's CLOCK_MONOTONIC (Node's hrtime is that clock on Linux), so that time
        // comparisons in programs go the same way; the values themselves compare by presence.
        const now = process.hrtime.bigint();
        v = runProgram(obj, store, { program: c.program, packet: c.packet, ...(c.ctx && { ctx: c.ctx }) }, { now, ...(c.omitCtx && { omitCtx: true }), ...options });
      } catch (e) {
        return [`${label}: interpreter stopped: ${isBpf2pfError(e) ? `${e.code} ${e.message}` : String(e)}`];
      }
      if (v.retval !== k.retval) diffs.push(`${label}: retval kernel ${k.retval} interpreter ${v.retval}`);
      if (toHex(v.packet) !== toHex(k.packet)) diffs.push(`${label}: packet\n  kernel      ${toHex(k.packet)}\n  interpreter ${toHex(v.packet)}`);
      if (c.omitCtx && v.ctx) diffs.push(`${label}: a ctx came back without one given`);
      if (k.ctx && v.ctx) {
        const kc = skbCtxOut(k.ctx);
        for (const f of Object.keys(kc) as (keyof SkbContextOut)[]) {
          if (v.timeDerived.ctx.some((n) => n.toLowerCase().replace(/_/g, '') === f.toLowerCase())) continue;
          if (JSON.stringify(kc[f], big) !== JSON.stringify(v.ctx[f], big)) {
            diffs.push(`${label}: ctx ${f} kernel ${JSON.stringify(kc[f], big)} interpreter ${JSON.stringify(v.ctx[f], big)}`);
          }
        }
      }
      const km = kernel.dumpMaps(obj);
      for (const [name, contents] of Object.entries(km)) {
        if (ignoreMaps.includes(name)) continue;
        const timed = v.timeDerived.maps.filter((t) => t.map === name && t.inner === undefined);
        const masked = (c: typeof contents | undefined): string =>
          JSON.stringify(c?.entries.map((e) => ('value' in e ? { key: e.key, value: mask(e.value, timed.find((t) => t.key === e.key)?.bytes ?? []) } : e)));
        const vm = v.maps?.maps[name];
        if (masked(vm) !== masked(contents)) {
          diffs.push(`${label}: map ${name}\n  kernel      ${JSON.stringify(contents)}\n  interpreter ${JSON.stringify(vm)}`);
        }
      }
      return diffs;
    },
    close() {
      kernel.close();
    },
  };
}

function big(_k: string, x: unknown): unknown {
  return typeof x === 'bigint' ? x.toString() : x;
}

/** `res[i]` of a probe's .bss as u64 values, from a map dump. */
export function resValues(hex: string): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i + 16 <= hex.length; i += 16) {
    let x = 0n;
    for (let j = 7; j >= 0; j--) x = (x << 8n) | BigInt(parseInt(hex.slice(i + 2 * j, i + 2 * j + 2), 16));
    out.push(x);
  }
  return out;
}
