import type { Finding, Severity } from '../ir/types.js';
import { profileLimitsToPf } from './limits.js';
import { mapTimeouts } from './timeouts.js';
import type { Profile } from './types.js';

/** Finding codes of this module (stable: check baselines refer to them). */
export const PROFILE_ASSUMED = 'B2P-PROFILE-ASSUMED';
export const STATE_APPROXIMATE = 'B2P-STATE-APPROXIMATE';

/**
 * What the profile leaves to bpf2pf or pf, as findings: each assumption (a program
 * attached by default), each timeout pf cannot keep as Coppice does, each limit that
 * means something else in pf. None has a source line: they are about deployment, not code.
 */
export function profileFindings(profile: Profile, release: string): Finding[] {
  const out: Finding[] = profile.assumptions.map((a) => ({
    code: PROFILE_ASSUMED,
    severity: a.severity,
    message: a.message,
    object: a.object,
    program: a.program,
    section: a.section,
    slot: null,
    source: null,
    construct: a.construct,
    suggestion: a.suggestion,
  }));
  // Timeouts that differ are warnings (connections behave differently); limit notes are info.
  const state = (construct: string, message: string, suggestion: string, severity: Severity): Finding => ({
    code: STATE_APPROXIMATE,
    severity,
    message,
    object: null,
    program: null,
    section: null,
    slot: null,
    source: null,
    construct,
    suggestion,
  });
  for (const note of mapTimeouts(profile.timeouts).notes) {
    out.push(
      state(
        note.spec.length ? `session timeout ${note.spec.join(', ')}` : 'session timeouts',
        note.text,
        note.spec.length ? 'check that the pf timeout suits the application; per-rule timeouts (keep state (tcp.closed N)) can refine it' : 'give the timeouts of the user-space reaper in the profile (timeouts:)',
        'warning',
      ),
    );
  }
  for (const text of profileLimitsToPf(profile.limits, release).approximations) {
    out.push(state('state limit', text, 'size set limit states for all traffic pf keeps state for', 'info'));
  }
  return out;
}
