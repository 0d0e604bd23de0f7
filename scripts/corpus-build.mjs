#!/usr/bin/env node
// Builds every corpus object from its C source (npm run corpus:build).
//
//   node scripts/corpus-build.mjs [--out DIR] [--list] [--jobs N]
//
// --out DIR   write objects under DIR/corpus/... instead of the repository (used by the
//             test that checks the committed objects match a rebuild)
// --list      print the build plan as JSON and build nothing
//
// Besides the build matrix, it writes the default Coppice objects corpus/coppice/mvmtap.o,
// nodenic.o and localgw.o: byte copies of obj/<prog>.bpfel.v3.O2.o, so that
// `bpf2pf translate corpus/coppice/*.o --profile corpus/coppice/profile.yaml` names the
// objects as the profile does. They are not in the manifest (they are not builds);
// test/corpus/rebuild.test.ts checks each equals its twin.
//
// Objects must be byte-for-byte reproducible: clang runs from the repository root on
// relative paths with -fdebug-compilation-dir=., so no absolute path of the checkout
// reaches DWARF or BTF. Only the compiler versions (recorded in corpus/README.md and
// corpus/build-manifest.json) change the bytes.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The compilers the corpus is built with; the versions are part of the build's identity. */
export const COMPILERS = {
  'clang-14': { bin: 'clang-14', mcpus: ['v1', 'v2', 'v3'] },
  'clang-19': { bin: 'clang-19', mcpus: ['v4'] },
};

const COPPICE_PROGRAMS = ['mvmtap', 'nodenic', 'localgw'];
const ARCHES = ['bpfel', 'bpfeb'];

/** The default Coppice objects: `{ object, copyOf }`, each a byte copy of one build. */
export function defaultObjects() {
  return COPPICE_PROGRAMS.map((prog) => ({
    object: `corpus/coppice/${prog}.o`,
    copyOf: `corpus/coppice/obj/${prog}.bpfel.v3.O2.o`,
  }));
}

/** Copies each default object from its build, through a temporary file and a rename. */
function writeDefaultObjects(outRoot) {
  for (const { object, copyOf } of defaultObjects()) {
    const final = join(outRoot, object);
    copyFileSync(join(outRoot, copyOf), `${final}.tmp`);
    renameSync(`${final}.tmp`, final);
  }
}

function multiarchInclude() {
  try {
    const m = execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim();
    if (m) return `/usr/include/${m}`;
  } catch {
    /* no gcc: fall through */
  }
  return '/usr/include/x86_64-linux-gnu';
}

function baseFlags() {
  return ['-Wall', '-Werror', '-fdebug-compilation-dir=.', `-I${multiarchInclude()}`];
}

/** The full build plan: one entry per object, in a fixed order. */
export function buildPlan() {
  const plan = [];
  for (const prog of COPPICE_PROGRAMS) {
    const source = `corpus/coppice/src/${prog}.bpf.c`;
    for (const arch of ARCHES) {
      for (const mcpu of COMPILERS['clang-14'].mcpus) {
        for (const opt of ['O1', 'O2']) {
          plan.push({
            object: `corpus/coppice/obj/${prog}.${arch}.${mcpu}.${opt}.o`,
            source, compiler: 'clang-14', arch, mcpu, opt, btf: true, extra: [],
            set: 'coppice',
          });
        }
      }
      plan.push({
        object: `corpus/coppice/obj/${prog}.${arch}.v4.O2.o`,
        source, compiler: 'clang-19', arch, mcpu: 'v4', opt: 'O2', btf: true, extra: [],
        set: 'coppice',
      });
    }
    plan.push({
      object: `corpus/coppice/obj/renamed/${prog}.bpfel.v3.O2.o`,
      source, compiler: 'clang-14', arch: 'bpfel', mcpu: 'v3', opt: 'O2', btf: true,
      extra: ['-include', 'corpus/coppice/src/rename.h'],
      set: 'coppice-renamed',
    });
  }
  const idiomsFile = join(root, 'corpus/idioms/idioms.json');
  const idioms = existsSync(idiomsFile) ? JSON.parse(readFileSync(idiomsFile, 'utf8')) : [];
  for (const idiom of idioms) {
    for (const arch of ARCHES) {
      plan.push({
        object: `corpus/idioms/obj/${idiom.name}.${arch}.o`,
        source: `corpus/idioms/${idiom.source}`,
        compiler: 'clang-14', arch, mcpu: 'v3', opt: 'O2', btf: idiom.btf !== false, extra: [],
        set: 'idioms',
      });
    }
  }
  return plan;
}

export function commandFor(entry, outPath) {
  const flags = [
    '-target', entry.arch, `-${entry.opt}`, `-mcpu=${entry.mcpu}`,
    ...(entry.btf ? ['-g'] : []), ...baseFlags(), ...entry.extra,
    '-c', entry.source, '-o', outPath,
  ];
  return { bin: COMPILERS[entry.compiler].bin, args: flags };
}

export function compilerVersion(compiler) {
  const out = execFileSync(COMPILERS[compiler].bin, ['--version'], { encoding: 'utf8' });
  return out.split('\n')[0].trim();
}

function run(bin, args) {
  return new Promise((resolveRun, reject) => {
    const p = spawn(bin, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolveRun() : reject(new Error(`${bin} ${args.join(' ')}\n${err}`))));
  });
}

async function buildAll(plan, outRoot, jobs) {
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const entry = plan[next++];
      const final = join(outRoot, entry.object);
      mkdirSync(dirname(final), { recursive: true });
      // Write beside the target and rename, so an interrupted build leaves no half object.
      const tmp = `${final}.tmp`;
      const { bin, args } = commandFor(entry, tmp);
      await run(bin, args);
      renameSync(tmp, final);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function writeManifest(plan, outRoot) {
  const compilers = Object.fromEntries(Object.keys(COMPILERS).map((c) => [c, compilerVersion(c)]));
  const objects = plan.map((e) => ({
    object: e.object,
    set: e.set,
    source: e.source,
    compiler: e.compiler,
    arch: e.arch,
    mcpu: e.mcpu,
    opt: e.opt,
    btf: e.btf,
    command: [commandFor(e, e.object).bin, ...commandFor(e, e.object).args].join(' '),
    sha256: sha256(join(outRoot, e.object)),
  }));
  const manifest = { compilers, objects };
  const path = join(outRoot, 'corpus/build-manifest.json');
  writeFileSync(`${path}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

async function main() {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const outRoot = outIdx >= 0 ? resolve(args[outIdx + 1]) : root;
  const jobsIdx = args.indexOf('--jobs');
  const jobs = jobsIdx >= 0 ? Number(args[jobsIdx + 1]) : Math.max(1, cpus().length);
  const plan = buildPlan();
  if (args.includes('--list')) {
    process.stdout.write(JSON.stringify(plan.map((e) => ({ ...e, command: commandFor(e, e.object) })), null, 2) + '\n');
    return;
  }
  await buildAll(plan, outRoot, jobs);
  writeDefaultObjects(outRoot);
  writeManifest(plan, outRoot);
  process.stdout.write(`built ${plan.length} objects (and ${defaultObjects().length} default copies) into ${outRoot}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`corpus-build: ${e.message}\n`);
    process.exit(2);
  });
}
