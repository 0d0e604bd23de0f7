/**
 * Tokens of pf.conf as pfctl reads it (pf.md §1.1): `#` comments to the end of the line,
 * backslash-newline continues a line, `"strings"` (no escapes, no macro expansion
 * inside), `$macro` references, and words made of letters, digits and `_ . : / - *`
 * (addresses, prefixes, port ranges, interface names, flag sets). Keywords are words
 * with a token of their own; a longer word (`inet6` after `in`, `no-route` after `no`)
 * stays a word. The lexer never fails: an unknown character becomes `Other`, which no
 * rule accepts, so the parser reports it with its position.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
export const Continuation = createToken({ name: 'Continuation', pattern: /\\\r?\n/, line_breaks: true, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n\r]*/, group: Lexer.SKIPPED });
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n|\r/, line_breaks: true, label: 'end of line' });
export const StringLit = createToken({ name: 'StringLit', pattern: /"[^"\n\r]*"/, label: 'a quoted string' });
export const MacroRef = createToken({ name: 'MacroRef', pattern: /\$[A-Za-z_][A-Za-z0-9_]*/, label: 'a $macro' });

export const Arrow = createToken({ name: 'Arrow', pattern: '->', label: "'->'" });
export const NotEq = createToken({ name: 'NotEq', pattern: '!=', label: "'!='" });
export const Not = createToken({ name: 'Not', pattern: '!', label: "'!'" });
export const InRange = createToken({ name: 'InRange', pattern: '><', label: "'><'" });
export const OutRange = createToken({ name: 'OutRange', pattern: '<>', label: "'<>'" });
export const LtEq = createToken({ name: 'LtEq', pattern: '<=', label: "'<='" });
export const GtEq = createToken({ name: 'GtEq', pattern: '>=', label: "'>='" });
export const Lt = createToken({ name: 'Lt', pattern: '<', label: "'<'" });
export const Gt = createToken({ name: 'Gt', pattern: '>', label: "'>'" });
export const Equals = createToken({ name: 'Equals', pattern: '=', label: "'='" });
export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','" });

export const Word = createToken({ name: 'Word', pattern: /[A-Za-z0-9_.:/*][A-Za-z0-9_.:/*-]*/, label: 'a word' });

function keyword(image: string): TokenType {
  const name = `Kw_${image.replace(/-/g, '_')}`;
  return createToken({ name, pattern: image, longer_alt: Word, label: `'${image}'` });
}

export const Pass = keyword('pass');
export const Block = keyword('block');
export const Match = keyword('match');
export const Drop = keyword('drop');
export const Return = keyword('return');
export const In = keyword('in');
export const Out = keyword('out');
export const Log = keyword('log');
export const Quick = keyword('quick');
export const On = keyword('on');
export const Inet = keyword('inet');
export const Inet6 = keyword('inet6');
export const Proto = keyword('proto');
export const All = keyword('all');
export const From = keyword('from');
export const To = keyword('to');
export const Any = keyword('any');
export const Port = keyword('port');
export const Flags = keyword('flags');
export const IcmpType = keyword('icmp-type');
export const Icmp6Type = keyword('icmp6-type');
export const Code = keyword('code');
export const Tagged = keyword('tagged');
export const Tag = keyword('tag');
export const Keep = keyword('keep');
export const Modulate = keyword('modulate');
export const Synproxy = keyword('synproxy');
export const No = keyword('no');
export const State = keyword('state');
export const Label = keyword('label');
export const Dnpipe = keyword('dnpipe');
export const Dnqueue = keyword('dnqueue');
export const Fragment = keyword('fragment');
export const AllowOpts = keyword('allow-opts');
export const Rtable = keyword('rtable');
export const RouteTo = keyword('route-to');
export const ReplyTo = keyword('reply-to');
export const DupTo = keyword('dup-to');
export const NatTo = keyword('nat-to');
export const RdrTo = keyword('rdr-to');
export const BinatTo = keyword('binat-to');
export const RoundRobin = keyword('round-robin');
export const Random = keyword('random');
export const Bitmask = keyword('bitmask');
export const SourceHash = keyword('source-hash');
export const StaticPort = keyword('static-port');
export const StickyAddress = keyword('sticky-address');
export const Table = keyword('table');
export const Persist = keyword('persist');
export const Const = keyword('const');
export const Counters = keyword('counters');
export const File = keyword('file');
export const Set = keyword('set');
export const Skip = keyword('skip');
export const Timeout = keyword('timeout');
export const Limit = keyword('limit');
export const Anchor = keyword('anchor');
export const NatAnchor = keyword('nat-anchor');
export const RdrAnchor = keyword('rdr-anchor');
export const BinatAnchor = keyword('binat-anchor');
export const Nat = keyword('nat');
export const Rdr = keyword('rdr');
export const Binat = keyword('binat');

const KEYWORDS: readonly TokenType[] = [
  Pass, Block, Match, Drop, Return, In, Out, Log, Quick, On, Inet, Inet6, Proto, All, From, To, Any, Port,
  Flags, IcmpType, Icmp6Type, Code, Tagged, Tag, Keep, Modulate, Synproxy, No, State, Label, Dnpipe, Dnqueue,
  Fragment, AllowOpts, Rtable, RouteTo, ReplyTo, DupTo, NatTo, RdrTo, BinatTo, RoundRobin, Random, Bitmask,
  SourceHash, StaticPort, StickyAddress, Table, Persist, Const, Counters, File, Set, Skip, Timeout, Limit,
  Anchor, NatAnchor, RdrAnchor, BinatAnchor, Nat, Rdr, Binat,
];

/** Longest keyword first, so `inet6` is tried before `inet` and `in`, `tagged` before `tag`. */
const KEYWORDS_BY_LENGTH = [...KEYWORDS].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length);

export const Other = createToken({ name: 'Other', pattern: /[^\n\r]/ });

export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace, Continuation, Comment, Newline, StringLit, MacroRef,
  Arrow, NotEq, Not, InRange, OutRange, LtEq, GtEq, Lt, Gt, Equals, LCurly, RCurly, LParen, RParen, Comma,
  ...KEYWORDS_BY_LENGTH, Word, Other,
];

// Stateless once built (tokenize keeps nothing between calls), so one instance is shared.
export const pfLexer = new Lexer(ALL_TOKENS as TokenType[], { ensureOptimizations: false, positionTracking: 'full' });
