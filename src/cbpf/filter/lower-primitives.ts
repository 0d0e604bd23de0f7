/**
 * Primitives (host, net, port, protocol names, vlan, ...) to predicates, in libpcap's
 * order (gencode.c: gen_host, gen_hostop6, gen_port, gen_port6, gen_portrange,
 * gen_proto, gen_vlan): see lower.ts for why the order matters.
 */
import type { Direction, Primitive } from './ast.js';
import type { LinkState } from './lower.js';
import { ETHERTYPE, IP_PROTOCOLS, VLAN_TPIDS } from './names.js';
import { all, alu, and, any, constant, iphlen, LEN, load, not, or, test, TRUE, type Pred } from './pred.js';

const FULL = 0xffffffff;
/** The IPv6 Fragment header's next-header value. */
const IPPROTO_FRAGMENT = 44;

export function lowerPrimitive(p: Primitive, st: LinkState): { pred: Pred; st: LinkState } {
  if (p.kind === 'vlan') return vlan(p.id, st);
  return { pred: primitive(p, st), st };
}

function primitive(p: Exclude<Primitive, { kind: 'vlan' }>, st: LinkState): Pred {
  switch (p.kind) {
    case 'abbrev': return abbrev(p.proto, st);
    case 'ether-proto': return etherType(st, p.value);
    case 'ip-proto': return ipProto(st, p.family, p.value);
    case 'ether-host': return direction(p.dir, macIs(6, p.mac), macIs(0, p.mac));
    case 'ip-host': return ipHost(p, st);
    case 'ip6-host': {
      // gen_hostop6: the EtherType, then the words first to last.
      const words = (base: number): Pred => and(etherType(st, ETHERTYPE.ip6),
        all(...p.addr.map((a, i) => masked('w', st.nl + base + 4 * i, a, p.mask[i]))));
      return direction(p.dir, words(8), words(24));
    }
    case 'port': return port(p, st);
    case 'length':
      return p.which === 'greater' ? test('jge', LEN, constant(p.value)) : not(test('jgt', LEN, constant(p.value)));
    case 'ether-broadcast': return macIs(0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    case 'ether-multicast': return test('jset', load('b', 0), constant(1));
    case 'ip-broadcast': {
      // With no netmask known (as in tcpdump -d), only 0.0.0.0 and 255.255.255.255.
      const dst = load('w', st.nl + 16);
      return and(etherType(st, ETHERTYPE.ip), or(test('jeq', dst, constant(0)), test('jeq', dst, constant(FULL))));
    }
    case 'ip-multicast': return and(etherType(st, ETHERTYPE.ip), test('jge', load('b', st.nl + 16), constant(224)));
    case 'ip6-multicast': return and(etherType(st, ETHERTYPE.ip6), test('jeq', load('b', st.nl + 24), constant(0xff)));
    default: return unreachable(p);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled primitive ${JSON.stringify(x)}`);
}

/** The EtherType of the current layer (after any vlan tags seen so far) is `t`. */
export function etherType(st: LinkState, t: number): Pred {
  return test('jeq', load('h', st.nl - 2), constant(t));
}

/** `load & mask == value`; a full mask needs no `and`, an empty one is always true. */
function masked(size: 'w' | 'h' | 'b', offset: number, value: number, mask: number): Pred {
  if (mask === 0) return TRUE;
  const full = size === 'w' ? FULL : size === 'h' ? 0xffff : 0xff;
  const v = load(size, offset);
  return test('jeq', mask === full ? v : alu('and', v, constant(mask)), constant(value));
}

function direction(dir: Direction, src: Pred, dst: Pred): Pred {
  switch (dir) {
    case 'src': return src;
    case 'dst': return dst;
    case 'src or dst': return or(src, dst);
    case 'src and dst': return and(src, dst);
    default: return unreachable(dir);
  }
}

/** The 6-byte MAC at `offset`: the last four bytes first, then the first two (gen_bcmp). */
function macIs(offset: number, mac: readonly number[]): Pred {
  const low = (((mac[2] << 24) >>> 0) + (mac[3] << 16) + (mac[4] << 8) + mac[5]) >>> 0;
  return and(test('jeq', load('w', offset + 2), constant(low)), test('jeq', load('h', offset), constant((mac[0] << 8) | mac[1])));
}

/** IPv4 hosts: `any` is ip, then arp, then rarp; each direction checks the EtherType. */
function ipHost(p: Extract<Primitive, { kind: 'ip-host' }>, st: LinkState): Pred {
  const one = (type: number, srcOff: number, dstOff: number): Pred => direction(
    p.dir,
    and(etherType(st, type), masked('w', st.nl + srcOff, p.addr, p.mask)),
    and(etherType(st, type), masked('w', st.nl + dstOff, p.addr, p.mask)),
  );
  const ip = (): Pred => one(ETHERTYPE.ip, 12, 16);
  const arp = (type: number): Pred => one(type, 14, 24);
  switch (p.family) {
    case 'ip': return ip();
    case 'arp': return arp(ETHERTYPE.arp);
    case 'rarp': return arp(ETHERTYPE.rarp);
    case 'any': return any(ip(), arp(ETHERTYPE.arp), arp(ETHERTYPE.rarp));
    default: return unreachable(p.family);
  }
}

/** IPv4 `proto N`: the protocol byte. */
function ip4Proto(st: LinkState, n: number): Pred {
  return and(etherType(st, ETHERTYPE.ip), test('jeq', load('b', st.nl + 9), constant(n)));
}

/** IPv6 `proto N`: the next header, or the one after a Fragment header (gen_proto). */
function ip6Proto(st: LinkState, n: number): Pred {
  const nh = load('b', st.nl + 6);
  return and(etherType(st, ETHERTYPE.ip6), or(
    test('jeq', nh, constant(n)),
    and(test('jeq', nh, constant(IPPROTO_FRAGMENT)), test('jeq', load('b', st.nl + 40), constant(n))),
  ));
}

function ipProto(st: LinkState, family: 'ip' | 'ip6' | 'any', n: number): Pred {
  switch (family) {
    case 'ip': return ip4Proto(st, n);
    case 'ip6': return ip6Proto(st, n);
    case 'any': return or(ip4Proto(st, n), ip6Proto(st, n));
    default: return unreachable(family);
  }
}

/** A protocol name alone. */
export function abbrev(proto: Extract<Primitive, { kind: 'abbrev' }>['proto'], st: LinkState): Pred {
  switch (proto) {
    case 'ip': return etherType(st, ETHERTYPE.ip);
    case 'ip6': return etherType(st, ETHERTYPE.ip6);
    case 'arp': return etherType(st, ETHERTYPE.arp);
    case 'rarp': return etherType(st, ETHERTYPE.rarp);
    default: {
      const { value, family } = IP_PROTOCOLS[proto];
      return ipProto(st, family, value);
    }
  }
}

/** IPv4 packets whose fragment offset is 0 (the first or only fragment). */
export function firstFragment(st: LinkState): Pred {
  return not(test('jset', load('h', st.nl + 6), constant(0x1fff)));
}

/** A transport-header field of an IPv4 packet: past the header's own length. */
export function ip4Transport(st: LinkState, size: 'w' | 'h' | 'b', offset: number): ReturnType<typeof load> {
  return load(size, st.nl + offset, iphlen(st.nl));
}

const PORT_TRANSPORTS = [132, 6, 17] as const;

/**
 * gen_port6 then gen_port: IPv6 first (sctp, tcp, udp under one EtherType test, no
 * extension headers), then IPv4 (each transport with its own fragment check).
 */
function port(p: Extract<Primitive, { kind: 'port' }>, st: LinkState): Pred {
  const protos = p.transport === 'any' ? PORT_TRANSPORTS : [IP_PROTOCOLS[p.transport].value];
  const atom = (field: ReturnType<typeof load>): Pred => (p.range
    ? and(test('jge', field, constant(p.lo)), not(test('jgt', field, constant(p.hi))))
    : test('jeq', field, constant(p.lo)));
  const ports6 = direction(p.dir, atom(load('h', st.nl + 40)), atom(load('h', st.nl + 42)));
  const nh = load('b', st.nl + 6);
  const v6 = and(etherType(st, ETHERTYPE.ip6), any(...protos.map((n) => and(test('jeq', nh, constant(n)), ports6))));
  const ports4 = direction(p.dir, atom(ip4Transport(st, 'h', 0)), atom(ip4Transport(st, 'h', 2)));
  const proto4 = load('b', st.nl + 9);
  const v4 = and(etherType(st, ETHERTYPE.ip), any(...protos.map((n) => all(test('jeq', proto4, constant(n)), firstFragment(st), ports4))));
  return or(v6, v4);
}

/** gen_vlan: one of the TPIDs, then the VLAN ID; everything after looks 4 bytes on. */
function vlan(id: number | undefined, st: LinkState): { pred: Pred; st: LinkState } {
  const tpid = any(...VLAN_TPIDS.map((t) => etherType(st, t)));
  const vid = id === undefined ? TRUE : test('jeq', alu('and', load('h', st.nl), constant(0xfff)), constant(id));
  return { pred: and(tpid, vid), st: { nl: st.nl + 4 } };
}
