#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js) into one CommonJS file,
// dist/cli/bpf2pf.cjs, started by dist/cli/main.js (src/cli/launch.cts) from a V8 code
// cache this script then makes by running a translate of the Coppice corpus.
//
// One CommonJS file instead of ESM chunks: Node 20's ESM loader (resolving, linking and
// evaluating ~10 chunks through its async job queue) cost more than parsing one file;
// translate of the three Coppice objects measured 1,198 -> 1,113 ms without the cache.
// Lazy imports stay lazy: esbuild wraps each lazily imported module in an init function,
// so chevrotain's grammars are still built only by the commands that parse.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/cli');
rmSync(outdir, { recursive: true, force: true });
const common = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: [join(root, 'dist/src/cli/main.js')],
  outfile: join(outdir, 'bpf2pf.cjs'),
  // import.meta does not exist in CommonJS; the one use (safe-templates' packageRoot)
  // needs the module's own URL, which the bundle's file name gives.
  define: { 'import.meta.url': '__bpf2pfModuleUrl' },
  banner: { js: "var __bpf2pfModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({ ...common, entryPoints: [join(root, 'dist/src/cli/launch.cjs')], outfile: join(outdir, 'main.js'), banner: { js: '#!/usr/bin/env node' } });
// The package is ESM ("type": "module"); the launcher is CommonJS, as its name must stay main.js.
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
chmodSync(join(outdir, 'main.js'), 0o755);

// Templates compiled ahead, then the code cache (its translate already uses them).
const pre = spawnSync(process.execPath, [join(root, 'scripts/precompile-templates.mjs')], { cwd: root, encoding: 'utf8' });
if (pre.status !== 0) {
  console.error(`bundle-cli: compiling the templates ahead failed:\n${pre.stderr}`);
  process.exit(1);
}
const train = spawnSync(process.execPath, [join(root, 'scripts/code-cache.mjs')], { cwd: root, encoding: 'utf8' });
if (train.status !== 0) {
  console.error(`bundle-cli: making the code cache failed: the CLI could not translate the Coppice corpus:\n${train.stderr}`);
  process.exit(1);
}
