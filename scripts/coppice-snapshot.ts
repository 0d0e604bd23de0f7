/**
 * Writes corpus/coppice/snapshot.json (src/gen/coppice-snapshot.ts says what it holds)
 * from the three default Coppice objects, whose BTF gives the key and value layouts.
 *
 *   npm run corpus:snapshot            # write it
 *   node dist/scripts/coppice-snapshot.js --check   # exit 1 when it is out of date
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coppiceSnapshotText } from '../src/gen/coppice-snapshot.js';
import { loadObject } from '../src/object/load-object.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SNAPSHOT = 'corpus/coppice/snapshot.json';
const SNAPSHOT_OBJECTS = ['mvmtap', 'nodenic', 'localgw'].map((p) => `corpus/coppice/${p}.o`);

function main(): void {
  const objects = SNAPSHOT_OBJECTS.map((p) => loadObject(new Uint8Array(readFileSync(join(root, p)))));
  const text = coppiceSnapshotText(objects);
  const path = join(root, SNAPSHOT);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing: out of date */
    }
    if (current !== text) {
      process.stderr.write(`${SNAPSHOT} is out of date: run npm run corpus:snapshot\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  process.stdout.write(`wrote ${SNAPSHOT}\n`);
}

main();
