/**
 * Tokens of the pcap-filter(7) expression language (what tcpdump takes), for the subset
 * grammars/pcap-filter.ts parses. The lexer never fails: a character it does not know
 * becomes an `Other` token, which no rule accepts, so the parser reports its column.
 *
 * Literals follow libpcap's scanner where it matters for meaning:
 * - numbers are decimal, 0x hex, or octal with a leading 0 (`port 010` is port 8);
 * - a MAC is six groups of one or two hex digits separated by `:`; an IPv6 address has
 *   at least two colons; a dotted IPv4 address may be partial (`net 10.1`);
 * - `1024-1030` is one token (a port range), and names may contain `-` (`tcp-syn`),
 *   so `len-1` is one unknown name exactly as in libpcap: write `len - 1`.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });

// Literals, most specific first: chevrotain takes the first pattern that matches.
export const Mac = createToken({ name: 'Mac', pattern: /[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}(?![0-9A-Za-z:.])/, label: 'a MAC address' });
export const Ip6Addr = createToken({
  name: 'Ip6Addr',
  pattern: /(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]+(?:\d+\.\d+\.\d+\.\d+)?/,
  label: 'an IPv6 address',
});
export const Ip4Addr = createToken({ name: 'Ip4Addr', pattern: /\d+(?:\.\d+){1,3}(?![0-9A-Za-z.])/, label: 'an IPv4 address' });
export const PortRange = createToken({ name: 'PortRange', pattern: /\d+-\d+(?![0-9A-Za-z])/, label: 'a port range' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /0[xX][0-9A-Fa-f]+|\d+(?![A-Za-z_])/, label: 'a number' });
export const Name = createToken({ name: 'Name', pattern: /[A-Za-z_][-A-Za-z0-9_.]*|\d[-A-Za-z0-9_.]*/, label: 'a name' });

function keyword(word: string): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: new RegExp(word), longer_alt: Name, label: `'${word}'` });
}

// Longer words before their prefixes (ip6 before ip, portrange before port).
export const And = createToken({ name: 'And', pattern: /and|&&/, longer_alt: Name, label: "'and'" });
export const Or = createToken({ name: 'Or', pattern: /or|\|\|/, longer_alt: Name, label: "'or'" });
export const Not = createToken({ name: 'Not', pattern: /not|!(?!=)/, longer_alt: Name, label: "'not'" });
export const Portrange = keyword('portrange');
export const Port = keyword('port');
export const Host = keyword('host');
export const Net = keyword('net');
export const Mask = keyword('mask');
export const Proto = keyword('proto');
export const Src = keyword('src');
export const Dst = keyword('dst');
export const Vlan = keyword('vlan');
export const Len = keyword('len');
export const Greater = keyword('greater');
export const Less = keyword('less');
export const Broadcast = keyword('broadcast');
export const Multicast = keyword('multicast');
/** Every protocol name, as one category: the parser reads the word from the image. */
export const ProtoName = createToken({ name: 'ProtoName', pattern: Lexer.NA, label: 'a protocol name' });
const PROTO_WORDS = ['ether', 'link', 'icmp6', 'icmp', 'igmp', 'ip6', 'ip', 'arp', 'rarp', 'tcp', 'udp', 'sctp', 'ah', 'esp', 'pim', 'vrrp'];
export const PROTO_TOKENS: readonly TokenType[] = PROTO_WORDS.map((w) =>
  createToken({ name: `Proto_${w}`, pattern: new RegExp(w), longer_alt: Name, categories: ProtoName, label: `'${w}'` }));

export const LParen = createToken({ name: 'LParen', pattern: '(', label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: ')', label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'" });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'" });
export const Slash = createToken({ name: 'Slash', pattern: '/', label: "'/'" });

/** Comparison operators, one category; the image tells them apart. */
export const RelOp = createToken({ name: 'RelOp', pattern: Lexer.NA, label: 'a comparison' });
const REL_TOKENS: readonly TokenType[] = [
  createToken({ name: 'NotEq', pattern: '!=', categories: RelOp, label: "'!='" }),
  createToken({ name: 'EqEq', pattern: '==', categories: RelOp, label: "'=='" }),
  createToken({ name: 'LessEq', pattern: '<=', categories: RelOp, label: "'<='" }),
  createToken({ name: 'GreaterEq', pattern: '>=', categories: RelOp, label: "'>='" }),
];
export const Shl = createToken({ name: 'Shl', pattern: '<<', label: "'<<'" });
export const Shr = createToken({ name: 'Shr', pattern: '>>', label: "'>>'" });
const REL_TOKENS_SHORT: readonly TokenType[] = [
  createToken({ name: 'Eq', pattern: '=', categories: RelOp, label: "'='" }),
  createToken({ name: 'Lt', pattern: '<', categories: RelOp, label: "'<'" }),
  createToken({ name: 'Gt', pattern: '>', categories: RelOp, label: "'>'" }),
];
export const Plus = createToken({ name: 'Plus', pattern: '+', label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: '-', label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: '*', label: "'*'" });
export const SlashDiv = Slash;
export const Percent = createToken({ name: 'Percent', pattern: '%', label: "'%'" });
export const Amp = createToken({ name: 'Amp', pattern: '&', label: "'&'" });
export const Pipe = createToken({ name: 'Pipe', pattern: '|', label: "'|'" });
export const Caret = createToken({ name: 'Caret', pattern: '^', label: "'^'" });
export const Other = createToken({ name: 'Other', pattern: /[^]/ });

export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  Mac, Ip6Addr, Ip4Addr, PortRange, NumberLiteral,
  // && and || before & and |; != before !
  And, Or, ...REL_TOKENS, Not,
  Portrange, Port, Host, Net, Mask, Proto, Src, Dst, Vlan, Len, Greater, Less, Broadcast, Multicast,
  ProtoName, ...PROTO_TOKENS,
  Name,
  LParen, RParen, LBracket, RBracket, Colon, Slash, Shl, Shr, RelOp, ...REL_TOKENS_SHORT,
  Plus, Minus, Star, Percent, Amp, Pipe, Caret, Other,
];

// Stateless once built (tokenize keeps nothing between calls), so one instance is shared.
// Its token checks run in a test (checkFilterTokens), not at every start; safeMode skips
// the first-character index, which costs more to build than it saves on filters of a
// few dozen characters (building the lexer: ~17 -> ~11 ms).
const lexer = new Lexer(ALL_TOKENS as TokenType[], { ensureOptimizations: false, positionTracking: 'onlyOffset', skipValidations: true, safeMode: true });

/** The lexer built with chevrotain's checks of the token definitions; throws what they find. */
export function checkFilterTokens(): void {
  new Lexer(ALL_TOKENS as TokenType[], { ensureOptimizations: false, positionTracking: 'onlyOffset' });
}

export function lexFilter(text: string): IToken[] {
  return lexer.tokenize(text).tokens;
}
