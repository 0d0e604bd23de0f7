import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAP_TYPE_NAMES, MapType } from '../../../src/object/map-types.js';
import type { BpfObject } from '../../../src/object/types.js';
import { isInnerEntry, isValueEntry, toHex, type MapContents, type MapEntry, type MapStateFile } from '../../../src/state/map-state.js';
import { hasTool } from '../../support/tools.js';

/**
 * Runs small C probe programs in the kernel with `bpftool prog run` (reference §9.5,
 * option 1) so the interpreter can be compared with BPF_PROG_TEST_RUN on the same
 * object. Programs are pinned under a fresh directory in /sys/fs/bpf that is removed
 * again; runs are pinned to CPU 0 (taskset) so per-CPU values land in CPU 0's copy.
 */
export function kernelProbeUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (BPF_PROG_TEST_RUN needs CAP_BPF and CAP_NET_ADMIN)';
  for (const t of ['bpftool', 'clang-14', 'clang-19', 'taskset']) if (!hasTool(t)) return `${t} missing`;
  const mounts = existsSync('/proc/mounts') ? readFileSync('/proc/mounts', 'utf8') : '';
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) return 'no BPF filesystem at /sys/fs/bpf';
  return undefined;
}

const MULTIARCH = '/usr/include/x86_64-linux-gnu';

/** Maps bpftool cannot list (or whose listing means something else). */
const UNDUMPABLE: ReadonlySet<number> = new Set([
  MapType.PROG_ARRAY, MapType.QUEUE, MapType.STACK, MapType.RINGBUF, MapType.PERF_EVENT_ARRAY, MapType.ARRAY_OF_MAPS, MapType.HASH_OF_MAPS,
]);

/** Compiles a probe source into a temporary directory; returns the object path. */
export function compileProbe(name: string, source: string, compiler: 'clang-14' | 'clang-19' = 'clang-19', mcpu = 'v3'): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-vm-probe-'));
  const src = join(dir, `${name}.bpf.c`);
  writeFileSync(src, source);
  return compileFile(src, dir, compiler, mcpu);
}

/**
 * Compiles a source file (e.g. a corpus program) into `dir`, with `-include` headers
 * forced in first (used to turn LIBBPF_PIN_BY_NAME off, so maps do not pin globally).
 */
export function compileFile(src: string, dir: string, compiler: 'clang-14' | 'clang-19', mcpu: string, include: readonly string[] = []): string {
  const obj = join(dir, `${src.split('/').pop()?.replace(/\.bpf\.c$|\.c$/, '')}.o`);
  const args = ['-O2', '-g', '-target', 'bpfel', `-mcpu=${mcpu}`, `-I${MULTIARCH}`, ...include.flatMap((h) => ['-include', h]), '-c', src, '-o', obj];
  const r = spawnSync(compiler, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${compiler} ${src}: ${r.stderr}`);
  return obj;
}

export interface KernelRun {
  readonly retval: number;
  readonly packet: Uint8Array;
  readonly ctx?: Uint8Array;
}

export interface LoadedProbe {
  run(program: string, packet: Uint8Array, ctx?: Uint8Array): KernelRun;
  /** Gives maps the state's contents with BPF_MAP_UPDATE_ELEM (hash, array, LPM, and map-in-map of those). */
  loadState(obj: BpfObject, state: MapStateFile): void;
  /** Every pinned map of the object, in the canonical MapStateFile form. */
  dumpMaps(obj: BpfObject): Record<string, MapContents>;
  close(): void;
}

function bpftool(args: readonly string[]): string {
  const r = spawnSync('taskset', ['-c', '0', 'bpftool', '-j', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 || /"error"/.test(r.stdout)) throw new Error(`bpftool ${args.join(' ')}: ${r.stdout} ${r.stderr}`);
  return r.stdout;
}

export function loadProbe(objectPath: string): LoadedProbe {
  const root = join('/sys/fs/bpf', `bpf2pf-vm-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(root);
  const work = mkdtempSync(join(tmpdir(), 'bpf2pf-vm-run-'));
  try {
    bpftool(['prog', 'loadall', objectPath, join(root, 'progs'), 'pinmaps', join(root, 'maps')]);
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
  return {
    run(program, packet, ctx) {
      const din = join(work, 'in');
      const dout = join(work, 'out');
      const cin = join(work, 'ctx');
      const cout = join(work, 'ctxout');
      writeFileSync(din, packet);
      rmSync(dout, { force: true });
      const args = ['prog', 'run', 'pinned', join(root, 'progs', program), 'data_in', din, 'data_out', dout, 'data_size_out', '8192'];
      if (ctx) {
        writeFileSync(cin, ctx);
        args.push('ctx_in', cin, 'ctx_out', cout);
      }
      const out = JSON.parse(bpftool(args)) as { retval: number };
      return {
        retval: out.retval >>> 0,
        packet: new Uint8Array(readFileSync(dout)),
        ...(ctx && { ctx: new Uint8Array(readFileSync(cout)) }),
      };
    },
    loadState(obj, state) {
      let inner = 0;
      for (const [name, contents] of Object.entries(state.maps)) {
        const m = obj.maps.find((x) => x.name === name);
        if (m === undefined) throw new Error(`no map ${name}`);
        const path = join(root, 'maps', name);
        for (const e of contents.entries) {
          const key = ['key', 'hex', ...hexBytes(e.key)];
          if (isValueEntry(e)) bpftool(['map', 'update', 'pinned', path, ...key, 'value', 'hex', ...hexBytes(e.value)]);
          else if (isInnerEntry(e) && m.inner) {
            const t = m.inner;
            const innerPath = join(root, `inner_${inner++}`);
            bpftool([
              'map', 'create', innerPath, 'type', MAP_TYPE_NAMES[t.type], 'key', `${t.keySize}`, 'value', `${t.valueSize}`,
              'entries', `${t.maxEntries}`, 'name', `inner${inner}`, 'flags', `${t.flags}`,
            ]);
            for (const ie of e.inner.entries) {
              if (isValueEntry(ie)) bpftool(['map', 'update', 'pinned', innerPath, 'key', 'hex', ...hexBytes(ie.key), 'value', 'hex', ...hexBytes(ie.value)]);
            }
            bpftool(['map', 'update', 'pinned', path, ...key, 'value', 'pinned', innerPath]);
          } else throw new Error(`cannot load entry ${e.key} of ${name}`);
        }
      }
    },
    dumpMaps(obj) {
      const out: Record<string, MapContents> = {};
      const pinned = existsSync(join(root, 'maps')) ? readdirSync(join(root, 'maps')) : [];
      for (const m of obj.maps) {
        if (!pinned.includes(m.name) || UNDUMPABLE.has(m.type)) continue;
        out[m.name] = dumpPinned(join(root, 'maps', m.name), m.type === MapType.ARRAY || m.type === MapType.PERCPU_ARRAY);
      }
      for (const d of obj.dataSections) {
        const pin = pinned.find((p) => p.endsWith(d.name.replace(/\./g, '_')));
        if (pin) out[d.name] = dumpPinned(join(root, 'maps', pin), true);
      }
      return out;
    },
    close() {
      rmSync(root, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

function hexBytes(hex: string): string[] {
  return hex.match(/../g) ?? [];
}

interface DumpedEntry {
  key: string[];
  value?: string[];
  values?: { cpu: number; value: string[] }[];
}

function bytes(hex: readonly string[]): Uint8Array {
  return Uint8Array.from(hex.map((h) => parseInt(h, 16)));
}

function dumpPinned(path: string, array: boolean): MapContents {
  const dumped = JSON.parse(bpftool(['map', 'dump', 'pinned', path])) as DumpedEntry[];
  const entries: MapEntry[] = [];
  for (const e of dumped) {
    const value = e.value ?? e.values?.find((v) => v.cpu === 0)?.value ?? [];
    const v = bytes(value);
    if (array && v.every((x) => x === 0)) continue;
    entries.push({ key: toHex(bytes(e.key)), value: toHex(v) });
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { entries };
}
