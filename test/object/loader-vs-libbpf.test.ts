import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';
import { describeWithLibbpf, LOADER } from '../support/kernel.js';

// libbpf's open phase is the reference reader: what it calls programs (name, section,
// type, size in slots, autoload) and maps (every definition field, inner templates, the
// internal maps of data sections) must be what loadObject says. libbpf refuses objects
// of the other byte order and legacy `maps` sections; those are covered by the kernel
// test (legacy) and the twin test (big endian).

function mapFields(m: MapDeclaration) {
  return { type: m.type, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, flags: m.flags, numa_node: m.numaNode, map_extra: m.mapExtra.toString() };
}

const objects = corpusObjects();

describe('loadObject against libbpf', () => {
  if (!existsSync(LOADER)) {
    it('SKIP', () => console.log('SKIP: libbpf comparison: test/.build/bpfload was not built (gcc or libbpf-dev missing)'));
    return;
  }
  let compared = 0;
  for (const rel of objects) {
    it(rel, () => {
      const ours = loadObject(new Uint8Array(readFileSync(join(repoRoot, rel))));
      const peer = describeWithLibbpf(rel);
      if (peer.error) {
        // Only the two cases libbpf is known to refuse may be skipped.
        const refused = /endianness mismatch|legacy map definitions/.test(peer.error);
        expect(refused, peer.error).toBe(true);
        expect(!ours.littleEndian || ours.maps.some((m) => m.section === 'maps')).toBe(true);
        return;
      }
      compared++;
      expect(ours.programs.map((p) => ({ program: p.name, section: p.sectionName, type: p.kind.type === 'unknown' ? 'unspec' : p.kind.type, insns: p.end - p.start, autoload: p.autoload })).sort((a, b) => a.program.localeCompare(b.program)))
        .toEqual(peer.programs.map((p) => ({ program: p.program, section: p.section, type: p.type, insns: p.insns, autoload: p.autoload })).sort((a, b) => String(a.program).localeCompare(String(b.program))));

      const peerMaps = peer.maps.filter((m) => !m.internal && !m.innerOf);
      expect(ours.maps.map((m) => ({ map: m.name, ...mapFields(m), pinned_by_name: m.pinning === 1 })).sort((a, b) => a.map.localeCompare(b.map)))
        .toEqual(peerMaps.map((m) => ({ map: m.map, type: m.type, key_size: m.key_size, value_size: m.value_size, max_entries: m.max_entries, flags: m.flags, numa_node: m.numa_node, map_extra: m.map_extra, pinned_by_name: m.pinned_by_name })).sort((a, b) => String(a.map).localeCompare(String(b.map))));

      for (const inner of peer.maps.filter((m) => m.innerOf)) {
        const outer = ours.maps.find((m) => m.name === inner.innerOf);
        expect(outer?.inner, `${inner.innerOf}.inner`).toBeDefined();
        expect(mapFields(outer!.inner!)).toEqual({ type: inner.type, key_size: inner.key_size, value_size: inner.value_size, max_entries: inner.max_entries, flags: inner.flags, numa_node: inner.numa_node, map_extra: inner.map_extra });
      }

      // Each non-empty data section is one internal array map holding the section.
      const internal = peer.maps.filter((m) => m.internal && m.type === 2);
      const sizes = (xs: number[]): number[] => xs.sort((a, b) => a - b);
      expect(sizes(internal.map((m) => Number(m.value_size)))).toEqual(sizes(ours.dataSections.filter((d) => d.size > 0).map((d) => d.size)));
    });
  }
  it('compared a meaningful number of objects', () => {
    expect(compared).toBeGreaterThan(50);
    console.log(`libbpf comparison: ${compared} objects`);
  });
});
