/**
 * Relations (`ip[8] < 5`, `tcp[tcpflags] & tcp-syn != 0`) to predicates. A load from a
 * protocol comes with the tests that the packet is of that protocol (libpcap's
 * gen_load): they are and-ed in front of the comparison, left operand's first, and a
 * negated comparison (`!=`, `<`, `<=`) negates only the comparison, never them.
 *
 * One libpcap quirk is kept on purpose, because tcpdump's verdicts are the reference:
 * in `a op b` (gen_arth in libpcap 1.10) only a's checks survive, b's are dropped, so
 * `1 + tcp[1] == 3` reads byte 1 past the IPv4 header of any frame, TCP or not, while
 * `tcp[1] + 1 == 3` first checks for an unfragmented TCP packet. Put the protocol load
 * first (or test the protocol explicitly) to get the checks.
 */
import { fail } from '../../errors.js';
import type { Arith, ArithOp, LoadProto, RelOp } from './ast.js';
import type { LinkState } from './lower.js';
import { abbrev, etherType, firstFragment } from './lower-primitives.js';
import { ETHERTYPE } from './names.js';
import { alu, and, constant, iphlen, LEN, load, neg, not, test, TRUE, type Pred, type Value } from './pred.js';

interface Lowered {
  readonly value: Value;
  /** What must hold before the value may be computed. */
  readonly checks: Pred;
}

const SIZE = { 1: 'b', 2: 'h', 4: 'w' } as const;
const TRANSPORT: ReadonlySet<LoadProto> = new Set(['tcp', 'udp', 'icmp', 'igmp', 'sctp']);

export function lowerRelation(op: RelOp, left: Arith, right: Arith, st: LinkState): Pred {
  const l = arith(left, st);
  const r = arith(right, st);
  return and(and(l.checks, r.checks), compare(op, l.value, r.value));
}

/** Constants go on the right (a jump compares A with k or X). */
function compare(op: RelOp, a: Value, b: Value): Pred {
  if (a.kind === 'const' && b.kind !== 'const') {
    const mirrored: Record<RelOp, RelOp> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };
    return compare(mirrored[op], b, a);
  }
  switch (op) {
    case 'eq': return test('jeq', a, b);
    case 'ne': return not(test('jeq', a, b));
    case 'gt': return test('jgt', a, b);
    case 'ge': return test('jge', a, b);
    case 'lt': return not(test('jge', a, b));
    case 'le': return not(test('jgt', a, b));
    default: return unreachable(op);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}

function arith(a: Arith, st: LinkState): Lowered {
  switch (a.kind) {
    case 'num': return { value: constant(a.value), checks: TRUE };
    case 'len': return { value: LEN, checks: TRUE };
    case 'neg': {
      const arg = arith(a.arg, st);
      return { value: neg(arg.value), checks: arg.checks };
    }
    case 'binary': return binary(a.op, arith(a.left, st), arith(a.right, st));
    case 'load': return loadFrom(a.proto, arith(a.index, st), SIZE[a.size], st);
    default: return unreachable(a);
  }
}

function binary(op: ArithOp, l: Lowered, r: Lowered): Lowered {
  if ((op === 'div' || op === 'mod') && r.value.kind === 'const' && r.value.k === 0) {
    fail('CBPF_FILTER_INVALID', op === 'div' ? 'division by zero' : 'modulus by zero');
  }
  if (op === 'lsh' || op === 'rsh') {
    if (r.value.kind !== 'const') {
      fail('CBPF_UNSUPPORTED', 'a shift by a packet value: FreeBSD and libpcap disagree on counts of 32 or more; shift by a constant');
    }
    if (r.value.k > 31) fail('CBPF_FILTER_INVALID', 'shift by more than 31 bits');
  }
  // libpcap's gen_arth keeps the left operand's checks only (see the top of this file).
  return { value: alu(op, l.value, r.value), checks: l.checks };
}

/** gen_load: `proto[index:size]` and the checks that the packet is of that protocol. */
function loadFrom(proto: LoadProto, index: Lowered, size: 'b' | 'h' | 'w', st: LinkState): Lowered {
  if (proto === 'ether') return { value: load(size, 0, index.value), checks: index.checks };
  if (!TRANSPORT.has(proto)) {
    const layer = proto === 'ip' || proto === 'ip6' || proto === 'arp' || proto === 'rarp' ? abbrev(proto, st) : TRUE;
    return { value: load(size, st.nl, index.value), checks: and(index.checks, layer) };
  }
  // Past the IPv4 header: X holds its length. A variable index is added to it.
  const value = index.value.kind === 'const'
    ? load(size, st.nl + index.value.k, iphlen(st.nl))
    : load(size, st.nl, alu('add', index.value, iphlen(st.nl)));
  const transport = abbrev(proto as 'tcp' | 'udp' | 'icmp' | 'igmp' | 'sctp', st);
  return { value, checks: and(etherType(st, ETHERTYPE.ip), and(index.checks, and(transport, firstFragment(st)))) };
}
