/**
 * Golden copies of what the dummynet and netgraph emitters write for their fixtures,
 * under test/emit/golden/dummynet/<fixture>/ and test/emit/golden/netgraph/<fixture>/
 * (beside the pf emitter's test/emit/golden/<fixture>/). Reviewed in the diff when they
 * change, regenerated only on purpose: UPDATE_GOLDEN=1 npx vitest run test/emit/golden-targets.test.ts.
 * What the output means is checked by dummynet/ and netgraph/; these catch every other change.
 * The netgraph programs are tcpdump's (4.99.3 / libpcap 1.10.3 when these were written).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitDummynet } from '../../src/emit/dummynet/index.js';
import { emitNetgraph } from '../../src/emit/netgraph/index.js';
import { hasTcpdump } from '../cbpf/peer.js';
import { skipLine } from '../support/tools.js';
import { DUMMYNET_FIXTURES } from './dummynet/fixtures.js';
import { NETGRAPH_FIXTURES, tcpdumpCompile } from './netgraph/fixtures.js';

const goldenRoot = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function check(dir: string, files: readonly { path: string; content: string }[]): void {
  if (update) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.path), f.content);
  }
  expect(files.map((f) => f.path).sort()).toEqual(readdirSync(dir).sort());
  for (const f of files) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), 'utf8'));
}

describe('dummynet emitter golden files', () => {
  for (const [name, ir] of Object.entries(DUMMYNET_FIXTURES)) {
    it(name, () => check(join(goldenRoot, 'dummynet', name), emitDummynet(ir).files));
  }
});

describe('netgraph emitter golden files', () => {
  for (const [name, ir] of Object.entries(NETGRAPH_FIXTURES)) {
    it(name, () => {
      if (!hasTcpdump()) return skipLine(`netgraph golden ${name}`, 'tcpdump not installed');
      check(join(goldenRoot, 'netgraph', name), emitNetgraph(ir, { compile: tcpdumpCompile }).files);
    });
  }
});
