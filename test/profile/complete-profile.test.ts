import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { loadObject } from '../../src/object/load-object.js';
import { completeProfile, defaultProfile, entryPrograms, objectMatches } from '../../src/profile/complete-profile.js';
import { profileFindings } from '../../src/profile/findings.js';
import { loadProfile, parseProfile } from '../../src/profile/load-profile.js';
import { repoRoot } from '../support/corpus.js';

const input = (rel: string) => ({ path: rel, object: loadObject(new Uint8Array(readFileSync(join(repoRoot, rel)))) });
const coppiceObjects = ['mvmtap', 'nodenic', 'localgw'].map((n) => input(`corpus/coppice/obj/${n}.bpfel.v3.O2.o`));
const coppiceProfile = loadProfile(join(repoRoot, 'corpus/coppice/profile.yaml'));

describe('completeProfile', () => {
  it('matches objects by file name or stem', () => {
    expect(objectMatches('mvmtap', 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o')).toBe(true);
    expect(objectMatches('mvmtap.bpfel.v3.O2.o', 'x/mvmtap.bpfel.v3.O2.o')).toBe(true);
    expect(objectMatches('mvm', 'x/mvmtap.bpfel.v3.O2.o')).toBe(false);
  });

  it('finds the entry programs: packet programs that are not tail-call stages', () => {
    expect(entryPrograms(coppiceObjects[0].object).map((p) => p.name)).toEqual(['from_cube']);
    expect(entryPrograms(coppiceObjects[1].object).map((p) => p.name)).toEqual(['from_world']);
  });

  it('the Coppice profile covers the Coppice objects: nothing assumed', () => {
    const p = completeProfile(coppiceProfile, coppiceObjects);
    expect(p.assumptions).toEqual([]);
    expect(p.programs).toEqual(coppiceProfile.programs);
  });

  it('a subset of the objects is fine', () => {
    expect(completeProfile(coppiceProfile, [coppiceObjects[2]]).assumptions).toEqual([]);
  });

  it('attaches what the profile does not list on ext_if (em0), in, and says so', () => {
    const p = completeProfile(coppiceProfile, [...coppiceObjects, input('corpus/idioms/obj/mark_set.bpfel.o')]);
    expect(p.interfaces.at(-1)).toEqual({ name: 'ext_if', freebsd: 'em0', group: false, ifindex: null });
    expect(p.programs.at(-1)).toEqual({ name: 'mark_mgmt_traffic', object: 'mark_set.bpfel.o', section: 'tc', attach: { interface: 'ext_if', direction: 'in' } });
    expect(p.assumptions).toHaveLength(1);
    expect(p.assumptions[0]).toMatchObject({ object: 'corpus/idioms/obj/mark_set.bpfel.o', program: 'mark_mgmt_traffic', severity: 'warning' });
  });

  it('without a profile, every entry program is assumed, once', () => {
    const p = defaultProfile([...coppiceObjects, input('corpus/idioms/obj/tail_call_chain.bpfel.o')]);
    expect(p.source).toBeNull();
    expect(p.interfaces).toEqual([{ name: 'ext_if', freebsd: 'em0', group: false, ifindex: null }]);
    expect(p.programs.map((x) => `${x.name} ${x.attach.interface} ${x.attach.direction}`)).toEqual(['from_cube ext_if in', 'from_world ext_if in', 'from_envoy ext_if in', 'pipeline_entry ext_if in']);
    const findings = profileFindings(p, '15.0');
    expect(findings.filter((f) => f.code === 'B2P-PROFILE-ASSUMED').map((f) => f.program)).toEqual(['from_cube', 'from_world', 'from_envoy', 'pipeline_entry']);
    expect(findings.some((f) => f.code === 'B2P-STATE-APPROXIMATE' && /no session timeouts/.test(f.message))).toBe(true);
  });

  it('refuses a program its object does not have, naming the profile line', () => {
    const text = readFileSync(join(repoRoot, 'corpus/coppice/profile.yaml'), 'utf8').replace('from_cube:', 'from_cubes:');
    const p = parseProfile(text, 'profile.yaml');
    try {
      completeProfile(p, coppiceObjects);
      expect.unreachable();
    } catch (e) {
      expect(isBpf2pfError(e) && e.code).toBe('PROFILE_INVALID');
      expect((e as Error).message).toMatch(/^profile\.yaml:38: programs\.from_cubes: corpus\/coppice\/obj\/mvmtap\.bpfel\.v3\.O2\.o has no program from_cubes \(it has .*from_cube\)/);
    }
  });

  it('refuses a program in another section than the profile says', () => {
    const text = readFileSync(join(repoRoot, 'corpus/coppice/profile.yaml'), 'utf8').replace(/(from_world:\n\s+object: nodenic\n\s+section: )tc/, '$1xdp');
    expect(() => completeProfile(parseProfile(text, 'profile.yaml'), coppiceObjects)).toThrow(/^profile\.yaml:44: programs\.from_world\.section: from_world is in section tc of .*, not xdp/);
  });

  it('turns timeout approximations into findings, without source lines', () => {
    const findings = profileFindings(coppiceProfile, '15.0');
    const state = findings.filter((f) => f.code === 'B2P-STATE-APPROXIMATE');
    expect(state.map((f) => f.construct)).toEqual([
      'session timeout tcp_fin_wait, tcp_close_wait',
      'session timeout tcp_time_wait, tcp_close',
      'session timeout tcp_time_wait_sandbox_closed',
      'state limit',
    ]);
    for (const f of findings) expect(f.source).toBeNull();
  });
});
