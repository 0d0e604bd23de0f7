#!/usr/bin/env node
// Regenerates the golden outputs of `bpf2pf translate` with the built CLI
// (npm run golden:update, which builds first):
//
//   corpus/coppice/golden/           the three default Coppice objects with the profile and
//                                    the map snapshot
//   corpus/idioms/golden/<idiom>/    each idiom's bpfel object, without a profile
//
//   node scripts/golden-update.mjs [--out DIR] [--jobs N]
//
// --out DIR   write DIR/corpus/coppice/golden and DIR/corpus/idioms/golden instead (the
//             golden test regenerates into a temporary directory and compares); a case
//             whose translate fails is reported on stderr as `FAILED <dir>: <error>` and the
//             others are still written (exit 1)
//
// The CLI runs from the repository root on relative paths, so the reports name the
// objects as `corpus/...` and nothing of this machine reaches the files. Each golden tree
// is written beside its final place and renamed into it once complete, so a failed run
// leaves the committed goldens as they were. Review the diff after an update.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = 'dist/cli/main.js';

/** The Coppice translation: objects, profile and snapshot (also `npm run coppice`). */
export const COPPICE_TRANSLATE = [
  'translate',
  'corpus/coppice/mvmtap.o', 'corpus/coppice/nodenic.o', 'corpus/coppice/localgw.o',
  '--profile', 'corpus/coppice/profile.yaml',
  '--snapshot', 'corpus/coppice/snapshot.json',
];

/**
 * Every golden output: `{ name, dir, args }`, `dir` relative to the repository (or to
 * --out), `args` the translate command line without `-o`.
 */
export function goldenCases() {
  const idioms = JSON.parse(readFileSync(join(root, 'corpus/idioms/idioms.json'), 'utf8'))
    .map((i) => i.name)
    .sort();
  return [
    { name: 'coppice', dir: 'corpus/coppice/golden', args: COPPICE_TRANSLATE },
    ...idioms.map((name) => ({
      name: `idioms/${name}`,
      dir: `corpus/idioms/golden/${name}`,
      args: ['translate', `corpus/idioms/obj/${name}.bpfel.o`],
    })),
  ];
}

/** The top-level golden trees the cases live in, each replaced as a whole. */
export const GOLDEN_ROOTS = ['corpus/coppice/golden', 'corpus/idioms/golden'];

function translate(args, outDir) {
  return new Promise((done, reject) => {
    const p = spawn(process.execPath, [CLI, ...args, '-o', outDir], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? done() : reject(new Error(`bpf2pf ${args.join(' ')} -o ${outDir} exited ${code}\n${err}`))));
  });
}

async function runAll(jobs, tasks) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/**
 * Translates every case into `place(case.dir)`, an absolute path. The first failure
 * throws, unless `keepGoing`: then every case runs and the failures are returned.
 */
async function writeCases(cases, place, jobs, keepGoing = false) {
  const failures = [];
  await runAll(jobs, cases.map((c) => async () => {
    const out = place(c.dir);
    mkdirSync(dirname(out), { recursive: true });
    try {
      await translate(c.args, out);
    } catch (e) {
      if (!keepGoing) throw e;
      failures.push({ dir: c.dir, message: e.message });
    }
  }));
  return failures.sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

async function main() {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const jobsIdx = args.indexOf('--jobs');
  const jobs = jobsIdx >= 0 ? Number(args[jobsIdx + 1]) : Math.max(2, cpus().length);
  if (!existsSync(join(root, CLI))) throw new Error(`${CLI} is missing: run npm run build`);
  const cases = goldenCases();

  if (outIdx >= 0) {
    const outRoot = resolve(args[outIdx + 1]);
    const failures = await writeCases(cases, (dir) => join(outRoot, dir), jobs, true);
    for (const f of failures) process.stderr.write(`FAILED ${f.dir}: ${f.message.trim().replace(/\n+/g, ' | ')}\n`);
    if (failures.length) process.exitCode = 1;
    return;
  }

  // Stage each golden root as <root>.<pid>.tmp beside it (*.tmp is gitignored).
  const staged = (dir) => {
    const top = GOLDEN_ROOTS.find((r) => dir === r || dir.startsWith(`${r}/`));
    return join(root, `${top}.${process.pid}.tmp`, dir.slice(top.length));
  };
  try {
    await writeCases(cases, staged, jobs);
  } catch (e) {
    for (const r of GOLDEN_ROOTS) rmSync(join(root, `${r}.${process.pid}.tmp`), { recursive: true, force: true });
    throw e;
  }
  for (const r of GOLDEN_ROOTS) {
    const final = join(root, r);
    const old = join(root, `${r}.${process.pid}.old.tmp`);
    if (existsSync(final)) renameSync(final, old);
    renameSync(join(root, `${r}.${process.pid}.tmp`), final);
    rmSync(old, { recursive: true, force: true });
  }
  const count = (d) => readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1), 0);
  process.stdout.write(`golden: ${cases.length} translations, ${GOLDEN_ROOTS.map((r) => `${r} (${count(join(root, r))} files)`).join(', ')}; review the diff\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`golden-update: ${e.message}\n`);
    process.exit(2);
  });
}
