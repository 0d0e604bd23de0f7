import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfObject } from '../../src/object/types.js';
import type { MapStateFile } from '../../src/state/map-state.js';
import { createMapStore, dumpMaps, runProgram } from '../../src/vm/index.js';
import { repoRoot } from '../support/corpus.js';
import { tcpSyn } from './support/frames.js';
import { coppiceState } from './support/state.js';

/** createMapStore / dumpMaps: the loaded state, initial slots, applying and refusing states. */
function object(name: string): BpfObject {
  return loadObject(new Uint8Array(readFileSync(join(repoRoot, name))));
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isBpf2pfError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('createMapStore and dumpMaps', () => {
  it('lists every map, data sections as one-entry arrays, PROG_ARRAY slots by program name', () => {
    const obj = object('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const dump = dumpMaps(obj, createMapStore(obj));
    expect(Object.keys(dump.maps).sort()).toEqual([...obj.maps.map((m) => m.name), '.rodata'].sort());
    expect(dump.maps.cube_dns_progs.entries).toEqual([
      { key: '00000000', program: 'cube_dns_hdr' },
      { key: '01000000', program: 'cube_dns_name' },
      { key: '02000000', program: 'cube_dns_match' },
    ]);
    expect(dump.maps['.rodata'].entries).toHaveLength(1);
    expect(dump.maps['.rodata'].entries[0].key).toBe('00000000');
    expect(dump.maps.egress_sessions.entries).toEqual([]);
  });

  it('shares statically initialised inner maps with the top-level maps they name', () => {
    const obj = object('corpus/idioms/obj/array_of_maps_gen.bpfel.o');
    const store = createMapStore(obj, { version: 1, maps: { deny_gen1: { entries: [{ key: '0a000001', value: '01' }] } } });
    const dump = dumpMaps(obj, store);
    expect(dump.maps.deny_generations.entries).toEqual([
      { key: '00000000', inner: { entries: [] } },
      { key: '01000000', inner: { entries: [{ key: '0a000001', value: '01' }] } },
    ]);
  });

  it('gives every named map exactly the given contents, canonically dumped back', () => {
    const obj = object('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const state = coppiceState(obj);
    const dump = dumpMaps(obj, createMapStore(obj, state));
    for (const [name, contents] of Object.entries(state.maps)) expect(dump.maps[name]).toEqual(contents);
  });

  it('works in the object byte order (bpfeb)', () => {
    const obj = object('corpus/coppice/obj/mvmtap.bpfeb.v3.O2.o');
    const state = coppiceState(obj);
    const store = createMapStore(obj, state);
    expect(dumpMaps(obj, store).maps.snat_iplist).toEqual(state.maps.snat_iplist);
    const r = runProgram(obj, store, { program: 'from_cube', packet: tcpSyn('169.254.68.6', '93.184.216.34', 40000, 443) });
    expect(r.retval).toBe(7);
    expect(r.maps?.maps.egress_sessions.entries).toHaveLength(1);
  });

  it('refuses a state recorded in the other byte order, and takes one in its own', () => {
    const le = object('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const be = object('corpus/coppice/obj/mvmtap.bpfeb.v3.O2.o');
    const state = coppiceState(le);
    expect(code(() => createMapStore(be, { ...state, byteOrder: 'little' }))).toBe('VM_BAD_STATE');
    expect(code(() => createMapStore(le, { ...state, byteOrder: 'big' }))).toBe('VM_BAD_STATE');
    expect(dumpMaps(le, createMapStore(le, { ...state, byteOrder: 'little' })).maps.snat_iplist).toEqual(state.maps.snat_iplist);
    expect(code(() => createMapStore(le, { ...state, byteOrder: 'middle' } as unknown as MapStateFile))).toBe('VM_BAD_STATE');
  });

  it('allocates nothing for large max_entries: a new store holds only data sections and initial slots', () => {
    const obj = object('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const store = createMapStore(obj);
    const large = obj.maps.filter((m) => m.maxEntries >= 65536);
    expect(large.length).toBeGreaterThan(0);
    for (const m of obj.maps) {
      const model = store.maps[m.name];
      // Arrays and hashes keep touched slots only: max_entries costs nothing until used.
      if (model.kind === 'array') expect(model.values.size, m.name).toBe(0);
      if (model.kind === 'hash') expect(model.entries.size, m.name).toBe(0);
      if (model.kind === 'lpm') expect(model.count, m.name).toBe(0);
    }
    for (const d of obj.dataSections) {
      const model = store.maps[d.name];
      expect(model.kind === 'array' ? model.values.size : -1, d.name).toBe(d.size > 0 ? 1 : 0);
    }
  });

  it('refuses states that do not fit (VM_BAD_STATE)', () => {
    const obj = object('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
    const bad = (maps: MapStateFile['maps']): string | undefined => code(() => createMapStore(obj, { version: 1, maps }));
    expect(bad({ nope: { entries: [] } })).toBe('VM_BAD_STATE');
    expect(bad({ mvmip_to_ifindex: { entries: [{ key: '0a00', value: '01000000' }] } })).toBe('VM_BAD_STATE');
    expect(bad({ mvmip_to_ifindex: { entries: [{ key: '0a000005', value: '01' }] } })).toBe('VM_BAD_STATE');
    expect(bad({ mvmip_to_ifindex: { entries: [{ key: '0a000005', value: 'zz000000' }] } })).toBe('VM_BAD_STATE');
    expect(bad({ snat_iplist: { entries: [{ key: '04000000', value: '00'.repeat(16) }] } })).toBe('VM_BAD_STATE');
    expect(bad({ cube_dns_progs: { entries: [{ key: '00000000', program: 'nothing' }] } })).toBe('VM_BAD_STATE');
    expect(bad({ allow_out: { entries: [{ key: '01000000', value: '00000000' }] } })).toBe('VM_BAD_STATE');
    expect(bad({ allow_out: { entries: [{ key: '01000000', inner: { entries: [{ key: '21000000' + '0a000000', value: '00000000' }] } }] } })).toBe('VM_BAD_STATE');
    expect(
      bad({
        mvmip_to_ifindex: {
          entries: [
            { key: '0a000005', value: '01000000' },
            { key: '0a000005', value: '02000000' },
          ],
        },
      }),
    ).toBe('VM_BAD_STATE');
    const small = object('corpus/idioms/obj/cb_tailcall_handoff.bpfel.o');
    expect(code(() => createMapStore(small, { version: 1, maps: { handoff: { entries: [{ key: '01000000', program: 'cb_enforce' }] } } }))).toBe('VM_BAD_STATE');
  });

  it('lets a state replace .rodata constants', () => {
    const obj = object('corpus/idioms/obj/rodata_config.bpfel.o');
    const rodata = dumpMaps(obj, createMapStore(obj)).maps['.rodata'].entries[0];
    expect('value' in rodata).toBe(true);
    const zeroed = { version: 1 as const, maps: { '.rodata': { entries: [] } } };
    expect(dumpMaps(obj, createMapStore(obj, zeroed)).maps['.rodata'].entries).toEqual([]);
  });
});
