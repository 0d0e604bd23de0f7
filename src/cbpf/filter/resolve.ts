/**
 * The parsed expression to its meaning: qualifiers combined and checked, addresses and
 * numbers read, bare ids given the qualifiers of the primitive before them
 * (`tcp dst port 22 or 23` is `tcp dst port 22 or tcp dst port 23`, as in libpcap).
 * What libpcap refuses fails with CBPF_FILTER_INVALID (its wording where it has one);
 * valid pcap-filter this compiler does not take fails with CBPF_UNSUPPORTED.
 */
import { isIPv6 } from 'node:net';
import type { ArithSyntax, FilterSyntax, HeadSyntax, IdSyntax, Lexeme } from '../../../grammars/pcap-filter-ast.js';
import { fail } from '../../errors.js';
import type { Arith, ArithOp, Direction, Filter, LoadProto, Primitive, ProtoAbbrev, RelOp } from './ast.js';
import { ARITH_NAMES, PROTO_ABBREVS } from './names.js';

/** The qualifiers a bare id inherits; undefined after anything that is not `head id`. */
type Inherited = HeadSyntax | undefined;

export function resolveFilter(syntax: FilterSyntax): Filter {
  return resolve(syntax).filter;
}

function resolve(s: FilterSyntax, before?: Inherited): { filter: Filter; quals: Inherited } {
  switch (s.kind) {
    case 'empty': return { filter: { kind: 'true' }, quals: undefined };
    case 'and':
    case 'or': {
      const left = resolve(s.left, before);
      const right = resolve(s.right, left.quals);
      return { filter: { kind: s.kind, left: left.filter, right: right.filter }, quals: right.quals };
    }
    case 'not': {
      const arg = resolve(s.arg, before);
      return { filter: { kind: 'not', arg: arg.filter }, quals: arg.quals };
    }
    case 'group': return { filter: resolve(s.inner).filter, quals: undefined };
    case 'qualified': return { filter: prim(qualified(s.head, s.id)), quals: s.head };
    case 'bare': {
      if (!before) invalid(s.at, `'${s.at.text}' has no qualifiers to take: write host, net or port before it (libpcap takes them only from a primitive just before)`);
      return { filter: prim(qualified(before, s.id)), quals: before };
    }
    case 'pname': return { filter: prim(abbrev(s.proto)), quals: undefined };
    case 'proto-number': return { filter: prim(protoNumber(s.proto, s.value)), quals: undefined };
    case 'relation': return { filter: relation(s.op, arith(s.left), arith(s.right)), quals: undefined };
    case 'vlan': {
      const id = s.id ? number(s.id) : undefined;
      if (id !== undefined && id > 4095) invalid(s.id ?? s.at, `VLAN tag ${id} greater than maximum 4095`);
      return { filter: prim({ kind: 'vlan', id }), quals: undefined };
    }
    case 'length': return { filter: prim({ kind: 'length', which: s.which, value: number(s.value) }), quals: undefined };
    case 'cast': return { filter: prim(cast(s.proto, s.which, s.at)), quals: undefined };
    default: return unreachable(s);
  }
}

function prim(p: Primitive): Filter {
  return { kind: 'primitive', prim: p };
}

function unreachable(x: never): never {
  throw new Error(`unhandled filter syntax ${JSON.stringify(x)}`);
}

function invalid(at: Lexeme, message: string): never {
  return fail('CBPF_FILTER_INVALID', `column ${at.column}: ${message}`);
}

function unsupported(at: Lexeme, message: string): never {
  return fail('CBPF_UNSUPPORTED', `column ${at.column}: ${message}`);
}

/** A number as libpcap reads it: decimal, 0x hex, or octal with a leading 0; u32. */
export function number(lit: Lexeme): number {
  const t = lit.text;
  let v: number;
  if (/^0[xX][0-9A-Fa-f]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) v = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) v = parseInt(t, 10);
  else return invalid(lit, `'${t}' is not a number (octal numbers take the digits 0-7 only)`);
  if (v > 0xffffffff) invalid(lit, `${t} does not fit in 32 bits`);
  return v;
}

function protoWord(lit: Lexeme): string {
  return lit.text === 'link' ? 'ether' : lit.text;
}

function abbrev(lit: Lexeme): Primitive {
  const p = protoWord(lit);
  if (p === 'ether') invalid(lit, `'${lit.text}' alone is not a filter: name what to match (ether host, ether proto, ...)`);
  if (!(PROTO_ABBREVS as readonly string[]).includes(p)) unsupported(lit, `the protocol '${lit.text}' is not supported`);
  return { kind: 'abbrev', proto: p as ProtoAbbrev };
}

function protoNumber(proto: Lexeme | undefined, value: Lexeme): Primitive {
  const v = number(value);
  const p = proto ? protoWord(proto) : undefined;
  if (p === 'ether') {
    if (v > 0xffff) invalid(value, `EtherType ${v} does not fit in 16 bits`);
    if (v <= 1500) unsupported(value, `ether proto ${v}: values up to 1500 are 802.3 lengths, which libpcap matches through LLC headers; only EtherTypes above 1500 are supported`);
    return { kind: 'ether-proto', value: v };
  }
  if (p === undefined || p === 'ip' || p === 'ip6') return { kind: 'ip-proto', family: p ?? 'any', value: v };
  return invalid(proto ?? value, `'${p}' does not take 'proto': use ether, ip or ip6 proto`);
}

function cast(proto: Lexeme | undefined, which: 'broadcast' | 'multicast', at: Lexeme): Primitive {
  const p = proto ? protoWord(proto) : 'ether';
  if (p === 'ether') return { kind: which === 'broadcast' ? 'ether-broadcast' : 'ether-multicast' };
  if (p === 'ip') return { kind: which === 'broadcast' ? 'ip-broadcast' : 'ip-multicast' };
  if (p === 'ip6' && which === 'multicast') return { kind: 'ip6-multicast' };
  return invalid(proto ?? at, `'${proto?.text ?? ''} ${which}' is not a filter: ${which} takes ether, ip${which === 'multicast' ? ' or ip6' : ''}`);
}

/** `proto? dir? type? id`: a host, net, port or port range. */
function qualified(head: HeadSyntax, id: IdSyntax): Primitive {
  const proto = head.proto ? protoWord(head.proto) : undefined;
  const dir: Direction = head.dir ?? 'src or dst';
  const type = head.type?.text;
  const protoAt = head.proto ?? id.lit;
  if (id.kind === 'name') {
    const what = type === 'port' || type === 'portrange' ? 'service names are not looked up' : 'host and network names are not resolved';
    return unsupported(id.lit, `'${id.lit.text}': ${what}; give a number or an address`);
  }
  if (type === 'port' || type === 'portrange') {
    if (proto !== undefined && proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') invalid(protoAt, `illegal qualifier of '${type}'`);
    const transport = (proto ?? 'any') as 'tcp' | 'udp' | 'sctp' | 'any';
    if (type === 'port') {
      if (id.kind !== 'number') invalid(id.lit, `'${id.lit.text}' is not a port number`);
      const n = port(id.lit, number(id.lit));
      return { kind: 'port', transport, dir, lo: n, hi: n, range: false };
    }
    if (id.kind === 'number') {
      const n = port(id.lit, number(id.lit));
      return { kind: 'port', transport, dir, lo: n, hi: n, range: true };
    }
    if (id.kind !== 'range') invalid(id.lit, `'${id.lit.text}' is not a port range (A-B)`);
    const [a, b] = id.lit.text.split('-').map((t) => port(id.lit, number({ text: t, column: id.lit.column })));
    return { kind: 'port', transport, dir, lo: Math.min(a, b), hi: Math.max(a, b), range: true };
  }
  if (type !== undefined && type !== 'host' && type !== 'net') invalid(head.type ?? id.lit, `unknown qualifier '${type}'`);
  if (proto !== undefined && ['tcp', 'udp', 'sctp'].includes(proto)) invalid(protoAt, `'${proto}' modifier applied to ${type ?? 'host'}`);
  switch (id.kind) {
    case 'mac': {
      if (proto !== 'ether') invalid(id.lit, 'ethernet address used in non-ether expression');
      if (type === 'net') invalid(id.lit, "'net' takes an IP network, not an ethernet address");
      return { kind: 'ether-host', dir, mac: id.lit.text.split(':').map((h) => parseInt(h, 16)) };
    }
    case 'ipv6': {
      if (proto !== undefined && proto !== 'ip6') invalid(protoAt, `'${proto}' modifier applied to ip6 ${type ?? 'host'}`);
      return ip6Host(id, type, dir);
    }
    case 'ipv4':
    case 'number': {
      if (proto === 'ether') invalid(protoAt, `'ether' modifier applied to ip ${type ?? 'host'}: give a MAC address`);
      if (proto === 'ip6') invalid(protoAt, `'ip6' modifier applied to ip ${type ?? 'host'}`);
      if (proto !== undefined && proto !== 'ip' && proto !== 'arp' && proto !== 'rarp') invalid(protoAt, `'${proto}' modifier applied to ${type ?? 'host'}`);
      const family = (proto ?? 'any') as 'ip' | 'arp' | 'rarp' | 'any';
      const { addr, mask } = id.kind === 'number' ? numericHost(id.lit, type === 'net') : ip4Net(id, type);
      return { kind: 'ip-host', family, dir, addr, mask };
    }
    case 'range': return invalid(id.lit, `'${id.lit.text}' is a port range: write portrange before it`);
    default: return unreachable(id);
  }
}

function port(lit: Lexeme, n: number): number {
  if (n > 65535) invalid(lit, `illegal port number ${n} > 65535`);
  return n;
}

/** `host 10` is 0.0.0.10; `net 10` is 10.0.0.0/8 (libpcap promotes a short net number). */
function numericHost(lit: Lexeme, isNet: boolean): { addr: number; mask: number } {
  let addr = number(lit);
  let mask = 0xffffffff;
  if (isNet) {
    while (addr !== 0 && (addr & 0xff000000) === 0) {
      addr = (addr << 8) >>> 0;
      mask = (mask << 8) >>> 0;
    }
  }
  return { addr, mask };
}

/** Dotted IPv4, maybe partial (`10.1` is 10.1.0.0 with a /16 mask), with /len or mask. */
function ip4Net(id: Extract<IdSyntax, { kind: 'ipv4' }>, type: string | undefined): { addr: number; mask: number } {
  const octets = id.lit.text.split('.').map(Number);
  if (octets.some((o) => o > 255)) invalid(id.lit, `'${id.lit.text}' is not an IPv4 address`);
  let addr = 0;
  for (let i = 0; i < 4; i++) addr = addr * 256 + (octets[i] ?? 0);
  let mask = prefixMask(octets.length * 8);
  if (id.prefix || id.mask) {
    if (type === 'host') invalid(id.lit, 'mask syntax for networks only');
    if (id.prefix) {
      const len = number(id.prefix);
      if (len > 32) invalid(id.prefix, `mask length must be <= 32`);
      mask = prefixMask(len);
    } else if (id.mask) {
      const m = id.mask.text.split('.').map(Number);
      if (m.length !== 4 || m.some((o) => o > 255)) invalid(id.mask, `'${id.mask.text}' is not a netmask`);
      mask = (((m[0] * 256 + m[1]) * 256 + m[2]) * 256 + m[3]) >>> 0;
    }
    if ((addr & ~mask) >>> 0 !== 0) {
      invalid(id.lit, `non-network bits set in "${id.lit.text}${id.prefix ? `/${id.prefix.text}` : ` mask ${id.mask?.text}`}"`);
    }
  }
  return { addr: addr >>> 0, mask };
}

function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function ip6Host(id: Extract<IdSyntax, { kind: 'ipv6' }>, type: string | undefined, dir: Direction): Primitive {
  if (!isIPv6(id.lit.text)) invalid(id.lit, `'${id.lit.text}' is not an IPv6 address`);
  const words = ip6Words(id.lit.text);
  let len = 128;
  if (id.prefix) {
    if (type === 'host') invalid(id.lit, 'mask syntax for networks only');
    len = number(id.prefix);
    if (len > 128) invalid(id.prefix, 'mask length must be <= 128');
  }
  const mask = [0, 1, 2, 3].map((i) => prefixMask(Math.max(0, Math.min(32, len - 32 * i))));
  if (words.some((w, i) => (w & ~mask[i]) >>> 0 !== 0)) invalid(id.lit, `non-network bits set in "${id.lit.text}/${len}"`);
  return { kind: 'ip6-host', dir, addr: words, mask };
}

/** An IPv6 address (valid per node:net) as four big-endian u32 words. */
function ip6Words(text: string): number[] {
  let t = text;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(t);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    t = `${t.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = t.includes('::') ? t.split('::') : [t, undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const tl = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - tl.length).fill(0), ...tl];
  return [0, 1, 2, 3].map((i) => ((all[2 * i] << 16) | all[2 * i + 1]) >>> 0);
}

const REL_OPS: Readonly<Record<string, RelOp>> = { '==': 'eq', '=': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

function relation(op: string, left: Arith, right: Arith): Filter {
  return { kind: 'relation', op: REL_OPS[op], left, right };
}

const ARITH_OPS: Readonly<Record<string, ArithOp>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '&': 'and', '|': 'or', '^': 'xor', '<<': 'lsh', '>>': 'rsh',
};

const LOAD_PROTOS: readonly LoadProto[] = ['ether', 'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'igmp', 'sctp'];

function arith(s: ArithSyntax): Arith {
  switch (s.kind) {
    case 'number': return { kind: 'num', value: number(s.lit) };
    case 'name': {
      const v = ARITH_NAMES[s.lit.text];
      if (v === undefined) return unsupported(s.lit, `unknown name '${s.lit.text}' (names are the tcpdump constants such as tcpflags, tcp-syn, icmptype, icmp-echo; write 'len - 1', not 'len-1')`);
      return { kind: 'num', value: v };
    }
    case 'len': return { kind: 'len' };
    case 'group': return arith(s.inner);
    case 'neg': return { kind: 'neg', arg: arith(s.arg) };
    case 'load': {
      const p = protoWord(s.proto);
      if (!(LOAD_PROTOS as readonly string[]).includes(p)) unsupported(s.proto, `loads from '${s.proto.text}[...]' are not supported (only ${LOAD_PROTOS.join(', ')})`);
      const size = s.size ? number(s.size) : 1;
      if (size !== 1 && size !== 2 && size !== 4) invalid(s.size ?? s.proto, 'data size must be 1, 2, or 4');
      return { kind: 'load', proto: p as LoadProto, index: arith(s.index), size };
    }
    case 'binary': {
      if (s.op === '^' && (s.left.kind === 'binary' || s.left.kind === 'neg')) {
        unsupported(s.at, "'^' next to another operator: libpcap's grammar gives '^' no precedence (a | b ^ c is a | (b ^ c)); add parentheses");
      }
      return { kind: 'binary', op: ARITH_OPS[s.op], left: arith(s.left), right: arith(s.right) };
    }
    default: return unreachable(s);
  }
}
