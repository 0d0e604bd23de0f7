/**
 * corpus/hostile: malformed objects, each with a `.expect` file whose first line is the
 * error code loading it must end in. Where that code is a BTF one, the BTF reader alone
 * must raise exactly it; for every other object, whatever .BTF it carries must still
 * read to a value or a typed error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBtfExt } from '../../src/btf/ext.js';
import { globalsFromBtf } from '../../src/btf/globals.js';
import { btfMapDefinitions } from '../../src/btf/maps.js';
import { parseBtf } from '../../src/btf/parse.js';
import { resolveSize } from '../../src/btf/resolve.js';
import { schemaOf } from '../../src/btf/schema.js';
import { Bpf2pfError } from '../../src/errors.js';
import { hasTool, ROOT, sectionBytes } from './helpers/objects.js';

const HOSTILE = join(ROOT, 'corpus/hostile');
const cases = existsSync(HOSTILE)
  ? readdirSync(HOSTILE).filter((f) => f.endsWith('.o') && existsSync(join(HOSTILE, f.replace(/\.o$/, '.expect')))).sort()
  : [];

/** What a loader does with the BTF of an object, stopping at the first error. */
function readAllBtf(btfBytes: Uint8Array, extBytes: Uint8Array | undefined): string {
  try {
    const btf = parseBtf(btfBytes);
    for (const t of btf.types) {
      // FWD, FUNC and friends have no size and no layout by definition; skip those.
      if (['void', 'fwd', 'func', 'func_proto', 'datasec', 'decl_tag'].includes(t.kind)) continue;
      resolveSize(btf, t.id);
      schemaOf(btf, t.id);
    }
    btfMapDefinitions(btf);
    globalsFromBtf(btf);
    if (extBytes) parseBtfExt(extBytes, btf);
    return 'ok';
  } catch (e) {
    if (e instanceof Bpf2pfError) return e.code;
    throw e;
  }
}

describe('corpus/hostile through the BTF reader', () => {
  if (!hasTool('llvm-objcopy')) {
    console.log('SKIP: llvm-objcopy missing; hostile BTF sections cannot be extracted');
    return;
  }
  if (cases.length === 0) console.log('SKIP: corpus/hostile has no objects yet');
  let exact = 0;

  it.each(cases)('%s', (file) => {
    const want = readFileSync(join(HOSTILE, file.replace(/\.o$/, '.expect')), 'utf8').split('\n')[0].trim();
    const btf = sectionBytes(join(HOSTILE, file), '.BTF');
    if (!btf) return; // a broken ELF whose sections llvm-objcopy cannot reach: the ELF reader's case
    const got = readAllBtf(btf, sectionBytes(join(HOSTILE, file), '.BTF.ext'));
    // BTF_EXT_BAD here means records past the code, which takes the ELF's instruction
    // count to see: the object loader's check, not one the BTF reader can make.
    // OBJ_BAD_MAP is ours only for BTF-defined maps (.maps), not legacy `maps` ones.
    const btfMapCase = want === 'OBJ_BAD_MAP' && sectionBytes(join(HOSTILE, file), '.maps') !== undefined;
    if ((want.startsWith('BTF_') && want !== 'BTF_EXT_BAD') || btfMapCase) {
      expect(got).toBe(want);
      exact++;
    } else {
      expect(got).toMatch(/^(ok|BTF_[A-Z_]+|OBJ_BAD_MAP)$/);
    }
  });

  it('found the BTF cases', () => {
    console.log(`hostile: ${cases.length} objects, ${exact} with a BTF error code matched exactly`);
    if (cases.length > 0) expect(exact).toBeGreaterThan(0);
  });
});
