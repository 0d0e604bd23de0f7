import { nameProblem } from '../ir/names.js';

/**
 * Names a profile gives that end up in pf.conf text. Checked when the profile is read,
 * with the same rules the emitter enforces (src/ir/names.ts), so a profile that loads is
 * one the emitter can print, and no name can carry pf syntax into a rule.
 */

/** A pf macro name: [A-Za-z_][A-Za-z0-9_]*, not a pf reserved word, within pf's length. */
export function macroNameProblem(name: string): string | null {
  const p = nameProblem('macro', name);
  return p && `${JSON.stringify(name)} ${p} (a pf macro name: a letter or _, then letters, digits, _)`;
}

/**
 * A FreeBSD interface name: IFNAMSIZ is 16 with the NUL, so at most 15 characters, a
 * letter then letters, digits, `_`, `-` and `.` (vlan `em0.100`, `cube-dev`). A group
 * name must also not end in a digit: if_addgroup refuses those, so that groups never
 * look like units.
 */
export function freebsdInterfaceProblem(name: string, group: boolean): string | null {
  const p = nameProblem('interface', name);
  if (p) return `${JSON.stringify(name)} ${p}`;
  if (group && /[0-9]$/.test(name)) return `${JSON.stringify(name)} ends in a digit, which FreeBSD refuses for an interface group`;
  return null;
}

/** A C identifier: program and global names. */
export function isCIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** A FreeBSD release as pf output targets it: "15.0", "14.3". */
export function isRelease(s: string): boolean {
  return /^[0-9]{1,2}\.[0-9]{1,2}$/.test(s);
}
