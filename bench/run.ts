/**
 * npm run bench: speed and memory of the reader, measured, never asserted.
 *
 * - loadObject per corpus object (median of warm runs) and for the whole corpus;
 * - whole-process wall time of `bpf2pf inspect --disasm` beside `llvm-objdump -d` on the
 *   largest corpus object, with a bare `node -e 0` for Node's own start-up;
 * - heap and peak RSS after reading the whole corpus;
 * - the interpreter's speed on from_cube;
 * - whole-process time and peak RSS of `bpf2pf translate` on the three default Coppice
 *   objects with the profile and snapshot (what `npm run coppice` runs);
 * - the lifter's time per entry program of those objects.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, packetsFor, statesFor } from '../src/gen/index.js';
import { liftObjectProgram, tailCallTargets } from '../src/lift/lift-object.js';
import { loadObject } from '../src/object/load-object.js';
import { isPacketProgram } from '../src/object/program-types.js';
import { createMapStore, runProgram } from '../src/vm/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The translate command of `npm run coppice`, without `-o`. */
const COPPICE_OBJECTS = ['mvmtap', 'nodenic', 'localgw'].map((p) => `corpus/coppice/${p}.o`);
const COPPICE_TRANSLATE = ['translate', ...COPPICE_OBJECTS, '--profile', 'corpus/coppice/profile.yaml', '--snapshot', 'corpus/coppice/snapshot.json'];

function corpus(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith('.o')) out.push(p);
    }
  };
  // The builds only: corpus/coppice/<prog>.o are copies of obj/<prog>.bpfel.v3.O2.o.
  walk(join(root, 'corpus/coppice/obj'));
  walk(join(root, 'corpus/idioms/obj'));
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function wallMs(cmd: string, args: string[], runs: number): number | undefined {
  const probe = spawnSync(cmd, args, { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return undefined;
  return median(Array.from({ length: runs }, () => timeMs(() => spawnSync(cmd, args, { stdio: 'ignore' }))));
}

const files = corpus();
const bytes = files.map((f) => new Uint8Array(readFileSync(f)));

const cold = timeMs(() => loadObject(bytes[0]));
const perObject = files.map((f, i) => {
  for (let k = 0; k < 3; k++) loadObject(bytes[i]);
  return { file: relative(root, f), size: bytes[i].length, ms: median(Array.from({ length: 15 }, () => timeMs(() => loadObject(bytes[i])))) };
});
const whole = median(Array.from({ length: 5 }, () => timeMs(() => bytes.forEach((b) => loadObject(b)))));
const kept = bytes.map((b) => loadObject(b));
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
const rssMiB = process.resourceUsage().maxRSS / 1024;

const largest = perObject.reduce((a, b) => (b.size > a.size ? b : a));
const cli = join(root, 'dist/cli/main.js');
const runs = 20;
const ours = wallMs(process.execPath, [cli, 'inspect', '--disasm', join(root, largest.file)], runs);
const objdump = wallMs('llvm-objdump', ['-d', join(root, largest.file)], runs);
const bareNode = wallMs(process.execPath, ['-e', '0'], runs);

const out: string[] = [];
out.push(`bpf2pf bench  (${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${files.length} corpus objects)`);
out.push('', 'loadObject, median of 15 warm runs (10 largest objects):');
for (const o of [...perObject].sort((a, b) => b.size - a.size).slice(0, 10)) {
  out.push(`  ${o.ms.toFixed(2).padStart(7)} ms  ${(o.size / 1024).toFixed(0).padStart(4)} KiB  ${o.file}`);
}
const perKiB = perObject.reduce((a, o) => a + o.ms, 0) / perObject.reduce((a, o) => a + o.size / 1024, 0);
out.push(`  first (cold) load: ${cold.toFixed(1)} ms; all objects: ${(perKiB * 1000).toFixed(1)} us per KiB of object`);
out.push(`whole corpus (${files.length} objects, ${(bytes.reduce((a, b) => a + b.length, 0) / 2 ** 20).toFixed(1)} MiB): ${whole.toFixed(1)} ms`);
out.push(`memory with the whole corpus loaded: heap ${heapMiB.toFixed(1)} MiB, peak RSS ${rssMiB.toFixed(1)} MiB (${kept.length} objects held)`);
out.push('', `whole process, median of ${runs} runs, on ${largest.file}:`);
const fmt = (v: number | undefined): string => (v === undefined ? 'n/a (tool missing)' : `${v.toFixed(1)} ms`);
out.push(`  bpf2pf inspect --disasm  ${fmt(ours)}`);
out.push(`  llvm-objdump -d          ${fmt(objdump)}`);
out.push(`  node -e 0 (start-up)     ${fmt(bareNode)}`);
if (ours !== undefined && objdump !== undefined) {
  out.push(`  ratio ${(ours / objdump).toFixed(1)}x llvm-objdump (aim: 3x); Node start-up alone is ${bareNode ? (bareNode / objdump).toFixed(1) : '?'}x`);
}
out.push('', ...interpreterSpeed());
out.push('', ...translateSpeed());
out.push('', ...liftSpeed());
process.stdout.write(`${out.join('\n')}\n`);

/**
 * The interpreter on from_cube: generated packets against the three-sandboxes state,
 * warm, maps carried from run to run as in a real sequence.
 */
function interpreterSpeed(): string[] {
  const file = join(root, 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
  const obj = loadObject(new Uint8Array(readFileSync(file)));
  const rng = createRng('bench');
  const state = statesFor(obj, rng).find((s) => s.name === 'three-sandboxes')!;
  const runs = packetsFor(obj, 'from_cube', state.state, rng, 4000, state.hints ? { hints: state.hints } : {});
  // Every ifindex a run names must be a device, as for BPF_PROG_TEST_RUN.
  const ifindexes = [...new Set(runs.map((r) => r.ctx?.ifindex).filter((i): i is number => i !== undefined && i > 1))];
  const devices = [1, ...ifindexes].map((ifindex) => ({ ifindex, name: `dev${ifindex}`, mtu: 1500, hardHeaderLen: 14, mac: [2, 0, 0, 0, 0, ifindex & 0xff], forwarding: false }));
  const warm = createMapStore(obj, state.state);
  for (const r of runs.slice(0, 500)) runProgram(obj, warm, r, { dumpMaps: false, devices });
  const store = createMapStore(obj, state.state);
  let instructions = 0;
  const ms = timeMs(() => {
    for (const r of runs) instructions += runProgram(obj, store, r, { dumpMaps: false, devices }).instructions;
  });
  const s = ms / 1000;
  return [
    `interpreter, from_cube (mvmtap v3 -O2), ${runs.length} generated packets, three-sandboxes state:`,
    `  ${(runs.length / s).toFixed(0)} packets/s, ${(instructions / s / 1e6).toFixed(2)} M instructions/s (${(instructions / runs.length).toFixed(0)} instructions per packet)`,
  ];
}

/**
 * Whole-process time of translate on the three Coppice objects (median and min of 5, each
 * into a fresh directory), with the code cache the build made and without it
 * (BPF2PF_CODE_CACHE=off), runs alternating; and its peak RSS from one more run under
 * /usr/bin/time.
 */
function translateSpeed(): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'bpf2pf-bench-'));
  try {
    const run = (i: number, cache: 'on' | 'off'): number | undefined => {
      let status: number | null = null;
      const env = { ...process.env, BPF2PF_CODE_CACHE: cache };
      const ms = timeMs(() => {
        status = spawnSync(process.execPath, [cli, ...COPPICE_TRANSLATE, '-o', join(scratch, `out${i}${cache}`)], { cwd: root, stdio: 'ignore', env }).status;
      });
      return status === 0 ? ms : undefined;
    };
    if (run(0, 'on') === undefined) return ['translate, Coppice: n/a (the command failed; run it by hand: npm run coppice)'];
    const state = spawnSync(process.execPath, [cli, '--version'], { env: { ...process.env, BPF2PF_DEBUG: '1' }, encoding: 'utf8' }).stderr.match(/code cache (.*)/)?.[1] ?? 'unknown';
    const withCache: number[] = [];
    const without: number[] = [];
    for (let i = 1; i <= 5; i++) {
      withCache.push(run(i, 'on')!);
      without.push(run(i, 'off')!);
    }
    let rss = 'n/a (no /usr/bin/time)';
    if (existsSync('/usr/bin/time')) {
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...COPPICE_TRANSLATE, '-o', join(scratch, 'rss')], { cwd: root, encoding: 'utf8' });
      const kib = Number(r.stderr.trim().split('\n').at(-1));
      if (r.status === 0 && Number.isFinite(kib)) rss = `${(kib / 1024).toFixed(1)} MiB`;
    }
    return [
      'whole process, bpf2pf translate of the three Coppice objects with profile and snapshot (5 runs):',
      `  median ${median(withCache).toFixed(1)} ms, min ${Math.min(...withCache).toFixed(1)} ms, peak RSS ${rss} (code cache ${state})`,
      `  without the code cache (BPF2PF_CODE_CACHE=off): median ${median(without).toFixed(1)} ms, min ${Math.min(...without).toFixed(1)} ms`,
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * liftObjectProgram on every entry program (packet programs no PROG_ARRAY holds): the
 * first run (code not yet optimised, as the CLI pays it) and the median of 5 runs after
 * it. One median of 3 mixed the two and swung by half from one bench to the next.
 */
function liftSpeed(): string[] {
  const out = ['lifter, liftObjectProgram per entry program of the Coppice objects, first run / median of 5 after it:'];
  for (const file of COPPICE_OBJECTS) {
    const obj = loadObject(new Uint8Array(readFileSync(join(root, file))));
    const stages = tailCallTargets(obj);
    for (const program of obj.programs.filter((p) => isPacketProgram(p.kind.type) && !stages.has(p.name))) {
      try {
        let paths = 0;
        let truncated = false;
        const lift = (): number => timeMs(() => {
          const r = liftObjectProgram(obj, program);
          paths = r.paths.length;
          truncated = r.truncated;
        });
        const first = lift();
        const warm = median(Array.from({ length: 5 }, lift));
        out.push(`  ${first.toFixed(1).padStart(8)} / ${warm.toFixed(1).padStart(6)} ms  ${program.name.padEnd(11)} ${file}: ${paths} paths${truncated ? ' (truncated: the path budget ran out)' : ''}`);
      } catch (e) {
        out.push(`       n/a     ${program.name.padEnd(11)} ${file}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  return out;
}
