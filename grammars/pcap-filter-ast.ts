/**
 * What the pcap-filter grammar produces: the expression as written, with columns, and
 * nothing resolved. Qualifier inheritance (`host 10.0.0.1 or 10.0.0.2`), number ranges
 * and protocol/qualifier combinations are checked by src/cbpf/filter/resolve.ts.
 */

/** A word or literal as written; `column` is 1-based in the joined expression. */
export interface Lexeme {
  readonly text: string;
  readonly column: number;
}

/** An address or number after qualifiers, or alone after and/or (inheriting them). */
export type IdSyntax =
  | { readonly kind: 'number'; readonly lit: Lexeme }
  | { readonly kind: 'ipv4'; readonly lit: Lexeme; readonly prefix?: Lexeme; readonly mask?: Lexeme }
  | { readonly kind: 'ipv6'; readonly lit: Lexeme; readonly prefix?: Lexeme }
  | { readonly kind: 'mac'; readonly lit: Lexeme }
  | { readonly kind: 'range'; readonly lit: Lexeme }
  | { readonly kind: 'name'; readonly lit: Lexeme };

/** `src`, `dst`, `src or dst`, `src and dst`. */
export type DirSyntax = 'src' | 'dst' | 'src or dst' | 'src and dst';

/** The qualifiers before an id: protocol, direction, type (host, net, port, portrange). */
export interface HeadSyntax {
  readonly proto?: Lexeme;
  readonly dir?: DirSyntax;
  readonly type?: Lexeme;
}

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';
export type RelOpText = '==' | '=' | '!=' | '<' | '<=' | '>' | '>=';

export type ArithSyntax =
  | { readonly kind: 'number'; readonly lit: Lexeme }
  /** tcpflags, tcp-syn, icmp-echo, ...: resolved later. */
  | { readonly kind: 'name'; readonly lit: Lexeme }
  | { readonly kind: 'len'; readonly at: Lexeme }
  | { readonly kind: 'load'; readonly proto: Lexeme; readonly index: ArithSyntax; readonly size?: Lexeme }
  | { readonly kind: 'binary'; readonly op: ArithOp; readonly left: ArithSyntax; readonly right: ArithSyntax; readonly at: Lexeme }
  | { readonly kind: 'neg'; readonly arg: ArithSyntax; readonly at: Lexeme }
  | { readonly kind: 'group'; readonly inner: ArithSyntax };

export type FilterSyntax =
  | { readonly kind: 'and' | 'or'; readonly left: FilterSyntax; readonly right: FilterSyntax; readonly at: Lexeme }
  | { readonly kind: 'not'; readonly arg: FilterSyntax; readonly at: Lexeme }
  /** `( expr )`: kept so that a bare id after it can be refused. */
  | { readonly kind: 'group'; readonly inner: FilterSyntax; readonly at: Lexeme }
  | { readonly kind: 'qualified'; readonly head: HeadSyntax; readonly id: IdSyntax; readonly at: Lexeme }
  /** An id alone after and/or: takes the qualifiers of the primitive before it. */
  | { readonly kind: 'bare'; readonly id: IdSyntax; readonly at: Lexeme }
  /** A protocol name alone: `tcp`, `ip6`, `arp`. */
  | { readonly kind: 'pname'; readonly proto: Lexeme }
  /** `ether proto N`, `ip proto N`, `ip6 proto N`, `proto N`. */
  | { readonly kind: 'proto-number'; readonly proto?: Lexeme; readonly value: Lexeme; readonly at: Lexeme }
  | { readonly kind: 'relation'; readonly op: RelOpText; readonly left: ArithSyntax; readonly right: ArithSyntax; readonly at: Lexeme }
  | { readonly kind: 'vlan'; readonly id?: Lexeme; readonly at: Lexeme }
  | { readonly kind: 'length'; readonly which: 'greater' | 'less'; readonly value: Lexeme; readonly at: Lexeme }
  | { readonly kind: 'cast'; readonly proto?: Lexeme; readonly which: 'broadcast' | 'multicast'; readonly at: Lexeme }
  /** The empty expression: accept everything (as tcpdump with no filter). */
  | { readonly kind: 'empty' };
