/**
 * The SNAT slot generators put a sandbox's sessions on must be the slot from_cube
 * computes. Peer: the jhash functions of corpus/coppice/src/coppice_helpers.h compiled
 * for the host with gcc, over a thousand addresses.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coppiceSnatSlot, jhashOneWord } from '../../src/gen/coppice-jhash.js';
import { createRng } from '../../src/gen/rng.js';
import { repoRoot } from '../support/corpus.js';
import { skipLine } from '../support/tools.js';

const gcc = !spawnSync('gcc', ['--version'], { stdio: 'ignore' }).error;
if (!gcc) skipLine('jhash peer test', 'gcc is not installed');

describe.skipIf(!gcc)('coppiceSnatSlot agrees with the C jhash', () => {
  it('on 1000 addresses', () => {
    const header = readFileSync(join(repoRoot, 'corpus/coppice/src/coppice_helpers.h'), 'utf8');
    const start = header.indexOf('#define CP_JHASH_GOLDEN');
    const end = header.indexOf('/* -------------------------------------------------------------- checksums');
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const rng = createRng('jhash');
    const inputs = Array.from({ length: 1000 }, () => rng.u32());
    const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-jhash-'));
    try {
      const src = [
        '#include <stdio.h>',
        '#include <stdint.h>',
        'typedef uint32_t __u32;',
        '#undef __always_inline',
        '#define __always_inline inline',
        header.slice(start, end),
        'int main(void) { unsigned k; while (scanf("%u", &k) == 1) printf("%u\\n", cp_jhash_1word(k, 0)); return 0; }',
      ].join('\n');
      writeFileSync(join(dir, 'jhash.c'), src);
      execFileSync('gcc', ['-O2', '-o', join(dir, 'jhash'), join(dir, 'jhash.c')]);
      const out = execFileSync(join(dir, 'jhash'), { input: inputs.join('\n'), encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(inputs.map((k) => jhashOneWord(k, 0))).toEqual(out);
      expect(inputs.map((k) => coppiceSnatSlot(k, 4))).toEqual(out.map((h) => h % 4));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
