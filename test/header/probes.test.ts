/**
 * Differential test: every probe header in probes/ is read by parseSchemaHeaders and
 * compiled by clang (14 and 19) into an object whose BTF, symbols and relocations say
 * what the header means. Types, maps, legacy map definitions and initial slots must agree.
 *
 * Each probe lists, in comments written from its text, what it declares:
 *   // expect-types: struct a, union b, enum c, foo_t
 *   // expect-kv: legacy_map struct k, __u32      (legacy map: sizeof() key and value types)
 *   // expect-incomplete: struct fwd               (declared, never defined)
 * The C file declares a global of each complete type: clang's BTF may keep only a
 * forward declaration of a struct that is reached through pointers alone.
 * The lists say which names to look up in the peer, so a type the reader forgets fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSchemaHeaders, type HeaderSchemas } from '../../src/object/header-schema.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import type { TypeSchema } from '../../src/object/schema.js';
import { Btf, compile, missingTools, plain, readBtf, readRelocations, readSymbols, sectionBytes, tempDir } from './peer.js';

const PROBES = join(dirname(fileURLToPath(import.meta.url)), 'probes');
const missing = missingTools();
if (missing.length) console.log(`SKIP: differential probe tests need ${missing.join(', ')}`);

/** What a BPF program gets from the real system headers before it includes the probe. */
const PREAMBLE = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <iproute2/bpf_elf.h>
#include <stdbool.h>
typedef __u8 u8; typedef __s8 s8; typedef __u16 u16; typedef __s16 s16;
typedef __u32 u32; typedef __s32 s32; typedef __u64 u64; typedef __s64 s64;
/* libbpf's legacy definition (removed from libbpf 1.0 headers, 20 bytes) */
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };
#ifndef __section
#define __section(NAME) __attribute__((section(NAME), used))
#endif
/* upstream libbpf's __ulong, with a counter that gives every use its own enumerator */
#define probe_cat2(a, b) a##b
#define probe_cat(a, b) probe_cat2(a, b)
#define __ulong(name, val) enum { probe_cat(__unique_value, __COUNTER__) = val } name
`;

function annotation(text: string, key: string): string[][] {
  return [...text.matchAll(new RegExp(`^// ${key}: (.*)$`, 'gm'))].map((m) => m[1].split(',').map((s) => s.trim()).filter(Boolean));
}

/** clang 14 has no ENUM64 and no signedness in BTF: compare what it can say. */
function forClang14<X>(x: X): X {
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map(forClang14) as X;
  const o = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = forClang14(v);
  if (o.kind === 'enum') {
    out.signed = false;
    out.values = (o.values as { name: string; value: bigint }[]).map((v) => ({ name: v.name, value: BigInt.asUintN(32, v.value) }));
  }
  if (typeof o.mapExtra === 'bigint') out.mapExtra = BigInt.asUintN(32, o.mapExtra);
  return out as X;
}

const probes = missing.length ? [] : readdirSync(PROBES).filter((f) => f.endsWith('.h') && !f.startsWith('_'));

describe.skipIf(missing.length > 0)('header schemas against clang BTF', () => {
  it('has probes', () => expect(probes.length).toBeGreaterThanOrEqual(10));

  for (const probe of probes) {
    describe(probe, () => {
      const path = join(PROBES, probe);
      const text = readFileSync(path, 'utf8');
      const expectTypes = annotation(text, 'expect-types').flat();
      const incomplete = new Set(annotation(text, 'expect-incomplete').flat());
      // Computed inside the tests, so that one failing probe does not stop the others.
      let parsed: HeaderSchemas | undefined;
      const schemas = (): HeaderSchemas => (parsed ??= parseSchemaHeaders([path], (p) => readFileSync(p, 'utf8')));
      const dir = tempDir();
      const source = `${PREAMBLE}\n#include "${path}"\n${expectTypes.map((k, i) => (incomplete.has(k) ? `${k} *__keep_${i};` : `${k} __keep_${i};`)).join('\n')}\n`;

      it('declares the types its text declares', () => {
        const ours = schemas();
        expect([...ours.types.keys()].sort()).toEqual([...expectTypes].sort());
      });

      for (const compiler of ['clang', 'clang-19'] as const) {
        const norm = compiler === 'clang' ? forClang14 : <X>(x: X): X => x;
        let built: { object: string; btf: Btf; symbols: ReturnType<typeof readSymbols> } | undefined;
        const peer = (): NonNullable<typeof built> => {
          if (!built) {
            const object = compile(source, dir, compiler);
            built = { object, btf: new Btf(readBtf(object)), symbols: readSymbols(object) };
          }
          return built;
        };

        it(`types match ${compiler}`, () => {
          const ours = schemas();
          const { object, btf, symbols } = peer();
          for (const key of expectTypes) {
            const t = btf.byKey(key);
            expect(t, `${key} in BTF`).toBeDefined();
            expect(plain(norm(ours.types.get(key))), key).toEqual(plain(norm(btf.schema(t?.id ?? 0))));
          }
        });

        it(`BTF-defined maps match ${compiler}`, () => {
          const ours = schemas();
          const { object, btf, symbols } = peer();
          const vars = btf.vars('.maps');
          const oursBtf = ours.maps.filter((m) => vars.has(m.name));
          expect(oursBtf.map((m) => m.name).sort()).toEqual([...vars.keys()].sort());
          for (const m of oursBtf) expect(plain(norm(m)), m.name).toEqual(plain(norm(btf.btfMap(m.name, vars.get(m.name) ?? 0))));
        });

        it(`legacy maps match ${compiler}`, () => {
          const ours = schemas();
          const { object, btf, symbols } = peer();
          const legacy = symbols.filter((s) => s.section === 'maps');
          const oursLegacy = ours.maps.filter((m) => legacy.some((s) => s.name === m.name));
          expect(oursLegacy.length + btf.vars('.maps').size).toBe(ours.maps.length);
          if (!legacy.length) return;
          const bytes = sectionBytes(object, 'maps', dir);
          for (const s of legacy) {
            const m = ours.maps.find((x) => x.name === s.name) as MapDeclaration;
            const u32 = (i: number): number => bytes.readUInt32LE(s.value + 4 * i);
            expect([m.type, m.keySize, m.valueSize, m.maxEntries, m.flags], s.name).toEqual([0, 1, 2, 3, 4].map(u32));
            if (s.size >= 28) expect(m.pinning, `${s.name} pinning`).toBe(u32(6));
            // iproute2 map-in-map: the outer's inner_id is the inner's id; the inner's inner_idx its slot.
            if (s.size >= 36 && u32(7) !== 0) {
              const inner = legacy.find((x) => x !== s && bytes.readUInt32LE(x.value + 20) === u32(7));
              expect(m.inner?.name, `${s.name} inner`).toBe(inner?.name);
              const idx = inner ? bytes.readUInt32LE(inner.value + 32) : undefined;
              expect(ours.mapSlots.get(s.name), `${s.name} slots`).toEqual([{ index: idx, target: inner?.name }]);
            }
          }
          const schemaOf = (k: string): TypeSchema | undefined => {
            if (k === '-') return undefined;
            const t = btf.byKey(k) ?? btf.find('INT', k);
            expect(t, k).toBeDefined();
            return t && btf.schema(t.id);
          };
          for (const [first, valueKey] of annotation(text, 'expect-kv')) {
            const [mapName, ...keyWords] = first.split(' ');
            const m = ours.maps.find((x) => x.name === mapName);
            expect(m, mapName).toBeDefined();
            expect(plain(norm(m?.key)), `${mapName} key`).toEqual(plain(norm(schemaOf(keyWords.join(' ')))));
            expect(plain(norm(m?.value)), `${mapName} value`).toEqual(plain(norm(schemaOf(valueKey))));
          }
        });

        it(`initial slots match ${compiler}'s .rel.maps`, () => {
          const ours = schemas();
          const { object, btf, symbols } = peer();
          const relocs = readRelocations(object, '.maps');
          const expected = new Map<string, { index: number; target: string }[]>();
          for (const r of relocs) {
            const map = symbols.find((s) => s.section === '.maps' && s.size > 0 && r.offset >= s.value && r.offset < s.value + s.size);
            if (!map) continue;
            const vars = btf.vars('.maps');
            const st = btf.skipMods(vars.get(map.name) ?? 0);
            const valuesAt = Number(st.lines.find((l) => l.name === 'values')?.attrs.bits_offset) / 8;
            const list = expected.get(map.name) ?? [];
            list.push({ index: (r.offset - map.value - valuesAt) / 8, target: r.symbol });
            expected.set(map.name, list);
          }
          const btfSlots = [...ours.mapSlots].filter(([name]) => btf.vars('.maps').has(name));
          expect(new Map(btfSlots)).toEqual(expected);
        });
      }
    });
  }
});
