/**
 * The pf statements the emitter prints, as plain data between building (build-rule.ts,
 * legacy.ts, layout) and printing (render.ts). Strings here are not yet trusted: the
 * printer passes every one through src/ir/names.ts or the address checks as it prints.
 */
export type PfIfRef =
  /** A logical interface of the profile, printed `$name` (defined as a macro in the file). */
  | { readonly kind: 'macro'; readonly name: string }
  /** A FreeBSD interface name printed as it is (family instances). */
  | { readonly kind: 'name'; readonly name: string };

export type PfHost =
  | { readonly kind: 'any' }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'table'; readonly name: string }
  /** `(if)`: the interface's addresses, followed as they change. */
  | { readonly kind: 'dynamic'; readonly iface: PfIfRef };

export interface PfHostMatch {
  readonly host: PfHost;
  readonly negate: boolean;
}

export type PfPort =
  | { readonly op: '=' | '!=' | '<' | '<=' | '>' | '>='; readonly port: number }
  | { readonly op: ':'; readonly from: number; readonly to: number }
  /** `{ 80, 443 }`: pfctl expands it into one rule per port. */
  | { readonly op: 'list'; readonly ports: readonly number[] };

export type PfTranslationOption =
  | { readonly kind: 'nat-to'; readonly pool: PfHost; readonly ports?: { readonly from: number; readonly to: number }; readonly staticPort?: boolean }
  | { readonly kind: 'rdr-to'; readonly pool: PfHost; readonly port?: number }
  | { readonly kind: 'binat-to'; readonly pool: PfHost };

export interface PfFilterRule {
  readonly kind: 'filter';
  readonly action: 'pass' | 'block' | 'match';
  readonly direction: 'in' | 'out';
  readonly quick: boolean;
  readonly on: PfIfRef;
  readonly routeTo?: { readonly iface: PfIfRef; readonly nexthop?: string };
  readonly af?: 'inet' | 'inet6';
  readonly proto?: readonly number[];
  readonly from: PfHostMatch;
  readonly fromPort?: PfPort;
  readonly to: PfHostMatch;
  readonly toPort?: PfPort;
  readonly flags?: { readonly set: number; readonly mask: number } | 'any';
  readonly icmpType?: { readonly v6: boolean; readonly type: number; readonly code?: number };
  readonly fragment: boolean;
  readonly tagged?: { readonly tag: string; readonly negate: boolean };
  readonly tag?: string;
  readonly dnpipe?: number;
  readonly allowOpts?: boolean;
  /** Printed for pass rules only: pf keeps state on pass rules unless told not to. */
  readonly state?: 'keep' | 'no';
  readonly label?: string;
  readonly translations: readonly PfTranslationOption[];
}

/**
 * A 14.x translation rule (`nat on ... -> pool`). Most run before any filter rule and tag
 * what they translate for the filter rule that follows (`sets`); a nat for an inbound
 * rule that routes the packet runs on the route-to interface's way out, on the packets
 * that filter rule tagged (`tests`).
 */
export interface PfLegacyTranslation {
  readonly kind: 'legacy';
  readonly type: 'nat' | 'rdr';
  readonly on: PfIfRef;
  readonly af?: 'inet' | 'inet6';
  readonly proto?: readonly number[];
  readonly from: PfHostMatch;
  readonly fromPort?: PfPort;
  readonly to: PfHostMatch;
  readonly toPort?: PfPort;
  readonly link: { readonly kind: 'sets' | 'tests'; readonly tag: string };
  readonly pool: PfHost;
  readonly poolPort?: { readonly from: number; readonly to?: number };
  readonly staticPort?: boolean;
}

/** `anchor "family/*"` (and the 14.x nat-anchor/rdr-anchor) at a family's place. */
export interface PfAnchorCall {
  readonly kind: 'anchor';
  readonly type: 'anchor' | 'nat-anchor' | 'rdr-anchor';
  /** Path components; the last may be `*`. */
  readonly path: readonly string[];
  readonly direction?: 'in' | 'out';
  readonly on?: PfIfRef;
}

export type PfStatement = PfFilterRule | PfLegacyTranslation | PfAnchorCall;

/** A statement with the comment lines printed above it. */
export interface PfBlock {
  readonly comments: readonly string[];
  /** Null for a comment-only block (a rule that has nothing to match for one instance). */
  readonly statement: PfStatement | null;
}

export interface PfTableDef {
  readonly name: string;
  readonly comments: readonly string[];
  /** Inline contents, or null when they are in `file`. */
  readonly entries: readonly string[] | null;
  readonly file: string | null;
}
