import { formatAddress, type IpAddress } from '../../src/ir/cidr.js';
import { parseFrame, type IpPacketView } from '../../src/ir/eval-packet.js';
import type { IrDecided, IrSide, TranslationUse } from './ir-side.js';
import { describeDestination, type PacketDestination } from './packet-destination.js';
import type { VmOutcome } from './vm-side.js';

/**
 * One packet the IR decides with exact rules: does the interpreter agree on
 * - the verdict: pass (TC_ACT_OK, TC_ACT_REDIRECT) or block (TC_ACT_SHOT);
 * - the destination: route-to an interface <-> redirect out of its ifindex; no route
 *   <-> on into the stack, or a redirect into an interface's ingress when the packet is
 *   (after translation) addressed to that interface, which the stack then delivers;
 * - the rewrite: every translated field as pf may write it (nat: an address of the pool
 *   and a port of the rule's range, since pf chooses; an ICMP echo id as pf's nat may
 *   change it; rdr and binat: exactly), and every other byte as the IR leaves it, except
 *   the checksums (each side keeps its own correct) and the Ethernet addresses (the
 *   route's business, ARP on FreeBSD, not a rule's).
 * Returns the differences, empty when they agree.
 */
export interface Difference {
  readonly aspect: 'verdict' | 'destination' | 'address' | 'port' | 'bytes' | 'frame';
  readonly text: string;
  /** address and port: the translation pf would have made, and what the interpreter wrote. */
  readonly use?: TranslationUse;
  readonly interpreter?: string | number;
}

export function compareOutcomes(vm: VmOutcome, ir: IrDecided, side: IrSide): Difference[] {
  const v = vm.destination;
  if (v.kind === 'other') return [{ aspect: 'verdict', text: `interpreter ${v.detail}, which no pf rule can mean` }];
  const vmAction = v.kind === 'drop' ? 'block' : 'pass';
  if (vmAction !== ir.action) {
    return [{ aspect: 'verdict', text: `verdict: interpreter ${vmAction} (${describeDestination(v)}), IR ${ir.action}${ir.dropReason ? ` (${ir.dropReason})` : ''}` }];
  }
  if (ir.action === 'block') return [];
  const diffs: Difference[] = [];
  const dest = destinationDifference(v, ir, side);
  if (dest) diffs.push({ aspect: 'destination', text: dest });
  diffs.push(...rewriteDifferences(vm.packet, ir, side));
  return diffs;
}

function destinationDifference(v: PacketDestination, ir: IrDecided, side: IrSide): string | null {
  const i = ir.destination;
  if (v.kind === i.kind && (v.kind === 'drop' || v.kind === 'stack' || (i.kind !== 'drop' && i.kind !== 'stack' && v.ifindex === i.ifindex))) return null;
  if (v.kind === 'in' && i.kind === 'stack') {
    const parsed = parseFrame(ir.bytes);
    const dst = parsed.kind === 'ip' ? parsed.view.dst : undefined;
    const local = side.addressesOf(v.ifindex);
    if (dst && local.some((a) => a.family === dst.family && a.value === dst.value)) return null;
    return `destination: interpreter ${describeDestination(v)}, IR on into the stack to ${dst ? formatAddress(dst) : '?'}, not an address of ${side.interfaceOf(v.ifindex) ?? `ifindex ${v.ifindex}`} (${local.map(formatAddress).join(', ') || 'none known'})`;
  }
  return `destination: interpreter ${describeDestination(v)}, IR ${describeDestination(i)}`;
}

function rewriteDifferences(vmPacket: Uint8Array, ir: IrDecided, side: IrSide): Difference[] {
  const vmParsed = parseFrame(vmPacket);
  const irParsed = parseFrame(ir.bytes);
  if (irParsed.kind !== 'ip') return [{ aspect: 'frame', text: `the IR's output frame does not parse as IP (${irParsed.kind})` }];
  if (vmParsed.kind !== 'ip') return [{ aspect: 'frame', text: `the interpreter's output frame is not an IP packet pf would see (${vmParsed.kind}), the IR's is` }];
  if (vmPacket.length !== ir.bytes.length) return [{ aspect: 'frame', text: `length: interpreter ${vmPacket.length} bytes, IR ${ir.bytes.length}` }];
  const expected = ir.bytes.slice();
  const diffs: Difference[] = [];
  for (const use of ir.translations) diffs.push(...translatedFields(use, vmPacket, vmParsed.view, expected, irParsed.view, side));
  const view = irParsed.view;
  const masked = maskedOffsets(view, ir.bytes);
  const bad: number[] = [];
  for (let o = 0; o < expected.length; o++) if (!masked.has(o) && expected[o] !== vmPacket[o]) bad.push(o);
  if (bad.length) {
    const fields = [...new Set(bad.map((o) => fieldAt(view, o)))];
    const shown = bad.slice(0, 8).map((o) => `@${o} interpreter ${hex2(vmPacket[o])} IR ${hex2(expected[o])}`);
    diffs.push({ aspect: 'bytes', text: `bytes: ${fields.join(', ')} differ (${shown.join('; ')}${bad.length > 8 ? '; ...' : ''})` });
  }
  return diffs;
}

/**
 * The fields a translation wrote: where pf chooses (a nat pool address, a nat port, an
 * ICMP echo id) the interpreter's value is accepted when pf could have chosen it, and
 * named otherwise; either way it is copied into `expected`, so the byte comparison after
 * this reports every other field once.
 */
function translatedFields(use: TranslationUse, vmPacket: Uint8Array, vmView: IpPacketView, expected: Uint8Array, irView: IpPacketView, side: IrSide): Difference[] {
  const diffs: Difference[] = [];
  const { applied, spec } = use;
  const source = applied.field === 'source';
  const vmAddress: IpAddress = source ? vmView.src : vmView.dst;
  const at = irView.l3Offset + (irView.family === 'ipv4' ? (source ? 12 : 16) : source ? 8 : 24);
  const width = irView.family === 'ipv4' ? 4 : 16;
  if (!side.poolAllows(use, vmAddress)) {
    const pool = spec.kind === 'binat' ? '' : ` (pool ${poolText(use)})`;
    diffs.push({ aspect: 'address', use, interpreter: formatAddress(vmAddress), text: `${spec.kind} ${applied.field} address (rule ${use.rule.id}): interpreter ${formatAddress(vmAddress)}, IR ${applied.to.address}${pool}` });
  }
  expected.set(vmPacket.subarray(at, at + width), at);
  if (vmView.ports && !irView.fragment && applied.to.port !== undefined) {
    const port = source ? vmView.ports.src : vmView.ports.dst;
    const po = irView.l4Offset + (source ? 0 : 2);
    const range = applied.portRange ?? { from: applied.to.port, to: applied.to.port };
    if (port < range.from || port > range.to) {
      const want = range.from === range.to ? `${range.from}` : `${range.from}:${range.to}`;
      diffs.push({ aspect: 'port', use, interpreter: port, text: `${spec.kind} ${applied.field} port (rule ${use.rule.id}): interpreter ${port}, IR ${want}` });
    }
    expected.set(vmPacket.subarray(po, po + 2), po);
  }
  // pf's nat of an ICMP query may pick another id (pf_get_sport over 1..65535).
  const query = irView.icmp && [0, 8, 13, 14].includes(irView.icmp.type);
  if (spec.kind === 'nat' && irView.proto === 1 && query && !irView.fragment) expected.set(vmPacket.subarray(irView.l4Offset + 4, irView.l4Offset + 6), irView.l4Offset + 4);
  return diffs;
}

function poolText(use: TranslationUse): string {
  const to = use.spec.to;
  switch (to.kind) {
    case 'any':
      return 'any';
    case 'cidr':
      return to.cidr;
    case 'familyValue':
      return `the instance's ${to.field}`;
    case 'set':
      return `<${to.set}>`;
    case 'interface':
      return `(${to.interface})`;
    default: {
      const never: never = to;
      return never;
    }
  }
}

/** Ethernet addresses and checksums: bytes the comparison leaves out. */
function maskedOffsets(view: IpPacketView, bytes: Uint8Array): Set<number> {
  const out = new Set<number>();
  for (let o = 0; o < 12; o++) out.add(o);
  const l3 = view.l3Offset;
  if (view.family === 'ipv4') {
    out.add(l3 + 10).add(l3 + 11);
    const laterFragment = (((bytes[l3 + 6] << 8) | bytes[l3 + 7]) & 0x1fff) !== 0;
    if (laterFragment) return out;
  }
  const l4 = view.l4Offset;
  const sum = view.proto === 6 ? 16 : view.proto === 17 ? 6 : view.proto === 1 || view.proto === 58 ? 2 : -1;
  if (sum >= 0 && l4 + sum + 2 <= bytes.length) out.add(l4 + sum).add(l4 + sum + 1);
  return out;
}

const TCP_FIELDS: readonly [number, string][] = [[0, 'sport'], [2, 'dport'], [4, 'seq'], [8, 'ack'], [12, 'offset'], [13, 'flags'], [14, 'window'], [16, 'checksum'], [18, 'urgent'], [20, 'options/payload']];
const UDP_FIELDS: readonly [number, string][] = [[0, 'sport'], [2, 'dport'], [4, 'length'], [6, 'checksum'], [8, 'payload']];
const ICMP_FIELDS: readonly [number, string][] = [[0, 'type'], [1, 'code'], [2, 'checksum'], [4, 'id'], [6, 'seq'], [8, 'payload']];
const IPV4_FIELDS: readonly [number, string][] = [[0, 'version/ihl'], [1, 'tos'], [2, 'length'], [4, 'id'], [6, 'frag'], [8, 'ttl'], [9, 'proto'], [10, 'checksum'], [12, 'src'], [16, 'dst'], [20, 'options']];

/** The header field an offset of the frame falls in, for messages. */
export function fieldAt(view: IpPacketView, o: number): string {
  const pick = (table: readonly [number, string][], rel: number): string => {
    let name = table[0][1];
    for (const [start, n] of table) if (rel >= start) name = n;
    return name;
  };
  if (o < 12) return 'eth.addresses';
  if (o < view.l3Offset) return 'eth.type';
  if (o < view.l4Offset) return view.family === 'ipv4' ? `ip.${pick(IPV4_FIELDS, o - view.l3Offset)}` : 'ip6.header';
  const rel = o - view.l4Offset;
  switch (view.proto) {
    case 6:
      return `tcp.${pick(TCP_FIELDS, rel)}`;
    case 17:
      return `udp.${pick(UDP_FIELDS, rel)}`;
    case 1:
      return `icmp.${pick(ICMP_FIELDS, rel)}`;
    default:
      return `proto ${view.proto} payload`;
  }
}

const hex2 = (b: number | undefined): string => (b === undefined ? '--' : b.toString(16).padStart(2, '0'));
