import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import { repoRoot } from '../support/corpus.js';

// Random damage to valid objects: loadObject must return a result or throw a typed
// error, never anything else. Objects are small and the reader is linear, so a hang
// would show as this test timing out.

const SOURCES = [
  'corpus/coppice/obj/localgw.bpfel.v3.O2.o',
  'corpus/coppice/obj/nodenic.bpfeb.v2.O1.o',
  'corpus/idioms/obj/tail_call_chain.bpfel.o',
  'corpus/idioms/obj/legacy_elf_map.bpfel.o',
  'corpus/idioms/obj/nobtf_legacy.bpfeb.o',
  'corpus/idioms/obj/hom_ifindex_sets.bpfel.o',
].map((p) => new Uint8Array(readFileSync(join(repoRoot, p))));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'word'; at: number; value: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function apply(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = src.slice();
  for (const m of ms) {
    const at = m.at % Math.max(b.length, 1);
    if (m.kind === 'flip') b[at] ^= 1 << m.bit;
    else if (m.kind === 'byte') b[at] = m.value;
    else if (m.kind === 'word' && at + 4 <= b.length) new DataView(b.buffer).setUint32(at, m.value, true);
    else if (m.kind === 'truncate') b = b.slice(0, at);
  }
  return b;
}

describe('loadObject under random damage', () => {
  it('returns an object or throws a typed error', () => {
    let typed = 0;
    let loaded = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SOURCES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        try {
          loadObject(apply(SOURCES[i], ms));
          loaded++;
        } catch (e) {
          if (!isBpf2pfError(e)) throw e;
          typed++;
        }
      }),
      { numRuns: 3000, seed: 20261122 },
    );
    console.log(`mutations: ${typed} typed errors, ${loaded} still loadable`);
    expect(typed + loaded).toBe(3000);
    expect(typed).toBeGreaterThan(0);
  });
});
