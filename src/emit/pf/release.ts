/**
 * What the target release can say. FreeBSD 15.0 has nat-to/rdr-to/binat-to on filter
 * rules and `set limit anchors`; 14.x has only the legacy nat/rdr/binat translation
 * section (pf.md §1.2). Earlier releases are not a target.
 */
import { fail } from '../../errors.js';
import type { IrTarget } from '../../ir/types.js';

export interface PfRelease {
  /** As the IR gives it, e.g. '15.0' or '14.3'. */
  readonly name: string;
  /** True for 14.x: translations become legacy nat/rdr rules evaluated before filtering. */
  readonly legacyTranslation: boolean;
}

export function pfRelease(target: IrTarget): PfRelease {
  const m = /^(\d+)\.(\d+)$/.exec(target.release);
  const major = m ? Number(m[1]) : NaN;
  if (target.os !== 'freebsd' || !(major === 14 || major === 15)) {
    fail('EMIT_UNSUPPORTED', `target ${target.os} ${JSON.stringify(target.release)}: the pf emitter writes for FreeBSD 14.x and 15.0`);
  }
  return { name: target.release, legacyTranslation: major === 14 };
}
