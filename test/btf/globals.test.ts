/**
 * Globals from BTF: the VARs per DATASEC against bpftool, their offsets after the ELF's
 * `.rel.BTF` fixups against the symbol table, and decoded initial values against the
 * initialisers written in globals.c.
 */
import { describe, expect, it } from 'vitest';
import { secinfoAtFieldPos, withDatasecFixups, type DatasecVarFixup } from '../../src/btf/fixups.js';
import { decodeValue, globalsFromBtf } from '../../src/btf/globals.js';
import { parseBtf } from '../../src/btf/parse.js';
import type { Btf } from '../../src/btf/types.js';
import { corpusObjects, elfLittleEndian, hasTool, objectsWithBtf, probeObjects, sectionBytes } from './helpers/objects.js';
import { bpftoolTypes, readelfRelocations, readelfSections, readelfSymbols } from './helpers/peers.js';

const objects = objectsWithBtf([...probeObjects(), ...corpusObjects()]);
const missing = ['bpftool', 'llvm-readelf', 'llvm-objcopy'].filter((t) => !hasTool(t));

const LINKAGE = ['static', 'global', 'extern'];

/** globals.c's initialisers, as C defines their values. */
function globalsC(littleEndian: boolean): Record<string, unknown> {
  const limitsZero = { port: 0, proto: 0, fast: 0, slow: 0, delta: 0, m: 'MODE_OFF', big: '0', tag: '', neg: 0, raw: 0, b: [0, 0, 0, 0] };
  return {
    cfg_mark: 0x42,
    cfg_mode: 3,
    cfg_big: '1234605616436508552',
    cfg_neg: -5,
    cfg_flag: true,
    cfg_enum: 'MODE_AUTO',
    cfg_name: 'coppice',
    cfg_mac: [0x02, 0, 0x5e, 0x10, 0xff, 0x01],
    cfg_ratio: 0.5,
    cfg_precise: -2.25,
    cfg_limits: {
      port: 8080, proto: 17, fast: 1, slow: 2, delta: -3, m: 'MODE_ON', big: '18364758544493064720', tag: 'ab', neg: -1,
      raw: 0x01020304, b: littleEndian ? [4, 3, 2, 1] : [1, 2, 3, 4],
    },
    cfg_ports: [22, 80, 443],
    cfg_static: 7,
    data_counter: '99',
    data_static: -300,
    data_limits: { ...limitsZero, port: 53, slow: 1, tag: 'dns' },
    bss_hits: 0,
    bss_static: ['0', '0', '0', '0'],
    custom_ro: 1234,
    custom_rw: 4321,
    LICENSE: 'GPL',
  };
}

/**
 * The DATASEC offset fixups an object loader makes from `.rel.BTF`: each relocation
 * patches one secinfo offset field with S + A (A being the raw value already there).
 */
function relBtfFixups(btf: Btf, path: string): DatasecVarFixup[] {
  const fixups: DatasecVarFixup[] = [];
  const sections = new Set(readelfSections(path).map((s) => s.name));
  for (const r of readelfRelocations(path, '.rel.BTF')) {
    const at = secinfoAtFieldPos(btf, r.offset);
    expect(at, `.rel.BTF at ${r.offset} (${r.symbol}) patches no DATASEC offset`).toBeDefined();
    const sec = btf.types[at!.datasecId];
    if (sec.kind !== 'datasec') throw new Error('not a datasec');
    const v = sec.vars[at!.index];
    const varName = btf.types[v.type].name;
    // Globals are relocated against their own symbol, statics against their section's.
    if (!sections.has(r.symbol)) expect(r.symbol).toBe(varName);
    fixups.push({ ...at!, offset: r.symbolValue + v.rawOffset });
  }
  return fixups;
}

describe('globals from BTF', () => {
  if (missing.length > 0) {
    console.log(`SKIP: ${missing.join(', ')} missing; global peer tests are not run`);
    return;
  }
  let compared = 0;
  let located = 0;

  it.each(objects.map((o) => [o.obj.label, o] as const))('%s', (_label, { obj, btf: bytes }) => {
    const btf = parseBtf(bytes);
    const json = bpftoolTypes(obj.path);
    const fromJson = [...json.values()]
      .filter((t) => t.kind === 'DATASEC' && t.name !== '.maps' && t.name !== 'maps')
      .flatMap((sec) => (sec.vars as { type_id: number; offset: number; size: number }[])
        .filter((v) => json.get(v.type_id)!.kind === 'VAR')
        .map((v) => {
          const vt = json.get(v.type_id)!;
          return { section: sec.name, name: vt.name, varId: vt.id, typeId: vt.type_id, linkage: vt.linkage, rawOffset: v.offset, size: v.size };
        }));
    const globals = globalsFromBtf(btf);
    expect(globals.map((g) => ({
      section: g.section, name: g.name, varId: g.varId, typeId: g.typeId, linkage: LINKAGE[g.linkage], rawOffset: g.rawOffset, size: g.size,
    }))).toEqual(fromJson);
    compared += globals.length;

    // After the .rel.BTF fixups every variable with a symbol sits where the symbol says.
    const fixups = relBtfFixups(btf, obj.path);
    const fixed = globalsFromBtf(withDatasecFixups(btf, fixups));
    expect(fixed.map((g) => g.rawOffset)).toEqual(globals.map((g) => g.rawOffset));
    const symbols = readelfSymbols(obj.path).filter((s) => s.type === 'OBJECT');
    for (const g of fixed) {
      const sym = symbols.find((s) => s.name === g.name && s.section === g.section);
      if (!sym) continue;
      expect([g.name, g.offset, g.size]).toEqual([sym.name, sym.value, sym.size]);
      located++;
    }
  });

  const globalsProbes = objects.filter((o) => o.obj.probe?.source === 'globals.c');
  it.each(globalsProbes.map((o) => [o.obj.label, o] as const))('%s decodes the initial values globals.c gives', (_label, { obj, btf: bytes }) => {
    const btf = parseBtf(bytes);
    const le = elfLittleEndian(obj.path);
    const sizes = new Map(readelfSections(obj.path).map((s) => [s.name, s]));
    const fixed = withDatasecFixups(btf, relBtfFixups(btf, obj.path));
    const values: Record<string, unknown> = {};
    for (const g of globalsFromBtf(fixed)) {
      const sec = sizes.get(g.section)!;
      // .bss has no file bytes: it starts out as zeros.
      const data = sec.type === 'NOBITS' ? new Uint8Array(sec.size) : sectionBytes(obj.path, g.section)!;
      values[g.name] = decodeValue(g.schema, data.subarray(g.offset, g.offset + g.size), le);
    }
    expect(values).toEqual(globalsC(le));
  });

  it('compared a real number of globals', () => {
    console.log(`globals: ${compared} VARs against bpftool, ${located} offsets against symbols after .rel.BTF fixups`);
    expect(globalsProbes.length).toBe(4);
    expect(located).toBeGreaterThan(50);
  });
});
