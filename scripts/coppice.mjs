#!/usr/bin/env node
// npm run coppice: translates the three default Coppice objects with the profile and the
// map snapshot into ./out-coppice (the same command line as corpus/coppice/golden), then
// prints the migration report as text (what `bpf2pf audit` prints).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COPPICE_TRANSLATE } from './golden-update.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = (args) => spawnSync(process.execPath, ['dist/cli/main.js', ...args], { cwd: root, stdio: 'inherit' }).status ?? 3;

const translated = cli([...COPPICE_TRANSLATE, '-o', 'out-coppice']);
if (translated !== 0) process.exit(translated);
process.stdout.write('\n');
process.exit(cli(['audit', ...COPPICE_TRANSLATE.slice(1), '--format', 'text']));
