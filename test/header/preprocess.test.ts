/**
 * Constants and conditionals against clang: which macros a header leaves defined
 * (`clang -E -dM`), and the value and type of every integer constant we report
 * (clang checks `_Static_assert`s that compare them as __int128, so -1 and
 * 4294967295 are told apart).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSchemaHeaders } from '../../src/object/header-schema.js';
import { missingTools, tempDir } from './peer.js';

const HEADER = join(dirname(fileURLToPath(import.meta.url)), 'probes', '_inc', 'constants.h');
const missing = missingTools().filter((t) => t === 'clang');
if (missing.length) console.log('SKIP: constant tests need clang');

const read = (p: string): string => readFileSync(p, 'utf8');
const CLANG = ['-target', 'bpf', '-I/usr/include/x86_64-linux-gnu'];

describe.skipIf(missing.length > 0)('constants and conditionals against clang', () => {
  const ours = parseSchemaHeaders([HEADER], read);
  const dir = tempDir();

  it('leaves defined the integer macros clang leaves defined', () => {
    const c = join(dir, 'defs.c');
    writeFileSync(c, `#include <linux/types.h>\n#include "${HEADER}"\n`);
    const dm = execFileSync('clang', [...CLANG, '-E', '-dM', c], { encoding: 'utf8' });
    const theirs = [...dm.matchAll(/^#define (PPT_\w+) /gm)].map((m) => m[1]).filter((n) => n !== 'PPT_FUNC');
    const mine = [...ours.constants.keys()].filter((n) => n.startsWith('PPT_') && !n.startsWith('PPT_E_'));
    expect(mine.sort()).toEqual(theirs.sort());
  });

  it('gives every constant the value clang gives it', () => {
    expect(ours.constants.size).toBeGreaterThan(50);
    const literal = (v: bigint): string => (v >= 2n ** 63n ? `${v}ULL` : v < 0n ? `(${v + 1n}LL - 1)` : `${v}LL`);
    const lines = [...ours.constants].map(([name, v]) => `_Static_assert((__int128)(${name}) == (__int128)${literal(v)}, "${name} is ${v}");`);
    const c = join(dir, 'values.c');
    writeFileSync(c, `#include <linux/types.h>\n#include "${HEADER}"\n${lines.join('\n')}\n`);
    let errors = '';
    try {
      execFileSync('clang', [...CLANG, '-fsyntax-only', '-Wno-everything', c], { stdio: 'pipe' });
    } catch (e) {
      errors = String((e as { stderr?: Buffer }).stderr ?? e);
    }
    expect(errors).toBe('');
  });
});
