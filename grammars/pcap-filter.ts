/**
 * Grammar of the pcap-filter(7) subset bpf2pf compiles to classic BPF (src/cbpf/compile.ts
 * lists the passes; src/cbpf/filter/resolve.ts gives the words their meaning):
 *
 *   filter   := expr? EOF
 *   expr     := term ((and | or) (term | bareId))*        and, or: equal precedence, left to right
 *   bareId   := not* id                                    inherits the qualifiers before it
 *   term     := not term | rterm
 *   rterm    := arith relop arith                          tried first (backtracking)
 *             | '(' expr ')'
 *             | proto? dir? type? id                       at least one qualifier
 *             | proto? 'proto' NUM | proto? ('broadcast' | 'multicast') | proto
 *             | 'vlan' NUM? | 'greater' NUM | 'less' NUM
 *   dir      := 'src' (('or' | 'and') 'dst')? | 'dst'
 *   type     := 'host' | 'net' | 'port' | 'portrange'
 *   id       := IPv4 ('/' NUM | 'mask' IPv4)? | IPv6 ('/' NUM)? | MAC | NUM | RANGE | NAME
 *   arith    := or ('^' arith)?                            see below
 *   or       := and ('|' and)*;  and := shift ('&' shift)*;  shift := add (('<<'|'>>') add)*
 *   add      := mul (('+'|'-') mul)*;  mul := unary (('*'|'/'|'%') unary)*
 *   unary    := '-' unary | NUM | NAME | 'len' | '(' arith ')' | proto '[' arith (':' NUM)? ']'
 *
 * libpcap's yacc grammar gives `^` no precedence, so it always shifts: `a ^ b | c` is
 * `a ^ (b | c)` but `a | b ^ c` is `a | (b ^ c)`. The rule above gets the first right;
 * resolve.ts refuses a `^` whose left operand is an unparenthesised operation.
 */
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from 'chevrotain';
import { parserMessages } from './error-messages.js';
import { fail } from '../src/errors.js';
import type { ArithOp, ArithSyntax, DirSyntax, FilterSyntax, HeadSyntax, IdSyntax, Lexeme, RelOpText } from './pcap-filter-ast.js';
import * as T from './pcap-filter-tokens.js';

function lex(t: IToken | undefined): Lexeme {
  // Undefined only while chevrotain records the grammar, when no result is used.
  return { text: t?.image ?? '', column: (t?.startOffset ?? 0) + 1 };
}


const messages = parserMessages('end of expression');

const LITERALS: readonly TokenType[] = [T.Ip4Addr, T.Ip6Addr, T.Mac, T.NumberLiteral, T.PortRange, T.Name];
const TYPE_WORDS: readonly TokenType[] = [T.Host, T.Net, T.Port, T.Portrange];

class PcapFilterParser extends EmbeddedActionsParser {
  /**
   * `validate`: chevrotain's checks of the grammar itself (ambiguous alternatives, left
   * recursion). They cost ~14 ms at every start of translate and find nothing in a grammar
   * that passed them once, so the shared instance skips them and a test runs them.
   */
  constructor(validate = false) {
    super(T.ALL_TOKENS as TokenType[], { maxLookahead: 3, recoveryEnabled: false, errorMessageProvider: messages, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  filter = this.RULE('filter', (): FilterSyntax => this.OPTION(() => this.SUBRULE(this.expr)) ?? { kind: 'empty' });

  expr = this.RULE('expr', (): FilterSyntax => {
    let left = this.SUBRULE(this.term);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => ({ kind: 'and' as const, tok: this.CONSUME(T.And) }) },
        { ALT: () => ({ kind: 'or' as const, tok: this.CONSUME(T.Or) }) },
      ]);
      const right = this.OR2([
        { GATE: this.BACKTRACK(this.term), ALT: () => this.SUBRULE2(this.term) },
        { ALT: () => this.SUBRULE(this.bareId) },
      ]);
      left = { kind: op.kind, left, right, at: lex(op.tok) };
    });
    return left;
  });

  bareId = this.RULE('bareId', (): FilterSyntax =>
    this.OR([
      {
        ALT: () => {
          const at = this.CONSUME(T.Not);
          return { kind: 'not' as const, arg: this.SUBRULE(this.bareId), at: lex(at) };
        },
      },
      {
        ALT: () => {
          const first = this.LA(1);
          return { kind: 'bare' as const, id: this.SUBRULE(this.id), at: lex(first) };
        },
      },
    ]),
  );

  term = this.RULE('term', (): FilterSyntax =>
    this.OR([
      {
        ALT: () => {
          const at = this.CONSUME(T.Not);
          return { kind: 'not' as const, arg: this.SUBRULE(this.term), at: lex(at) };
        },
      },
      { ALT: () => this.SUBRULE(this.rterm) },
    ]),
  );

  rterm = this.RULE('rterm', (): FilterSyntax =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: this.BACKTRACK(this.relation), ALT: () => this.SUBRULE(this.relation) },
        {
          ALT: () => {
            const at = this.CONSUME(T.LParen);
            const inner = this.SUBRULE(this.expr);
            this.CONSUME(T.RParen);
            return { kind: 'group' as const, inner, at: lex(at) };
          },
        },
        { ALT: () => this.SUBRULE(this.protoLed) },
        {
          ALT: () => {
            const first = this.LA(1);
            const head: HeadSyntax = this.SUBRULE(this.dirType);
            return { kind: 'qualified' as const, head, id: this.SUBRULE2(this.id), at: lex(first) };
          },
        },
        {
          ALT: () => {
            const at = this.CONSUME(T.Proto);
            return { kind: 'proto-number' as const, value: lex(this.CONSUME(T.NumberLiteral)), at: lex(at) };
          },
        },
        {
          ALT: () => {
            const at = this.OR2([{ ALT: () => this.CONSUME(T.Broadcast) }, { ALT: () => this.CONSUME(T.Multicast) }]);
            return { kind: 'cast' as const, which: at.image as 'broadcast' | 'multicast', at: lex(at) };
          },
        },
        {
          ALT: () => {
            const at = this.CONSUME(T.Vlan);
            const id = this.OPTION(() => lex(this.CONSUME2(T.NumberLiteral)));
            return { kind: 'vlan' as const, id, at: lex(at) };
          },
        },
        {
          ALT: () => {
            const at = this.OR3([{ ALT: () => this.CONSUME(T.Greater) }, { ALT: () => this.CONSUME(T.Less) }]);
            return { kind: 'length' as const, which: at.image as 'greater' | 'less', value: lex(this.CONSUME3(T.NumberLiteral)), at: lex(at) };
          },
        },
      ],
    }),
  );

  /** Everything that starts with a protocol name, except a load (`ip[8]`, a relation). */
  protoLed = this.RULE('protoLed', (): FilterSyntax => {
    const proto = lex(this.CONSUME(T.ProtoName));
    const rest = this.OPTION(() =>
      this.OR([
        {
          ALT: (): FilterSyntax => {
            this.CONSUME(T.Proto);
            return { kind: 'proto-number', proto, value: lex(this.CONSUME(T.NumberLiteral)), at: proto };
          },
        },
        {
          ALT: (): FilterSyntax => {
            const w = this.OR2([{ ALT: () => this.CONSUME(T.Broadcast) }, { ALT: () => this.CONSUME(T.Multicast) }]);
            return { kind: 'cast', proto, which: w.image as 'broadcast' | 'multicast', at: proto };
          },
        },
        {
          ALT: (): FilterSyntax => {
            const head: HeadSyntax = { proto, ...this.SUBRULE(this.dirType) };
            return { kind: 'qualified', head, id: this.SUBRULE(this.id), at: proto };
          },
        },
      ]),
    );
    return rest ?? { kind: 'pname', proto };
  });

  /** `dir type?` or `type`: at least one qualifier (a protocol alone is a pname). */
  dirType = this.RULE('dirType', (): { dir?: DirSyntax; type?: Lexeme } =>
    this.OR([
      {
        ALT: () => {
          const dir = this.SUBRULE(this.dir);
          const type = this.OPTION(() => lex(this.OR2(TYPE_WORDS.map((tt) => ({ ALT: () => this.CONSUME(tt) })))));
          return { dir, type };
        },
      },
      { ALT: () => ({ type: lex(this.OR3(TYPE_WORDS.map((tt) => ({ ALT: () => this.CONSUME2(tt) })))) }) },
    ]),
  );

  dir = this.RULE('dir', (): DirSyntax =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Src);
          const both = this.OPTION({
            GATE: () => this.LA(2).tokenType === T.Dst,
            DEF: () => {
              const op = this.OR2([{ ALT: () => this.CONSUME(T.Or) }, { ALT: () => this.CONSUME(T.And) }]);
              this.CONSUME(T.Dst);
              return op.tokenType === T.Or ? ('src or dst' as const) : ('src and dst' as const);
            },
          });
          return both ?? 'src';
        },
      },
      { ALT: () => { this.CONSUME2(T.Dst); return 'dst' as const; } },
    ]),
  );

  id = this.RULE('id', (): IdSyntax =>
    this.OR([
      {
        ALT: () => {
          const lit = lex(this.CONSUME(T.Ip4Addr));
          return this.OR2([
            { ALT: () => { this.CONSUME(T.Slash); return { kind: 'ipv4' as const, lit, prefix: lex(this.CONSUME(T.NumberLiteral)) }; } },
            { ALT: () => { this.CONSUME(T.Mask); return { kind: 'ipv4' as const, lit, mask: lex(this.CONSUME2(T.Ip4Addr)) }; } },
            { ALT: () => ({ kind: 'ipv4' as const, lit }) },
          ]);
        },
      },
      {
        ALT: () => {
          const lit = lex(this.CONSUME(T.Ip6Addr));
          const prefix = this.OPTION(() => { this.CONSUME2(T.Slash); return lex(this.CONSUME2(T.NumberLiteral)); });
          return { kind: 'ipv6' as const, lit, prefix };
        },
      },
      { ALT: () => ({ kind: 'mac' as const, lit: lex(this.CONSUME(T.Mac)) }) },
      { ALT: () => ({ kind: 'number' as const, lit: lex(this.CONSUME3(T.NumberLiteral)) }) },
      { ALT: () => ({ kind: 'range' as const, lit: lex(this.CONSUME(T.PortRange)) }) },
      { ALT: () => ({ kind: 'name' as const, lit: lex(this.CONSUME(T.Name)) }) },
    ]),
  );

  relation = this.RULE('relation', (): FilterSyntax => {
    const left = this.SUBRULE(this.arith);
    const op = this.CONSUME(T.RelOp);
    const right = this.SUBRULE2(this.arith);
    return { kind: 'relation', op: op.image as RelOpText, left, right, at: lex(op) };
  });

  arith = this.RULE('arith', (): ArithSyntax => {
    const left = this.SUBRULE(this.orArith);
    const xor = this.OPTION(() => {
      const at = this.CONSUME(T.Caret);
      return { at: lex(at), right: this.SUBRULE(this.arith) };
    });
    return xor ? { kind: 'binary', op: '^', left, right: xor.right, at: xor.at } : left;
  });

  orArith = this.RULE('orArith', (): ArithSyntax => this.leftChain(() => this.SUBRULE(this.andArith), () => this.SUBRULE2(this.andArith), [T.Pipe]));
  andArith = this.RULE('andArith', (): ArithSyntax => this.leftChain(() => this.SUBRULE(this.shiftArith), () => this.SUBRULE2(this.shiftArith), [T.Amp]));
  shiftArith = this.RULE('shiftArith', (): ArithSyntax => this.leftChain(() => this.SUBRULE(this.addArith), () => this.SUBRULE2(this.addArith), [T.Shl, T.Shr]));
  addArith = this.RULE('addArith', (): ArithSyntax => this.leftChain(() => this.SUBRULE(this.mulArith), () => this.SUBRULE2(this.mulArith), [T.Plus, T.Minus]));
  mulArith = this.RULE('mulArith', (): ArithSyntax => this.leftChain(() => this.SUBRULE(this.unary), () => this.SUBRULE2(this.unary), [T.Star, T.Slash, T.Percent]));

  /** `first (op next)*`, folded to the left. */
  private leftChain(first: () => ArithSyntax, next: () => ArithSyntax, ops: readonly TokenType[]): ArithSyntax {
    let left = first();
    this.MANY(() => {
      const tok = this.OR(ops.map((tt) => ({ ALT: () => this.CONSUME(tt) })));
      const right = next();
      left = { kind: 'binary', op: tok.image as ArithOp, left, right, at: lex(tok) };
    });
    return left;
  }

  unary = this.RULE('unary', (): ArithSyntax =>
    this.OR([
      {
        ALT: () => {
          const at = this.CONSUME(T.Minus);
          return { kind: 'neg' as const, arg: this.SUBRULE(this.unary), at: lex(at) };
        },
      },
      { ALT: () => ({ kind: 'number' as const, lit: lex(this.CONSUME(T.NumberLiteral)) }) },
      { ALT: () => ({ kind: 'name' as const, lit: lex(this.CONSUME(T.Name)) }) },
      { ALT: () => ({ kind: 'len' as const, at: lex(this.CONSUME(T.Len)) }) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.arith);
          this.CONSUME(T.RParen);
          return { kind: 'group' as const, inner };
        },
      },
      {
        ALT: () => {
          const proto = lex(this.CONSUME(T.ProtoName));
          this.CONSUME(T.LBracket);
          const index = this.SUBRULE2(this.arith);
          const size = this.OPTION(() => { this.CONSUME(T.Colon); return lex(this.CONSUME2(T.NumberLiteral)); });
          this.CONSUME(T.RBracket);
          return { kind: 'load' as const, proto, index, size };
        },
      },
    ]),
  );
}

// Built once: chevrotain's grammar analysis is slow, and the instance holds no state
// between calls (input and errors are replaced by each parse).
const parser = new PcapFilterParser();

/** Builds the grammar with chevrotain's own checks on; throws what they find (for tests). */
export function checkPcapFilterGrammar(): void {
  new PcapFilterParser(true);
  T.checkFilterTokens();
}

/**
 * pcap-filter words this grammar leaves out, and why: they can never be valid here, so
 * they are reported as unsupported (CBPF_UNSUPPORTED) rather than as a syntax error.
 */
const UNSUPPORTED_WORDS: ReadonlyMap<string, string> = new Map([
  ...['inbound', 'outbound', 'ifindex'].map((w): [string, string] => [w, 'it reads Linux packet metadata (direction, interface), which ng_bpf programs cannot see']),
  ['protochain', 'libpcap compiles it into a backward jump, which FreeBSD refuses'],
  ...['gateway', 'mpls', 'pppoed', 'pppoes', 'geneve', 'vxlan', 'llc', 'decnet', 'atalk', 'aarp', 'ipx', 'netbeui', 'iso', 'esis', 'isis', 'clnp',
    'stp', 'lat', 'mopdl', 'moprc', 'sca', 'carp', 'igrp', 'ifname', 'on', 'rnr', 'rulenum', 'reason', 'rset', 'srnr', 'subrule', 'action',
    'wlan', 'type', 'subtype', 'dir', 'ra', 'ta', 'addr1', 'addr2', 'addr3', 'addr4', 'fddi', 'tr', 'atm', 'lane', 'oamf4', 'metac', 'sc',
    'ilmic', 'vpi', 'vci', 'connectmsg', 'metaconnect', 'radio', 'ip6protochain', 'icmp6type', 'icmp6code', 'hopopt']
    .map((w): [string, string] => [w, 'the compiler takes the Ethernet, VLAN, ARP, IPv4/IPv6, TCP/UDP/SCTP/ICMP subset of pcap-filter']),
]);

/**
 * Parses a filter expression; fails with CBPF_FILTER_SYNTAX naming the column, or
 * CBPF_UNSUPPORTED for a pcap-filter keyword outside this grammar.
 */
export function parsePcapFilter(text: string): FilterSyntax {
  const tokens = T.lexFilter(text);
  const other = tokens.find((t) => t.tokenType === T.Other);
  if (other) fail('CBPF_FILTER_SYNTAX', `column ${other.startOffset + 1}: unexpected character '${other.image}'`);
  for (const t of tokens) {
    const why = t.tokenType === T.Name ? UNSUPPORTED_WORDS.get(t.image) : undefined;
    if (why) fail('CBPF_UNSUPPORTED', `column ${t.startOffset + 1}: '${t.image}' is not supported: ${why}`);
  }
  parser.input = tokens;
  const result = parser.filter();
  const err = parser.errors[0];
  parser.input = [];
  if (err) {
    const column = err.token.tokenType === EOF ? text.length + 1 : err.token.startOffset + 1;
    fail('CBPF_FILTER_SYNTAX', `column ${column}: ${err.message}`);
  }
  return result;
}
