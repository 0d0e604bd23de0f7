/**
 * Generated map states, for every corpus object: canonical (sorted, one entry per key,
 * arrays without zero slots), loadable (every key and value exactly the map's sizes,
 * inner maps' against the inner template, programs that exist), deterministic for a
 * seed; and the Coppice states hold what their plans say, read back through the maps'
 * own layouts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../src/btf/decode-value.js';
import { coppiceSnatSlot } from '../../src/gen/coppice-jhash.js';
import { coppiceMap } from '../../src/gen/coppice-names.js';
import { TAP_A, TAP_B, TAP_C } from '../../src/gen/coppice-plan.js';
import { coppiceView } from '../../src/gen/coppice-view.js';
import { createRng } from '../../src/gen/rng.js';
import { statesFor, type GeneratedState } from '../../src/gen/states-for.js';
import { MapType } from '../../src/object/map-types.js';
import type { MapDeclaration } from '../../src/object/map-declaration.js';
import type { BpfObject } from '../../src/object/types.js';
import { loadObject } from '../../src/object/load-object.js';
import { ipv4ToNumber } from '../../src/packet/addresses.js';
import { fromHex, isInnerEntry, isProgramEntry, isValueEntry, type MapContents } from '../../src/state/map-state.js';
import { corpusObjects, repoRoot } from '../support/corpus.js';

const load = (file: string): BpfObject => loadObject(readFileSync(join(repoRoot, file)));
const idiomOf = (file: string): string | undefined => (file.includes('/idioms/') ? file.split('/').pop()!.split('.')[0] : undefined);

function checkContents(obj: BpfObject, m: MapDeclaration, c: MapContents, where: string): string[] {
  const problems: string[] = [];
  const keys = c.entries.map((e) => e.key);
  if (keys.join() !== [...keys].sort().join()) problems.push(`${where}: keys not sorted`);
  if (new Set(keys).size !== keys.length) problems.push(`${where}: duplicate keys`);
  for (const e of c.entries) {
    if (fromHex(e.key).length !== m.keySize) problems.push(`${where}: key ${e.key} is not ${m.keySize} bytes`);
    if (isValueEntry(e)) {
      if (fromHex(e.value).length !== m.valueSize) problems.push(`${where}: value of ${e.key} is not ${m.valueSize} bytes`);
      if ((m.type === MapType.ARRAY || m.type === MapType.PERCPU_ARRAY) && /^0*$/.test(e.value)) problems.push(`${where}: zero array slot listed`);
      if (m.type === MapType.ARRAY && new DataView(fromHex(e.key).buffer).getUint32(0, obj.littleEndian) >= m.maxEntries) problems.push(`${where}: index past max_entries`);
    } else if (isInnerEntry(e)) {
      if (!m.inner) problems.push(`${where}: inner map in a map that has none`);
      else problems.push(...checkContents(obj, m.inner, e.inner, `${where}[${e.key}]`));
    } else if (isProgramEntry(e)) {
      if (!obj.programs.some((p) => p.name === e.program)) problems.push(`${where}: no program ${e.program}`);
    }
  }
  if (c.entries.length > m.maxEntries) problems.push(`${where}: ${c.entries.length} entries, max ${m.maxEntries}`);
  return problems;
}

describe('generated states', () => {
  const files = corpusObjects();

  it('are canonical and fit every map, for every corpus object', () => {
    const problems: string[] = [];
    let states = 0;
    for (const file of files) {
      const obj = load(file);
      for (const s of statesFor(obj, createRng(file), { idiom: idiomOf(file) })) {
        states++;
        for (const [name, c] of Object.entries(s.state.maps)) {
          const m = obj.maps.find((x) => x.name === name);
          if (!m) problems.push(`${file} ${s.name}: unknown map ${name}`);
          else problems.push(...checkContents(obj, m, c, `${file} ${s.name} ${name}`));
        }
        expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
      }
    }
    console.log(`generated states: ${states} over ${files.length} objects`);
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('are the same for the same seed', () => {
    for (const file of ['corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', 'corpus/idioms/obj/xdp_src_port_bitmap.bpfeb.o', 'corpus/idioms/obj/hom_ifindex_sets.bpfel.o']) {
      const obj = load(file);
      expect(statesFor(obj, createRng(5), { idiom: idiomOf(file) })).toEqual(statesFor(obj, createRng(5), { idiom: idiomOf(file) }));
    }
  });

  it('keep program arrays and initialised map-of-map slots as the object has them', () => {
    const cube = load('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const progs = statesFor(cube, createRng(1))[0].state.maps.cube_dns_progs.entries;
    expect(progs.map((e) => (isProgramEntry(e) ? e.program : ''))).toEqual(['cube_dns_hdr', 'cube_dns_name', 'cube_dns_match']);
    const gens = load('corpus/idioms/obj/array_of_maps_gen.bpfel.o');
    const s = statesFor(gens, createRng(1), { idiom: 'array_of_maps_gen' }).find((x) => x.name === 'gen1-active')!;
    const slots = s.state.maps.deny_generations.entries;
    expect(slots.map((e) => (isInnerEntry(e) ? e.inner.entries.length : -1))).toEqual([1, 2]);
    expect(isInnerEntry(slots[1]) && slots[1].inner).toEqual(s.state.maps.deny_gen1);
  });
});

describe('Coppice states', () => {
  for (const file of ['corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', 'corpus/coppice/obj/nodenic.bpfeb.v1.O1.o', 'corpus/coppice/obj/renamed/mvmtap.bpfel.v3.O2.o']) {
    it(`hold their plans (${file.split('/').slice(-2).join('/')})`, () => {
      const obj = load(file);
      const states = new Map<string, GeneratedState>(statesFor(obj, createRng(1)).map((s) => [s.name, s]));
      expect([...states.keys()]).toEqual(['empty', 'three-sandboxes', 'dns-scratch', 'full']);
      const empty = coppiceView(obj, states.get('empty')!.state);
      expect(empty.sandboxes).toEqual([]);
      const three = coppiceView(obj, states.get('three-sandboxes')!.state);
      expect(three.sandboxes.map((s) => s.tap)).toEqual([TAP_A, TAP_B, TAP_C]);
      const c = three.sandboxes.find((s) => s.tap === TAP_C)!;
      expect(c.deny.some((d) => d.base === '0.0.0.0' && d.prefixLength === 0)).toBe(true);
      for (const s of three.sandboxes) {
        for (const p of ['10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16']) {
          expect(s.deny.map((d) => `${d.base}/${d.prefixLength}`)).toContain(p);
        }
      }
      expect(three.sandboxes.find((s) => s.tap === TAP_A)!.allow.some((a) => a.flags & 1)).toBe(true);
      expect(three.sandboxes.find((s) => s.tap === TAP_A)!.domains).toEqual(['github.com', 'example.com']);
      expect(three.snatIps).toHaveLength(4);
      expect(new Set(three.egress.map((e) => `${e.protocol}/${e.state}`)).size).toBeGreaterThanOrEqual(8);
      expect(three.pending.map((p) => p.name)).toContain('www.example.com');
      // Sessions sit on the SNAT slot from_cube's jhash picks for their sandbox.
      for (const e of three.egress) expect(three.snatIps[coppiceSnatSlot(ipv4ToNumber(e.srcIp), 4)]).toBe(e.nodeIp);

      // snat_iplist: the spin lock word stays zero.
      const snat = coppiceMap(obj, 'snat_iplist')!;
      for (const e of states.get('full')!.state.maps[snat.name].entries) {
        if (!isValueEntry(e)) continue;
        expect(decodeValue(snat.value!, fromHex(e.value), obj.littleEndian)).toMatchObject({ lock: { val: 0 } });
      }
      const full = states.get('full')!.state;
      const allow = full.maps[coppiceMap(obj, 'allow_out')!.name].entries.find((e) => isInnerEntry(e) && e.inner.entries.length === 4096);
      expect(allow, 'an allow trie at its 4096-entry capacity').toBeDefined();
      expect(coppiceView(obj, full).ingress.length).toBeGreaterThan(three.ingress.length + 10);
      const scratchMap = coppiceMap(obj, 'cube_percpu') ?? coppiceMap(obj, 'world_percpu')!;
      expect(states.get('dns-scratch')!.state.maps[scratchMap.name].entries).toHaveLength(1);
      expect(states.get('three-sandboxes')!.state.maps[scratchMap.name].entries).toHaveLength(0);
      expect(coppiceView(obj, states.get('three-sandboxes')!.state).sandboxes.find((s) => s.tap === TAP_B)?.version).toBe(7);
    });
  }
});
