#!/usr/bin/env node
// Writes dist/cli/templates.precompiled.json: the pf, dummynet and netgraph templates,
// checked and compiled ahead (digest -> handlebars spec), for the CLI bundle to load
// instead of checking and compiling them on every run (see PRECOMPILED_FILE in
// src/emit/safe-templates.ts). Run by bundle-cli.mjs; loads the templates through the
// emitters' own loaders, so a template they refuse fails the build.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPfTemplates } from '../dist/src/emit/pf/templates.js';
import { loadDummynetTemplates } from '../dist/src/emit/dummynet/templates.js';
import { loadNetgraphTemplates } from '../dist/src/emit/netgraph/templates.js';
import { PRECOMPILED_FILE } from '../dist/src/emit/safe-templates.js';
import { writeFileAtomic } from '../dist/src/output/write-file.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specs = {};
for (const t of [loadPfTemplates(), loadDummynetTemplates(), loadNetgraphTemplates()]) Object.assign(specs, t.precompiled());
const sorted = Object.fromEntries(Object.entries(specs).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileAtomic(join(root, 'dist/cli', PRECOMPILED_FILE), `${JSON.stringify(sorted, null, 1)}\n`);
