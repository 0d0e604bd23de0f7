/**
 * The names and strings that reach pf.conf, and the only ways they get there.
 *
 * Every identifier the emitter prints (macro, table, anchor component, tag, interface,
 * label) passes a validator for its class, and every quoted string passes `quote`. The
 * allowed character sets are deliberately smaller than pfctl's: a name made only of
 * letters, digits and `_` (plus `-` and `.` where FreeBSD itself uses them) cannot open
 * a list, a table, a comment, a macro or a new line, so no value from an object can add
 * text to a rule. Anything else is refused, never cleaned up silently; `fitName` is the
 * explicit way for the recognisers to derive a valid name from a map or program name.
 */
import { fail } from '../errors.js';
import { PF_LIMITS } from '../emit/pf/limits.js';

export type NameClass = 'macro' | 'table' | 'anchor' | 'tag' | 'interface' | 'label';

/**
 * Words pfctl's lexer turns into keywords (14.x and 15.0 grammars) and a few it treats
 * specially in host and interface positions. A macro, table or interface with one of
 * these names would change the meaning of the rule it appears in (`on any`, `<pass>`).
 */
const PF_RESERVED: ReadonlySet<string> = new Set([
  'af-to', 'all', 'allow-opts', 'allow-related', 'altq', 'anchor', 'antispoof', 'any',
  'bandwidth', 'binat', 'binat-anchor', 'binat-to', 'bitmask', 'block', 'block-policy',
  'bridge-to', 'buckets', 'cbq', 'code', 'codelq', 'const', 'counters', 'debug',
  'divert-reply', 'divert-to', 'dnpipe', 'dnqueue', 'drop', 'dup-to', 'endpoint-independent',
  'established', 'ether', 'fail-policy', 'fairq', 'fastroute', 'file', 'fingerprints',
  'flags', 'floating', 'flush', 'for', 'fragment', 'from', 'global', 'group', 'hfsc',
  'hogs', 'hostid', 'icmp-type', 'icmp6-type', 'if-bound', 'in', 'include', 'inet',
  'inet6', 'interval', 'keep', 'keepcounters', 'l3', 'label', 'limit', 'linkshare',
  'load', 'log', 'loginterface', 'map-e-portset', 'match', 'matches', 'max', 'max-mss',
  'max-pkt-rate', 'max-pkt-size', 'max-src-conn', 'max-src-conn-rate', 'max-src-nodes',
  'max-src-states', 'min-ttl', 'modulate', 'nat', 'nat-anchor', 'nat-to', 'no', 'no-df',
  'no-route', 'no-sync', 'on', 'once', 'optimization', 'os', 'out', 'overload', 'pass',
  'persist', 'pflow', 'port', 'prefer-ipv6-nexthop', 'prio', 'priority', 'priq',
  'probability', 'proto', 'qlimit', 'queue', 'quick', 'random', 'random-id', 'rdr',
  'rdr-anchor', 'rdr-to', 'realtime', 'reassemble', 'received-on', 'reply-to',
  'require-order', 'return', 'return-icmp', 'return-icmp6', 'return-rst', 'ridentifier',
  'round-robin', 'route', 'route-to', 'rtable', 'rule', 'ruleset-optimization', 'scrub',
  'self', 'set', 'set-tos', 'skip', 'sloppy', 'source-hash', 'source-track', 'state',
  'state-defaults', 'state-policy', 'static-port', 'sticky-address', 'syncookies',
  'synproxy', 'table', 'tag', 'tagged', 'target', 'tbrsize', 'timeout', 'to', 'tos',
  'ttl', 'upperlimit', 'urpf-failed', 'user',
]);

/** Characters allowed inside a quoted string: printable ASCII minus `"` `\` `$` `#` and backquote. */
const QUOTABLE = /^[A-Za-z0-9 _.,:;/+=@%()[\]{}<>!?*&^~|'-]*$/;

const SHAPES: Readonly<Record<NameClass, { readonly pattern: RegExp; readonly max: number; readonly reserved: boolean; readonly describe: string }>> = {
  macro: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, max: PF_LIMITS.macroName, reserved: true, describe: 'a letter or _ then letters, digits, _' },
  table: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, max: PF_LIMITS.tableName, reserved: true, describe: 'a letter or _ then letters, digits, _' },
  // No leading `_` (pfctl reserves those), no `/` (a path separator), not `.`/`..`;
  // the name is also a directory or file name in the output.
  anchor: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, max: PF_LIMITS.anchorComponent, reserved: false, describe: 'a letter or digit then letters, digits, _ . -' },
  tag: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, max: PF_LIMITS.tag, reserved: false, describe: 'letters, digits, _ . - (not starting with . or -)' },
  // FreeBSD interface names: letters, digits, _ - . (IFNAMSIZ 16 with the NUL).
  interface: { pattern: /^[A-Za-z][A-Za-z0-9_.-]*$/, max: PF_LIMITS.interfaceName, reserved: true, describe: 'a letter then letters, digits, _ - .' },
  label: { pattern: QUOTABLE, max: PF_LIMITS.label, reserved: false, describe: 'printable ASCII without " \\ $ # `' },
};

/** Why `s` is not a valid name of class `cls`, or null when it is. */
export function nameProblem(cls: NameClass, s: string): string | null {
  const shape = SHAPES[cls];
  if (s.length === 0) return 'is empty';
  if (s.length > shape.max) return `is ${s.length} characters, more than pf's ${shape.max}`;
  if (!shape.pattern.test(s)) return `has characters outside ${shape.describe}`;
  if (shape.reserved && PF_RESERVED.has(s)) return 'is a pf reserved word';
  return null;
}

export function isValidName(cls: NameClass, s: string): boolean {
  return nameProblem(cls, s) === null;
}

/** `s` when it is a valid name of class `cls`; else EMIT_BAD_NAME naming `what`. */
export function assertName(cls: NameClass, s: string, what: string): string {
  const problem = nameProblem(cls, s);
  if (problem !== null) fail('EMIT_BAD_NAME', `${what}: ${cls} name ${JSON.stringify(s)} ${problem}`);
  return s;
}

export function isQuotable(s: string): boolean {
  return QUOTABLE.test(s);
}

/** `"s"` for pf.conf; EMIT_BAD_NAME when `s` holds a character outside the quotable set. */
export function quote(s: string, what = 'string'): string {
  if (!isQuotable(s)) fail('EMIT_BAD_NAME', `${what}: ${JSON.stringify(s)} has characters that may not appear in a pf.conf string`);
  return `"${s}"`;
}

/**
 * Text for a `#` comment: one line that cannot end in a backslash (pfctl joins the next
 * line onto it). Bytes outside printable ASCII, `%` and `\` become %XX of their UTF-8
 * encoding, so any input survives readable and nothing can leave the comment.
 */
export function commentText(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x20 && c <= 0x7e && ch !== '%' && ch !== '\\') out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** 32-bit FNV-1a, for the short suffix `fitName` adds: stable across runs and platforms. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A valid name of class `cls` derived from `raw` (a map, program or field name): `raw`
 * itself when valid, else characters outside the class replaced by `_`, cut to the
 * class's length, with `_` and a hash of `raw` appended so two different inputs do not
 * collapse to one name.
 */
export function fitName(cls: NameClass, raw: string): string {
  if (isValidName(cls, raw)) return raw;
  const suffix = `_${fnv1a(raw)}`;
  const allowedTail = cls === 'anchor' || cls === 'tag' || cls === 'interface' ? /[A-Za-z0-9_.-]/ : /[A-Za-z0-9_]/;
  let body = [...raw].map((ch) => (allowedTail.test(ch) ? ch : '_')).join('');
  if (!/^[A-Za-z]/.test(body)) body = `n${body}`;
  body = body.slice(0, SHAPES[cls].max - suffix.length);
  const name = `${body}${suffix}`;
  // Cannot happen with the shapes above; kept so a future shape cannot make it lie.
  return assertName(cls, name, `fitName(${JSON.stringify(raw)})`);
}
