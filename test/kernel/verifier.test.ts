import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/read-elf.js';
import { SHF, STT } from '../../src/elf/types.js';
import { loadObject } from '../../src/object/load-object.js';
import { repoRoot } from '../support/corpus.js';
import { bpffsEntries, kernelUnavailable, loadIntoKernel, type LoadResult } from '../support/kernel.js';
import { readManifest, type BuiltObject } from '../support/manifest.js';

// The kernel's verifier is the judge of whether a corpus program is a real eBPF program.
// Every little-endian build is loaded; the Coppice three of one build go into one pin
// root together, because they share maps pinned by name exactly as in production.

const manifest = readManifest();
const unavailable = kernelUnavailable();

/** Programs as our ELF reader sees them: FUNC symbols in executable sections other than .text. */
function programsInElf(object: string): string[] {
  const elf = readElf(new Uint8Array(readFileSync(join(repoRoot, object))));
  return elf.symbols
    .filter((s) => s.type === STT.FUNC && s.shndx > 0 && s.shndx < elf.sections.length)
    .filter((s) => {
      const sec = elf.sections[s.shndx];
      return (sec.flags & SHF.EXECINSTR) !== 0 && sec.name !== '.text';
    })
    .map((s) => s.name)
    .sort();
}

function describeFailures(results: LoadResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => `${r.object} ${r.program}: ${r.error}\n${(r.log ?? '').split('\n').slice(-12).join('\n')}`)
    .join('\n\n');
}

/** Map names of an object: what libbpf would pin by name. */
function mapNames(object: string): string[] {
  return loadObject(new Uint8Array(readFileSync(join(repoRoot, object)))).maps.map((m) => m.name);
}

function checkGroup(objects: BuiltObject[], tag: string): void {
  const before = new Set(bpffsEntries());
  const { programs: results, maps: kernelMaps } = loadIntoKernel(objects.map((o) => o.object), tag);
  // Nothing of ours left pinned. Other processes may pin meanwhile, so only our names count.
  const ours = new Set(objects.flatMap((o) => mapNames(o.object)));
  expect(bpffsEntries().filter((e) => !before.has(e) && ours.has(e))).toEqual([]);
  expect(describeFailures(results)).toBe('');
  for (const o of objects) {
    const loaded = results.filter((r) => r.object.endsWith(o.object)).map((r) => r.program).sort();
    expect(loaded).toEqual(programsInElf(o.object));
    expect(loaded.length).toBeGreaterThan(0);
    // Maps our own legacy loader created: the kernel's account must match our reading.
    const created = kernelMaps.filter((m) => m.object.endsWith(o.object));
    if (created.length) {
      const ours = loadObject(new Uint8Array(readFileSync(join(repoRoot, o.object)))).maps;
      const byName = <T extends { name: string }>(xs: T[]): T[] => xs.sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(created.map((k) => ({ name: k.map, type: k.type, keySize: k.key_size, valueSize: k.value_size, maxEntries: k.max_entries, flags: k.flags }))))
        .toEqual(byName(ours.map((m) => ({ name: m.name, type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags }))));
    }
  }
}

const little = manifest.objects.filter((o) => o.arch === 'bpfel');
const coppiceGroups = new Map<string, BuiltObject[]>();
for (const o of little.filter((o) => o.set !== 'idioms')) {
  const key = `${o.set}-${o.compiler}-${o.mcpu}-${o.opt}`;
  coppiceGroups.set(key, [...(coppiceGroups.get(key) ?? []), o]);
}

describe('kernel verifier accepts the corpus', () => {
  if (unavailable) {
    it('SKIP', () => console.log(`SKIP: kernel verifier tests: ${unavailable}`));
    return;
  }
  for (const [key, objects] of coppiceGroups) {
    it(`Coppice ${key} (${objects.length} objects sharing pinned maps)`, () => {
      expect(objects.length).toBe(3);
      checkGroup(objects, key);
    });
  }
  for (const o of little.filter((o) => o.set === 'idioms')) {
    it(`idiom ${o.object}`, () => checkGroup([o], o.object.replace(/\W+/g, '_')));
  }
  it('every big-endian build has a little-endian twin that was loaded', () => {
    // A little-endian kernel cannot load bpfeb objects (libbpf refuses the byte order);
    // their verification is their twin's, built from the same source and flags.
    const big = manifest.objects.filter((o) => o.arch === 'bpfeb');
    expect(big.length).toBeGreaterThan(0);
    console.log(`SKIP: ${big.length} bpfeb objects not loaded: this kernel is little-endian; each one's bpfel twin was`);
    for (const b of big) {
      const twin = little.find((l) => l.source === b.source && l.set === b.set && l.mcpu === b.mcpu && l.opt === b.opt && l.compiler === b.compiler);
      expect(twin, b.object).toBeDefined();
    }
  });
});
