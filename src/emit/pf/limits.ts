/**
 * Every pf and dummynet limit the emitter respects, in one place: the numbers (also used
 * by src/ir/names.ts for name lengths) and the checks on sizes that depend on the whole
 * output (table entries, anchors, pipe numbers). Sources are in /work/shared/reference/pf.md.
 */
import { fail } from '../../errors.js';
import type { Finding } from '../../ir/types.js';

export const PF_LIMITS = {
  /** PF_TABLE_NAME_SIZE is 32 with the NUL. */
  tableName: 31,
  /** PF_ANCHOR_NAME_SIZE is 64 per path component with the NUL. */
  anchorComponent: 63,
  /** PF_TAG_NAME_SIZE is 64 with the NUL. */
  tag: 63,
  /** PF_RULE_LABEL_SIZE is 64 with the NUL. */
  label: 63,
  /** IFNAMSIZ is 16 with the NUL. */
  interfaceName: 15,
  /** pfctl sets no length for macro names; ours, so a name stays readable. */
  macroName: 63,
  /** net.pf.request_maxcount: the most entries one table ioctl (one pfctl -T call) may carry. */
  requestMaxcount: 65535,
  /** Default `set limit table-entries` (PFR_KENTRY_HIWAT). */
  tableEntries: 200000,
  /** Default `set limit anchors` (15.0 only; 14.x has no such limit). */
  anchors: 512,
  /** dnpipe numbers are u_int16_t; 0 means "no pipe". */
  dnpipeMax: 65535,
} as const;

/** `set limit` names pfctl knows: pf_limits[] of 14.x, plus the two 15.0 added. */
export function limitNames(legacy: boolean): readonly string[] {
  const base = ['states', 'src-nodes', 'frags', 'table-entries'];
  return legacy ? base : [...base, 'anchors', 'eth-anchors'];
}

/** A finding (not an error) for one table larger than one pfctl request may carry. */
export function tableRequestFinding(table: string, where: string, entries: number): Finding | null {
  if (entries <= PF_LIMITS.requestMaxcount) return null;
  return {
    code: 'B2P-PF-REQUEST-MAXCOUNT',
    severity: 'warning',
    message: `table <${table}> (${where}) has ${entries} entries, more than net.pf.request_maxcount (${PF_LIMITS.requestMaxcount}): pfctl refuses to load it unless the sysctl is raised`,
    object: null,
    program: null,
    section: null,
    slot: null,
    source: null,
    construct: `table <${table}>`,
    suggestion: `sysctl net.pf.request_maxcount=${entries} before loading (and in /etc/sysctl.conf), or split the set`,
  };
}

/**
 * The `set limit` values the output needs beyond what the IR asked for: table-entries
 * when the static contents exceed the default, anchors (15.0) when the family instances
 * exceed the default. The IR's own value wins when it is larger; it is never lowered.
 */
export function derivedLimits(
  irLimits: Readonly<Record<string, number>>,
  totals: { readonly tableEntries: number; readonly anchors: number },
  legacy: boolean,
): Record<string, number> {
  const out: Record<string, number> = { ...irLimits };
  if (totals.tableEntries > PF_LIMITS.tableEntries) {
    out['table-entries'] = Math.max(irLimits['table-entries'] ?? 0, totals.tableEntries);
  }
  if (!legacy && totals.anchors > PF_LIMITS.anchors) {
    out.anchors = Math.max(irLimits.anchors ?? 0, totals.anchors);
  }
  return out;
}

/** A dnpipe number must fit the kernel's u_int16_t and not be 0. */
export function checkPipeNumber(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > PF_LIMITS.dnpipeMax) {
    fail('EMIT_LIMIT', `${what}: dummynet pipe number ${n} is outside 1..${PF_LIMITS.dnpipeMax}`);
  }
  return n;
}
