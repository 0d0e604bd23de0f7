#!/usr/bin/env node
// Makes dist/cli/bpf2pf.cache: runs the CLI bundle once on the main job (translate of
// the three Coppice objects with profile and snapshot, into a temporary directory) and
// keeps the code V8 compiled for it. Run by bundle-cli.mjs after bundling; it fails, and
// leaves no cache, when the translate does not exit 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../dist/src/output/write-file.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'dist/cli');
const { loadBundle, BUNDLE_FILE, CACHE_FILE } = createRequire(import.meta.url)(join(dir, 'main.js'));
const out = mkdtempSync(join(tmpdir(), 'bpf2pf-code-cache-'));
const coppice = (f) => join(root, 'corpus/coppice', f);
const bundle = loadBundle(dir, { useCache: false });
// The CLI ends with process.exit; the cache is taken then, from everything it compiled.
process.on('exit', (code) => {
  rmSync(out, { recursive: true, force: true });
  if (code === 0) writeFileAtomic(join(dir, CACHE_FILE), bundle.cacheBytes());
});
process.argv = [process.execPath, join(dir, BUNDLE_FILE), 'translate', coppice('mvmtap.o'), coppice('nodenic.o'), coppice('localgw.o'),
  '--profile', coppice('profile.yaml'), '--snapshot', coppice('snapshot.json'), '-o', join(out, 'out')];
bundle.run();
