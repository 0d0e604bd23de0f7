import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import type { BpfGlobal } from '../../src/object/types.js';
import { constantOverrides, encodeConstant, parseConstArgument, parseConstArguments } from '../../src/profile/constants.js';
import { repoRoot } from '../support/corpus.js';

const load = (rel: string) => loadObject(new Uint8Array(readFileSync(join(repoRoot, rel))));
const mvmtapEl = load('corpus/coppice/obj/mvmtap.bpfel.v3.O2.o');
const mvmtapEb = load('corpus/coppice/obj/mvmtap.bpfeb.v3.O2.o');
const rodataConfig = load('corpus/idioms/obj/rodata_config.bpfel.o');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const global = (obj: { globals: readonly BpfGlobal[] }, name: string): BpfGlobal => obj.globals.find((g) => g.name === name)!;

function failure(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (isBpf2pfError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
}

describe('--const name=value', () => {
  it('parses name=value', () => {
    expect(parseConstArgument('nodenic_ip=192.0.2.10')).toEqual({ name: 'nodenic_ip', value: '192.0.2.10', origin: '--const nodenic_ip=192.0.2.10', required: true });
    expect(failure(() => parseConstArgument('nodenic_ip'))).toMatch(/^USAGE: --const nodenic_ip: expected name=value/);
    expect(failure(() => parseConstArgument('a-b=1'))).toMatch(/^USAGE/);
    expect(failure(() => parseConstArgument('a='))).toMatch(/^USAGE/);
  });

  it('refuses a name given twice on one command line, even with the same value', () => {
    expect(parseConstArguments(['a=1', 'b=2']).map((c) => c.name)).toEqual(['a', 'b']);
    expect(failure(() => parseConstArguments(['nodenic_ip=192.0.2.10', 'b=2', 'nodenic_ip=192.0.2.11']))).toBe(
      'USAGE: --const nodenic_ip=192.0.2.11: nodenic_ip is already set by --const nodenic_ip=192.0.2.10; give each constant once',
    );
    expect(failure(() => parseConstArguments(['a=1', 'a=1']))).toMatch(/^USAGE: --const a=1: a is already set/);
  });

  it('writes dotted IPv4 into a __be32 in network order, whatever the object order', () => {
    for (const obj of [mvmtapEl, mvmtapEb]) {
      expect(hex(encodeConstant(global(obj, 'nodenic_ip'), '192.0.2.10', obj.littleEndian))).toBe('c000020a');
      expect(hex(encodeConstant(global(obj, 'nodenic_ip'), '0xc000020a', obj.littleEndian))).toBe('c000020a');
    }
  });

  it('writes host-order integers in the object byte order', () => {
    expect(hex(encodeConstant(global(mvmtapEl, 'cubegw0_ifindex'), '216', true))).toBe('d8000000');
    expect(hex(encodeConstant(global(mvmtapEb, 'cubegw0_ifindex'), '216', false))).toBe('000000d8');
    expect(hex(encodeConstant(global(mvmtapEl, 'snat_port_min'), '0x9c40', true))).toBe('409c');
    expect(hex(encodeConstant(global(mvmtapEl, 'edt_horizon_ns'), '18446744073709551615', true))).toBe('ffffffffffffffff');
    expect(hex(encodeConstant(global(rodataConfig, 'cfg_allow_icmp'), 'false', true))).toBe('00');
  });

  it('agrees with the bytes clang wrote for the defaults', () => {
    for (const obj of [mvmtapEl, mvmtapEb]) {
      const g = global(obj, 'mvm_inner_ip');
      expect(encodeConstant(g, '169.254.68.6', obj.littleEndian)).toEqual(g.initial);
      const p = global(obj, 'snat_port_min');
      expect(encodeConstant(p, '30000', obj.littleEndian)).toEqual(p.initial);
    }
  });

  it('writes a MAC address into a 6-byte field as its bytes', () => {
    const mac: BpfGlobal = { ...global(mvmtapEl, 'nodenic_ip'), name: 'gw_mac', size: 6, schema: { kind: 'array', element: { kind: 'int', name: '__u8', size: 1, signed: false, bool: false }, length: 6, size: 6 }, initial: new Uint8Array(6), value: undefined };
    expect(hex(encodeConstant(mac, '52:54:00:0a:87:02', true))).toBe('5254000a8702');
    expect(hex(encodeConstant(mac, '52-54-00-0A-87-02', false))).toBe('5254000a8702');
    expect(hex(encodeConstant(mac, '0x5254000a8702', true))).toBe('5254000a8702');
    expect(failure(() => encodeConstant(mac, '1', true))).toMatch(/^CONST_INVALID: gw_mac=1: give the bytes as 0x and 12 hex digits, or a MAC address/);
  });

  it('refuses values that do not fit', () => {
    expect(failure(() => encodeConstant(global(mvmtapEl, 'snat_port_min'), '70000', true))).toMatch(/^CONST_INVALID: snat_port_min=70000: out of range 0\.\.65535 \(snat_port_min is __u16, 2 bytes\)/);
    expect(failure(() => encodeConstant(global(mvmtapEl, 'snat_port_min'), '-1', true))).toMatch(/out of range/);
    expect(failure(() => encodeConstant(global(mvmtapEl, 'snat_port_min'), '1.2.3.4', true))).toMatch(/not a decimal or 0x number/);
    expect(failure(() => encodeConstant(global(mvmtapEl, 'nodenic_ip'), '256.0.0.1', true))).toMatch(/not a decimal/);
    expect(failure(() => encodeConstant(global(mvmtapEl, 'nodenic_ip'), '52:54:00:0a:87:02', true))).toMatch(/a MAC address needs a 6-byte field/);
    expect(failure(() => encodeConstant(global(mvmtapEl, 'nodenic_ip'), 'ten', true))).toMatch(/^CONST_INVALID/);
  });

  it('takes negative values for signed types only', () => {
    const s: BpfGlobal = { ...global(mvmtapEl, 'cubegw0_ifindex'), schema: { kind: 'int', name: 'int', size: 4, signed: true, bool: false } };
    expect(hex(encodeConstant(s, '-2', true))).toBe('feffffff');
    expect(failure(() => encodeConstant(s, '2147483648', true))).toMatch(/out of range -2147483648\.\.2147483647/);
  });

  it('overrides only the .rodata globals an object has; the last assignment wins', () => {
    const m = constantOverrides(mvmtapEl.globals, true, [
      { name: 'nodenic_ip', value: '10.0.0.1', origin: 'p.yaml:3: constants.nodenic_ip', required: false },
      { name: 'not_here', value: '1', origin: '--const not_here=1', required: false },
      { name: 'nodenic_ip', value: '10.0.0.2', origin: '--const nodenic_ip=10.0.0.2', required: true },
    ]);
    expect([...m.keys()]).toEqual(['nodenic_ip']);
    expect(hex(m.get('nodenic_ip')!)).toBe('0a000002');
  });

  it('refuses globals that are not .rodata constants', () => {
    expect(failure(() => constantOverrides(rodataConfig.globals, true, [{ name: 'enforce', value: '0', origin: '--const enforce=0', required: true }]))).toMatch(
      /^CONST_INVALID: --const enforce=0: enforce is a global in \.data, not a \.rodata constant/,
    );
  });
});
