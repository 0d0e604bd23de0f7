import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySchemaHeaders } from '../../src/object/apply-schema-headers.js';
import { parseSchemaHeaders } from '../../src/object/header-schema.js';
import { loadObject } from '../../src/object/load-object.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import { repoRoot } from '../support/corpus.js';
import { readManifest } from '../support/manifest.js';

// The map and struct headers of every corpus program, read by our C-header grammar,
// must give the same schemas as the BTF clang wrote for the same declarations: that is
// what makes `--schema header.h` trustworthy for objects built without -g.

interface Idiom { name: string; header: string | null; btf: boolean }
const idioms = JSON.parse(readFileSync(join(repoRoot, 'corpus/idioms/idioms.json'), 'utf8')) as Idiom[];
const manifest = readManifest();

/** The headers that declare an object's maps: Coppice's shared ones plus its own. */
function headersFor(object: string, set: string): string[] {
  const program = /coppice\/obj\/(?:renamed\/)?(\w+)\./.exec(object)?.[1];
  const own = program && existsSync(join(repoRoot, `corpus/coppice/src/${program}_maps.h`)) ? [`corpus/coppice/src/${program}_maps.h`] : [];
  if (set === 'coppice') return ['corpus/coppice/src/coppice_maps.h', ...own];
  if (set === 'coppice-renamed') return ['corpus/coppice/src/rename.h', 'corpus/coppice/src/coppice_maps.h', ...own];
  const name = /idioms\/obj\/(.+)\.bpf(el|eb)\.o$/.exec(object)![1];
  const header = idioms.find((i) => i.name === name)?.header;
  return header ? [`corpus/idioms/${header}`] : [];
}

function read(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

function comparable(m: MapDeclaration): MapDeclaration {
  return { ...m, ...(m.inner && { inner: comparable(m.inner) }) };
}

describe('C-header schemas equal BTF schemas', () => {
  let maps = 0;
  for (const o of manifest.objects) {
    const headers = headersFor(o.object, o.set);
    if (headers.length === 0) continue;
    it(o.object, () => {
      const obj = loadObject(new Uint8Array(readFileSync(join(repoRoot, o.object))));
      const schemas = parseSchemaHeaders(headers, read);
      for (const m of obj.maps) {
        const h = schemas.maps.find((d) => d.name === m.name);
        expect(h, `map ${m.name} in ${headers.join(', ')}`).toBeDefined();
        if (m.form === 'btf') {
          const { section, offset, definitionSize, form, schemaSource, initialSlots, elfMapExtra, ...declaration } = m;
          expect(comparable(declaration)).toEqual(comparable(h!));
        } else if (m.form !== 'unknown') {
          // Legacy definitions: the object carries sizes; the header adds the types.
          const applied = applySchemaHeaders(obj, schemas).maps.find((x) => x.name === m.name)!;
          expect(applied.key?.size ?? m.keySize).toBe(m.keySize);
          expect(applied.value?.size ?? m.valueSize).toBe(m.valueSize);
        }
        maps++;
      }
    });
  }
  it('compared maps from every corpus program with a header', () => {
    expect(maps).toBeGreaterThan(500);
    console.log(`header vs BTF: ${maps} maps compared`);
  });
});
