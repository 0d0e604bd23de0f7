/**
 * Mutated BTF and BTF.ext (bit flips, truncations, huge counts, random words) must
 * either parse or fail with a Bpf2pfError carrying a BTF_* code (OBJ_BAD_MAP for map
 * definitions), never another exception, and always quickly. Everything downstream of
 * a successful parse runs too, since hostile values that parse must not break it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBtfRaw } from '../../src/btf/dump.js';
import { parseBtfExt } from '../../src/btf/ext.js';
import { decodeValue, globalsFromBtf } from '../../src/btf/globals.js';
import { btfMapDefinitions } from '../../src/btf/maps.js';
import { parseBtf } from '../../src/btf/parse.js';
import { resolveSize } from '../../src/btf/resolve.js';
import { schemaOf } from '../../src/btf/schema.js';
import type { Btf } from '../../src/btf/types.js';
import { Bpf2pfError } from '../../src/errors.js';
import { objectsWithBtf, probeObjects, sectionBytes } from './helpers/objects.js';

const seeds = objectsWithBtf(probeObjects().filter((o) => o.probe?.compiler === 'clang-19'))
  .map((o) => ({ label: o.obj.label, btf: o.btf, ext: sectionBytes(o.obj.path, '.BTF.ext')! }));

/** Returns the error code, or 'ok'; any non-Bpf2pfError escapes and fails the property. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof Bpf2pfError) return e.code;
    throw e;
  }
}

/** A typed error or a result; a hang is the test's timeout (speed is the benchmark's). */
function expectTyped(f: () => unknown, allowed: RegExp = /^(ok|BTF_[A-Z_]+)$/): void {
  expect(outcome(f)).toMatch(allowed);
}

/** Everything a consumer does with a parsed BTF. */
function exercise(btf: Btf): void {
  formatBtfRaw(btf);
  for (let id = 0; id < btf.types.length; id++) {
    expectTyped(() => resolveSize(btf, id));
    expectTyped(() => {
      const s = schemaOf(btf, id);
      if (s.size <= 1 << 16) decodeValue(s, new Uint8Array(s.size), btf.littleEndian);
    });
  }
  expectTyped(() => btfMapDefinitions(btf), /^(ok|BTF_[A-Z_]+|OBJ_BAD_MAP)$/);
  expectTyped(() => globalsFromBtf(btf));
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 0xffff, 0xffffff, 0x7fffffff, 0xffffffff, 0x0fffffff, 0x13000000, 0x84000000), fc.nat()),
  }),
);

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'truncate'; at: number } | { kind: 'word'; at: number; value: number };

function mutate(bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = bytes.slice();
  for (const m of ms) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'flip') out[at] ^= 1 << m.bit;
    else if (m.kind === 'truncate') out = out.slice(0, at);
    else if (out.length >= 4) new DataView(out.buffer).setUint32(Math.min(at - (at % 4), out.length - 4), m.value >>> 0, true);
  }
  return out;
}

describe('hostile mutations of real BTF', () => {
  const outcomes = new Map<string, number>();
  it('has seeds', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(4);
  });

  it('mutated .BTF parses or fails with a BTF_* code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, ms) => {
        const bytes = mutate(seeds[seed].btf, ms);
        let parsed: Btf | undefined;
        expectTyped(() => {
          parsed = parseBtf(bytes);
        });
        outcomes.set(parsed ? 'parsed' : 'rejected', (outcomes.get(parsed ? 'parsed' : 'rejected') ?? 0) + 1);
        if (parsed) {
          exercise(parsed);
          const btf = parsed;
          expectTyped(() => parseBtfExt(seeds[seed].ext, btf));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('mutations both parse and get rejected, so both paths are exercised', () => {
    console.log(`mutated .BTF: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(outcomes.get('parsed') ?? 0).toBeGreaterThan(20);
    expect(outcomes.get('rejected') ?? 0).toBeGreaterThan(20);
  });

  it('mutated .BTF.ext parses or fails with a BTF_* code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, ms) => {
        const btf = parseBtf(seeds[seed].btf);
        expectTyped(() => parseBtfExt(mutate(seeds[seed].ext, ms), btf));
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes behind a valid magic fail with a BTF_* code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (tail, le) => {
        const bytes = Uint8Array.from([...(le ? [0x9f, 0xeb] : [0xeb, 0x9f]), 1, 0, ...tail]);
        expectTyped(() => parseBtf(bytes));
        expectTyped(() => parseBtfExt(bytes, parseBtf(seeds[0].btf)));
      }),
      { numRuns: 300 },
    );
  });
});
