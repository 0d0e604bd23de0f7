import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../../src/object/load-object.js';
import { repoRoot } from '../support/corpus.js';

// The Coppice profile must agree with the objects it describes: every program it
// attaches exists in the named object and section, the ifindex numbers it names are the
// objects' own .rodata defaults, the limits are the maps' sizes, and the timeouts cover
// every state of the SPEC's user-space reaper.

interface Profile {
  version: number;
  target: { freebsd: string; supported: string[] };
  interfaces: Record<string, { freebsd: string; group: boolean; ifindex: number | null }>;
  programs: Record<string, { object: string; section: string; attach: { interface: string; direction: 'in' | 'out' } }>;
  constants: Record<string, unknown>;
  timeouts: Record<string, number>;
  limits: { states: number; sandboxes: number };
}

const profile = parse(readFileSync(join(repoRoot, 'corpus/coppice/profile.yaml'), 'utf8')) as Profile;
const load = (name: string) => loadObject(new Uint8Array(readFileSync(join(repoRoot, `corpus/coppice/obj/${name}.bpfel.v3.O2.o`))));
const u32 = (obj: ReturnType<typeof load>, global: string): number => {
  const g = obj.globals.find((x) => x.name === global);
  if (!g) throw new Error(`no global ${global}`);
  return new DataView(g.initial.buffer, g.initial.byteOffset).getUint32(0, true);
};

describe('corpus/coppice/profile.yaml', () => {
  it('targets FreeBSD 15.0 and allows 14.x', () => {
    expect(profile.version).toBe(1);
    expect(profile.target.freebsd).toBe('15.0');
    expect(profile.target.supported.some((v) => v.startsWith('14.'))).toBe(true);
  });

  it('attaches each Coppice entry program where the SPEC says', () => {
    expect(Object.keys(profile.programs).sort()).toEqual(['from_cube', 'from_envoy', 'from_world']);
    const where = Object.fromEntries(Object.entries(profile.programs).map(([k, p]) => [k, `${profile.interfaces[p.attach.interface].freebsd} ${p.attach.direction}`]));
    expect(where).toEqual({ from_cube: 'tap in', from_world: 'vtnet0 in', from_envoy: 'cube-dev out' });
    for (const [name, p] of Object.entries(profile.programs)) {
      const prog = load(p.object).programs.find((x) => x.name === name);
      expect(prog, `${name} in ${p.object}`).toBeDefined();
      expect(prog!.sectionName).toBe(p.section);
    }
  });

  it('names the ifindex numbers the objects use', () => {
    const obj = load('mvmtap');
    expect(profile.interfaces.host_nic.ifindex).toBe(u32(obj, 'nodenic_ifindex'));
    expect(profile.interfaces.cube_dev.ifindex).toBe(u32(obj, 'cubegw0_ifindex'));
    expect(profile.interfaces.sandbox_taps.group).toBe(true);
  });

  it('takes its limits from the map sizes', () => {
    const maps = load('mvmtap').maps;
    expect(profile.limits.states).toBe(maps.find((m) => m.name === 'egress_sessions')!.maxEntries);
    expect(profile.limits.sandboxes).toBe(maps.find((m) => m.name === 'ifindex_to_mvmmeta')!.maxEntries);
  });

  it('carries every timeout of the SPEC reaper, in seconds', () => {
    expect(profile.timeouts).toEqual({
      tcp_syn_sent: 60, tcp_syn_recv: 60, tcp_established: 3 * 3600, tcp_fin_wait: 120, tcp_close_wait: 60,
      tcp_last_ack: 30, tcp_time_wait: 120, tcp_time_wait_sandbox_closed: 10, tcp_close: 10,
      udp_unreplied: 30, udp_replied: 180, icmp: 30, reaper_interval: 5,
    });
  });
});
