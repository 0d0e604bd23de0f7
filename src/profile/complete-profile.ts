import { basename } from 'node:path';
import { fail } from '../errors.js';
import { MapType } from '../object/map-types.js';
import { isPacketProgram } from '../object/program-types.js';
import type { BpfObject, BpfProgram } from '../object/types.js';
import { DEFAULT_TARGET } from './load-profile.js';
import { PROFILE_VERSION, type Direction, type Profile, type ProfileAssumption, type ProfileInterface, type ProfileProgram } from './types.js';

/** An object given on the command line: the path as given and what it holds. */
export interface ProfileInput {
  readonly path: string;
  readonly object: BpfObject;
}

/**
 * The interface an entry program is attached to when no profile says: pf's customary
 * macro for the outside interface, on FreeBSD's most common NIC driver name. Both are
 * placeholders; the assumption finding says to write a profile.
 */
export const DEFAULT_INTERFACE: ProfileInterface = { name: 'ext_if', freebsd: 'em0', group: false, ifindex: null };

/** The profile of a run without `--profile`: every entry program attached by `completeProfile`. */
export function defaultProfile(objects: readonly ProfileInput[]): Profile {
  const empty: Profile = {
    version: PROFILE_VERSION,
    source: null,
    target: DEFAULT_TARGET,
    interfaces: [],
    programs: [],
    constants: [],
    timeouts: {},
    limits: {},
    marks: [],
    reassemble: false,
    assumptions: [],
    lines: {},
  };
  return completeProfile(empty, objects);
}

/** Whether a profile's `object` names this file: its whole file name, or the stem before the first `.`. */
export function objectMatches(profileObject: string, path: string): boolean {
  const file = basename(path);
  return file === profileObject || file.split('.')[0] === profileObject;
}

/**
 * Checks a profile against the objects of a run and fills what it leaves out:
 * - a program the profile lists for a given object must exist there, in the named section
 *   (PROFILE_INVALID otherwise); programs of objects not given are ignored, so a subset
 *   of a deployment can be translated with the whole profile;
 * - an entry program the profile does not list is attached on `ext_if` (em0), `in`
 *   unless its section says egress, and that is recorded as an assumption. Entry programs
 *   are packet programs that no PROG_ARRAY initialiser names (those are tail-call stages).
 */
export function completeProfile(profile: Profile, objects: readonly ProfileInput[]): Profile {
  const programs = [...profile.programs];
  const interfaces = [...profile.interfaces];
  const assumptions: ProfileAssumption[] = [...profile.assumptions];
  const where = (path: string): string => (profile.source ? `${profile.source}:${profile.lines[path] ?? 1}: ${path}` : path);
  for (const p of profile.programs) {
    for (const input of objects.filter((o) => objectMatches(p.object, o.path))) {
      const prog = input.object.programs.find((x) => x.name === p.name);
      if (!prog) {
        fail('PROFILE_INVALID', `${where(`programs.${p.name}`)}: ${input.path} has no program ${p.name} (it has ${input.object.programs.map((x) => x.name).join(', ') || 'none'})`);
      }
      if (p.section !== null && prog.sectionName !== p.section) {
        fail('PROFILE_INVALID', `${where(`programs.${p.name}.section`)}: ${p.name} is in section ${prog.sectionName} of ${input.path}, not ${p.section}`);
      }
    }
  }
  for (const input of objects) {
    for (const prog of entryPrograms(input.object)) {
      const listed = profile.programs.some((p) => p.name === prog.name && objectMatches(p.object, input.path));
      if (listed) continue;
      if (!interfaces.some((i) => i.name === DEFAULT_INTERFACE.name)) interfaces.push(DEFAULT_INTERFACE);
      const iface = interfaces.find((i) => i.name === DEFAULT_INTERFACE.name)!;
      const direction = defaultDirection(prog);
      programs.push({ name: prog.name, object: basename(input.path), section: prog.sectionName, attach: { interface: iface.name, direction } });
      assumptions.push({
        object: input.path,
        program: prog.name,
        section: prog.sectionName,
        construct: `attachment of ${prog.name}`,
        message: `${profile.source ? `the profile ${profile.source} does not list ${prog.name}` : 'no profile'}: assumed attached ${direction} on ${iface.freebsd} (macro ${iface.name})`,
        suggestion: `say where ${prog.name} runs in a profile: programs.${prog.name}: {object: ${basename(input.path).split('.')[0]}, section: ${prog.sectionName}, attach: {interface: <name>, direction: in|out}}`,
        severity: 'warning',
      });
    }
  }
  return { ...profile, interfaces, programs, assumptions };
}

/** Packet programs that are not tail-call stages of a PROG_ARRAY of the same object. */
export function entryPrograms(object: BpfObject): BpfProgram[] {
  const stages = new Set(
    object.maps.filter((m) => m.type === MapType.PROG_ARRAY).flatMap((m) => m.initialSlots.filter((s) => s.targetKind === 'program').map((s) => s.target)),
  );
  return object.programs.filter((p) => isPacketProgram(p.kind.type) && !stages.has(p.name));
}

function defaultDirection(prog: BpfProgram): Direction {
  return /egress/.test(prog.kind.attach ?? prog.sectionName) ? 'out' : 'in';
}

/** The profile entry that attaches this program of this object, if any. */
export function attachmentOf(profile: Profile, objectPath: string, program: string): ProfileProgram | undefined {
  return profile.programs.find((p) => p.name === program && objectMatches(p.object, objectPath));
}
