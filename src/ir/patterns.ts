/**
 * The shapes of names and strings in a PolicyIR, as regular-expression sources shared by
 * the JSON Schema (src/ir/schema.ts) and the validator (src/ir/validate-shape.ts), so the
 * two cannot drift. The names that reach pf.conf follow src/ir/names.ts (the emitter's
 * rules: character sets and lengths); pf's reserved words, which a pattern cannot list
 * readably, are refused by validateIr through names.ts and are not in the schema.
 */
export const IR_PATTERNS = {
  /** A pf macro (`ext_if = "vtnet0"`): the logical interface names; 63 is ours (pfctl sets none). */
  macroName: '^[A-Za-z_][A-Za-z0-9_]{0,62}$',
  /** A pf table: PF_TABLE_NAME_SIZE is 32, so at most 31 characters. */
  tableName: '^[A-Za-z_][A-Za-z0-9_]{0,30}$',
  /** An anchor path component: PF_ANCHOR_NAME_SIZE 64; a leading '_' is reserved by pfctl. */
  anchorName: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
  /** A FreeBSD interface or interface group: IFNAMSIZ is 16, so at most 15 characters. */
  ifName: '^[A-Za-z][A-Za-z0-9_.-]{0,14}$',
  /** A pf tag: PF_TAG_NAME_SIZE is 64. */
  tagName: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$',
  /** A netgraph node name: NG_NODESIZ is 32; '.', ':', '[' and ']' are path syntax there. */
  classifierName: '^[A-Za-z0-9_-]{1,31}$',
  /** A rule id: program name and sequence number, printed in comments and labels. */
  ruleId: '^[A-Za-z0-9_.:#/@+-]{1,128}$',
  /** A field of a map value or key (C identifier), e.g. a familyValue field. */
  fieldName: '^[A-Za-z_][A-Za-z0-9_]*$',
  /** Text printed in a pf.conf comment: one line, no control characters. */
  singleLine: '^[^\\u0000-\\u001f\\u007f]*$',
  sha256: '^[0-9a-f]{64}$',
  /** A map key as bytes in the object's order. */
  hexBytes: '^([0-9a-f]{2})+$',
  /** '15.0' or a 14.x release. */
  release: '^1[45]\\.[0-9]+$',
  /** B2P-UNTRANSLATABLE-HELPER and the like. */
  findingCode: '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$',
  /** A pf timeout name (tcp.first, interval). */
  timeoutName: '^[a-z]+(\\.[a-z]+)?$',
  /** A pf limit name (states, table-entries). */
  limitName: '^[a-z]+(-[a-z]+)*$',
  /** Loose shape of an address or prefix; the validator parses it exactly. */
  prefixText: '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$',
  /** Loose shape of a table entry ("!" negates). */
  tableEntryText: '^!?[0-9A-Fa-f:.]+(/[0-9]{1,3})?$',
} as const;

export type IrPatternName = keyof typeof IR_PATTERNS;

/** Ports, pipe numbers and the like: the ranges the kernel's fields hold. */
export const IR_LIMITS = {
  maxPort: 65535,
  /** dummynet object numbers are u_int16_t; 0 means "none" in a pf rule. */
  maxPipe: 65535,
  /** Linux ifindex is a positive int. */
  maxIfindex: 2147483647,
  maxByte: 255,
} as const;

/** pf timeout names (pfctl_parser.c pf_timeouts[], 14.0+ with sctp). */
export const PF_TIMEOUT_NAMES: ReadonlySet<string> = new Set([
  'tcp.first', 'tcp.opening', 'tcp.established', 'tcp.closing', 'tcp.finwait', 'tcp.closed', 'tcp.tsdiff',
  'udp.first', 'udp.single', 'udp.multiple', 'icmp.first', 'icmp.error',
  'other.first', 'other.single', 'other.multiple', 'frag', 'interval', 'adaptive.start', 'adaptive.end', 'src.track',
  'sctp.first', 'sctp.opening', 'sctp.established', 'sctp.closing', 'sctp.closed',
]);

/** pf limit names (pfctl.c pf_limits[]; anchors and eth-anchors are 15.0). */
export const PF_LIMIT_NAMES: ReadonlySet<string> = new Set(['states', 'src-nodes', 'frags', 'table-entries', 'anchors', 'eth-anchors']);
