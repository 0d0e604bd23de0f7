/**
 * The pf.conf AST: the subset of pfctl's language the emitter prints (and a little
 * around it), as plain data. Macros are already expanded where they are used; their
 * definitions stay as statements. Numbers are numbers, names are strings without quotes.
 */
export interface PfSourcePos {
  readonly line: number;
  readonly column: number;
}

export interface PfIfSpec {
  readonly negate: boolean;
  readonly names: readonly string[];
}

export type PfAddress =
  | { readonly kind: 'any' }
  | { readonly kind: 'self' }
  | { readonly kind: 'no-route' }
  | { readonly kind: 'urpf-failed' }
  /** An address or prefix, as written. */
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'table'; readonly name: string }
  /** `(if)` or `(if:modifier)`. */
  | { readonly kind: 'dynamic'; readonly interface: string; readonly modifier: string | null }
  /** A bare interface or group name (expanded to its addresses at load). */
  | { readonly kind: 'interface'; readonly name: string };

export interface PfHostItem {
  readonly negate: boolean;
  readonly address: PfAddress;
}

export type PfPortItem =
  | { readonly op: '=' | '!=' | '<' | '<=' | '>' | '>='; readonly port: number }
  /** `a:b` inclusive, `a >< b` exclusive, `a <> b` outside. */
  | { readonly op: ':' | '><' | '<>'; readonly from: number; readonly to: number };

export interface PfHostSpec {
  /** One item, or a list `{ ... }`; empty means `any`. */
  readonly hosts: readonly PfHostItem[];
  /** Empty when the rule has no port criterion. */
  readonly ports: readonly PfPortItem[];
}

export type PfPoolType = 'round-robin' | 'random' | 'bitmask' | 'source-hash';

export interface PfPool {
  readonly hosts: readonly PfAddress[];
  /** `port a` (from only) or `port a:b`; `to` is '*' for rdr's `a:*`. */
  readonly port: { readonly from: number; readonly to: number | '*' | null } | null;
  readonly type: PfPoolType | null;
  readonly staticPort: boolean;
  readonly stickyAddress: boolean;
}

export interface PfRouteHost {
  readonly interface: string;
  readonly nexthop: string | null;
}

export interface PfRoute {
  readonly kind: 'route-to' | 'reply-to' | 'dup-to';
  readonly hosts: readonly PfRouteHost[];
  readonly type: PfPoolType | null;
}

export interface PfIcmpType {
  readonly type: number;
  readonly code: number | null;
}

export interface PfFilterOptions {
  /** `flags S/SA` as bit masks, `any` as 'any', absent as null. */
  readonly flags: { readonly set: number; readonly mask: number } | 'any' | null;
  readonly icmpType: { readonly v6: boolean; readonly types: readonly PfIcmpType[] } | null;
  readonly tagged: { readonly tag: string; readonly negate: boolean } | null;
  readonly tag: string | null;
  readonly state: 'keep' | 'no' | 'modulate' | 'synproxy' | null;
  readonly stateOptions: readonly string[];
  readonly labels: readonly string[];
  readonly dnpipe: readonly number[] | null;
  readonly dnqueue: readonly number[] | null;
  readonly fragment: boolean;
  readonly allowOpts: boolean;
  readonly rtable: number | null;
  readonly natTo: PfPool | null;
  readonly rdrTo: PfPool | null;
  readonly binatTo: PfPool | null;
}

export interface PfRuleCommon {
  readonly pos: PfSourcePos;
  readonly on: PfIfSpec | null;
  readonly af: 'inet' | 'inet6' | null;
  /** Protocol numbers (names resolved). */
  readonly proto: readonly number[] | null;
  readonly from: PfHostSpec;
  readonly to: PfHostSpec;
}

export interface PfFilterRule extends PfRuleCommon {
  readonly kind: 'filter';
  readonly action: 'pass' | 'block' | 'match';
  readonly blockMode: 'drop' | 'return' | null;
  readonly direction: 'in' | 'out' | null;
  readonly log: boolean;
  readonly quick: boolean;
  readonly route: PfRoute | null;
  readonly options: PfFilterOptions;
}

export interface PfTranslationRule extends PfRuleCommon {
  readonly kind: 'translation';
  readonly type: 'nat' | 'rdr' | 'binat';
  readonly no: boolean;
  readonly pass: boolean;
  readonly tag: string | null;
  readonly tagged: { readonly tag: string; readonly negate: boolean } | null;
  readonly pool: PfPool | null;
}

export interface PfAnchorRule extends PfRuleCommon {
  readonly kind: 'anchor';
  readonly type: 'anchor' | 'nat-anchor' | 'rdr-anchor' | 'binat-anchor';
  readonly name: string;
  readonly direction: 'in' | 'out' | null;
  readonly quick: boolean;
}

export interface PfMacroDef {
  readonly kind: 'macro';
  readonly pos: PfSourcePos;
  readonly name: string;
  readonly value: string;
}

export interface PfTableDefinition {
  readonly kind: 'table';
  readonly pos: PfSourcePos;
  readonly name: string;
  readonly persist: boolean;
  readonly const: boolean;
  readonly counters: boolean;
  readonly files: readonly string[];
  /** Null when no `{ }` list was given (pfctl keeps existing entries then). */
  readonly entries: readonly { readonly negate: boolean; readonly text: string }[] | null;
}

export type PfSetOption =
  | { readonly option: 'skip'; readonly interfaces: PfIfSpec }
  | { readonly option: 'timeout' | 'limit'; readonly values: readonly { readonly name: string; readonly value: number }[] }
  /** Any other `set name value...`, words as written. */
  | { readonly option: 'other'; readonly name: string; readonly values: readonly string[] };

export interface PfSetStatement {
  readonly kind: 'set';
  readonly pos: PfSourcePos;
  readonly set: PfSetOption;
}

export type PfStatement = PfMacroDef | PfTableDefinition | PfSetStatement | PfTranslationRule | PfAnchorRule | PfFilterRule;

export interface PfFile {
  readonly statements: readonly PfStatement[];
}
