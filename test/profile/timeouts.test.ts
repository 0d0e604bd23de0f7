import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileLimitsToPf } from '../../src/profile/limits.js';
import { loadProfile } from '../../src/profile/load-profile.js';
import { profileTimeoutsToPf, TIMEOUT_TABLE } from '../../src/profile/timeouts.js';
import { SPEC_TIMEOUTS } from '../../src/profile/types.js';
import { repoRoot } from '../support/corpus.js';

const coppice = loadProfile(join(repoRoot, 'corpus/coppice/profile.yaml'));

// pf.md §6.1: the timeout names pfctl knows.
const PF_TIMEOUT_NAMES = new Set([
  'tcp.first', 'tcp.opening', 'tcp.established', 'tcp.closing', 'tcp.finwait', 'tcp.closed', 'tcp.tsdiff', 'udp.first', 'udp.single', 'udp.multiple',
  'icmp.first', 'icmp.error', 'other.first', 'other.single', 'other.multiple', 'frag', 'interval', 'adaptive.start', 'adaptive.end', 'src.track',
]);

describe('profile timeouts -> pf set timeout', () => {
  it("maps Coppice's reaper to pf's states", () => {
    const { timeouts } = profileTimeoutsToPf(coppice.timeouts);
    expect(timeouts).toEqual({
      'tcp.first': 60, // SYN_SENT
      'tcp.opening': 60, // SYN_RECV
      'tcp.established': 10800,
      'tcp.closing': 120, // FIN_WAIT 120 / CLOSE_WAIT 60: the longer
      'tcp.finwait': 30, // LAST_ACK
      'tcp.closed': 120, // TIME_WAIT 120 / CLOSE 10: the longer
      'udp.first': 30,
      'udp.single': 30,
      'udp.multiple': 180,
      'icmp.first': 30,
      'icmp.error': 30,
      interval: 5,
    });
    for (const name of Object.keys(timeouts)) expect(PF_TIMEOUT_NAMES.has(name), name).toBe(true);
  });

  it('says which Coppice timeouts are folded together or dropped', () => {
    const { approximations } = profileTimeoutsToPf(coppice.timeouts);
    expect(approximations).toHaveLength(3);
    expect(approximations[0]).toMatch(/tcp_fin_wait 120 s, tcp_close_wait 60 s: .*tcp\.closing, set to the longer \(120 s\)/);
    expect(approximations[1]).toMatch(/tcp_time_wait 120 s, tcp_close 10 s: .*tcp\.closed, set to the longer \(120 s\)/);
    expect(approximations[2]).toMatch(/tcp_time_wait_sandbox_closed 10 s has no pf equivalent .* tcp\.closed \(120 s\)/);
  });

  it('uses every profile timeout somewhere or says it drops it', () => {
    const used = new Set(TIMEOUT_TABLE.flatMap((r) => r.from));
    for (const t of SPEC_TIMEOUTS) {
      if (!used.has(t)) expect(profileTimeoutsToPf({ [t]: 1 }).approximations.join('\n')).toContain(`${t} 1 s has no pf equivalent`);
    }
  });

  it('folding equal values loses nothing and says nothing', () => {
    const { timeouts, approximations } = profileTimeoutsToPf({ ...coppice.timeouts, tcp_close_wait: 120, tcp_close: 120, tcp_time_wait_sandbox_closed: 120 });
    expect(timeouts['tcp.closing']).toBe(120);
    expect(approximations).toEqual([]);
  });

  it("leaves pf's default where the profile gives nothing, and says so", () => {
    const { timeouts, approximations } = profileTimeoutsToPf({ tcp_established: 3600 });
    expect(timeouts).toEqual({ 'tcp.established': 3600 });
    expect(approximations).toContain("tcp_syn_sent not in the profile: pf's default tcp.first 120 s applies");
    expect(approximations).toContain("tcp_fin_wait and tcp_close_wait not in the profile: pf's default tcp.closing 900 s applies");
  });

  it('a profile without timeouts gets one note', () => {
    expect(profileTimeoutsToPf({})).toEqual({ timeouts: {}, approximations: [expect.stringMatching(/^no session timeouts in the profile: pf's defaults apply/)] });
  });
});

describe('profile limits -> pf set limit', () => {
  it('maps states and sandboxes (one anchor each, plus the family anchor) on 15.0', () => {
    expect(profileLimitsToPf(coppice.limits, '15.0').limits).toEqual({ states: 1048576, anchors: 8193 });
  });

  it('has no anchors limit to set on 14.x', () => {
    expect(profileLimitsToPf(coppice.limits, '14.3').limits).toEqual({ states: 1048576 });
  });

  it('passes the pf-named limits through', () => {
    expect(profileLimitsToPf({ src_nodes: 1, frags: 2, table_entries: 3 }, '15.0')).toEqual({ limits: { 'src-nodes': 1, frags: 2, 'table-entries': 3 }, approximations: [] });
  });
});
