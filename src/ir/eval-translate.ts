/**
 * Translations (nat, rdr, binat) applied to a frame as pf applies them: the address
 * (and port) rewritten in place, checksums updated incrementally with pf's own
 * pf_cksum_fixup (so a checksum that was right stays right, and one that was wrong stays
 * exactly as wrong, as on FreeBSD; a UDP checksum of 0, "none", stays 0).
 *
 * Which address: nat the source, rdr the destination, binat the source on an `out` rule
 * and the destination on an `in` rule (binat-to maps the inside address both ways: out
 * it is the source, in the destination).
 *
 * The new address, from the `to` pool:
 * - a cidr or a family value: the address as written (pf's default pool takes it as
 *   is); binat keeps the packet's host bits under the pool's mask (bitmask pool);
 * - a set (a table pool, round-robin): its lowest plain entry of the packet's family;
 * - an interface `(if)`: its first address of the packet's family.
 * No address of the packet's family is a translation failure: pf drops the packet.
 *
 * Ports (TCP and UDP only): nat picks a free source port of its range, by default
 * 50001-65535 (PF_NAT_PROXY_PORT_LOW/HIGH); which one is not determined, so the
 * lowest is written and the range reported for comparisons by range. rdr with a port
 * sets the destination port. ICMP query ids, which pf's nat may also change, and SCTP
 * ports are left as they are.
 */
import { formatAddress, parseAddress, parsePrefix, prefixMask, valueToBytes, type IpAddress } from './cidr.js';
import type { EvalContext } from './eval-context.js';
import { tableFor } from './eval-match.js';
import type { IpPacketView } from './eval-packet.js';
import type { IrAddress, IrFamilyInstance, IrRule, IrTranslation } from './types.js';

export interface IrAppliedTranslation {
  readonly kind: IrTranslation['kind'];
  readonly rule: string;
  readonly field: 'source' | 'destination';
  readonly from: { readonly address: string; readonly port?: number };
  readonly to: { readonly address: string; readonly port?: number };
  /** nat: pf picks a free port in this range; `to.port` holds its lowest. */
  readonly portRange?: { readonly from: number; readonly to: number };
}

export type TranslationOutcome =
  | { readonly ok: true; readonly view: IpPacketView; readonly bytes: Uint8Array; readonly applied: IrAppliedTranslation }
  | { readonly ok: false; readonly detail: string };

export const NAT_PORT_RANGE = { from: 50001, to: 65535 } as const;

export function applyTranslation(
  ctx: EvalContext,
  rule: IrRule,
  instance: IrFamilyInstance | undefined,
  t: IrTranslation,
  view: IpPacketView,
  bytes: Uint8Array,
): TranslationOutcome {
  const field = t.kind === 'nat' || (t.kind === 'binat' && rule.direction === 'out') ? 'source' : 'destination';
  const old = field === 'source' ? view.src : view.dst;
  const pool = poolAddress(ctx, rule, instance, t.to, old.family);
  if (typeof pool === 'string') return { ok: false, detail: `${t.kind} in rule ${rule.id}: ${pool}` };
  const next: IpAddress =
    t.kind === 'binat'
      ? { family: old.family, value: (pool.address.value & prefixMask(old.family, pool.len)) | (old.value & ~prefixMask(old.family, pool.len)) }
      : pool.address;
  const out = bytes.slice();
  rewriteAddress(out, view, field, next);
  const oldPort = view.ports ? (field === 'source' ? view.ports.src : view.ports.dst) : undefined;
  let newPort = oldPort;
  let portRange: { from: number; to: number } | undefined;
  if (view.ports && (view.proto === 6 || view.proto === 17)) {
    if (t.kind === 'nat') {
      if (!t.staticPort) {
        const range = t.ports ?? NAT_PORT_RANGE;
        newPort = range.from;
        if (range.to !== range.from) portRange = { from: range.from, to: range.to };
      }
    } else if (t.kind === 'rdr' && t.port !== undefined) {
      newPort = t.port;
    }
    if (newPort !== undefined && newPort !== oldPort) rewritePort(out, view, field, newPort);
  }
  const ports = view.ports && newPort !== undefined ? (field === 'source' ? { src: newPort, dst: view.ports.dst } : { src: view.ports.src, dst: newPort }) : view.ports;
  const nextView: IpPacketView = { ...view, ...(field === 'source' ? { src: next } : { dst: next }), ...(ports && { ports }) };
  const applied: IrAppliedTranslation = {
    kind: t.kind,
    rule: rule.id,
    field,
    from: { address: formatAddress(old), ...(oldPort !== undefined && { port: oldPort }) },
    to: { address: formatAddress(next), ...(newPort !== undefined && { port: newPort }) },
    ...(portRange && { portRange }),
  };
  return { ok: true, view: nextView, bytes: out, applied };
}

/** The pool's address for the packet's family, or why there is none. */
function poolAddress(ctx: EvalContext, rule: IrRule, instance: IrFamilyInstance | undefined, to: IrAddress, family: IpAddress['family']): { address: IpAddress; len: number } | string {
  switch (to.kind) {
    case 'any':
      return 'no address to translate to (any)';
    case 'cidr':
    case 'familyValue': {
      const text = to.kind === 'cidr' ? to.cidr : instance?.values[to.field];
      if (text === undefined) return `no family value ${JSON.stringify(to.kind === 'familyValue' ? to.field : '')}`;
      const slash = text.indexOf('/');
      const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
      const prefix = parsePrefix(text);
      if (!address || !prefix) return `${JSON.stringify(text)} is not an address`;
      if (address.family !== family) return `${text} is not an address of the packet's family (${family})`;
      return { address, len: prefix.len };
    }
    case 'set': {
      const first = tableFor(ctx, rule, instance, to.set)?.first[family];
      if (!first) return `table <${to.set}> has no ${family} entry`;
      return { address: { family, value: first.net }, len: first.len };
    }
    case 'interface': {
      const address = (ctx.interfaceAddresses.get(to.interface) ?? []).find((a) => a.family === family);
      if (!address) return `interface ${to.interface} has no ${family} address`;
      return { address, len: family === 'ipv4' ? 32 : 128 };
    }
    default: {
      const never: never = to;
      return never;
    }
  }
}

/** pf_cksum_fixup (sys/netpfil/pf/pf.c): one 16-bit word of a checksummed area changed. */
export function pfChecksumFixup(cksum: number, oldWord: number, newWord: number, udp: boolean): number {
  if (udp && cksum === 0) return 0;
  let l = (cksum + oldWord - newWord) >>> 0;
  l = (l >>> 16) + (l & 0xffff);
  l &= 0xffff;
  if (udp && l === 0) return 0xffff;
  return l;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const put16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v >> 8;
  b[o + 1] = v & 0xff;
};

/** Offset of the transport checksum that covers the addresses, and whether it is UDP's. */
function transportChecksum(view: IpPacketView): { at: number; udp: boolean } | null {
  if (view.fragment) return null;
  switch (view.proto) {
    case 6:
      return { at: view.l4Offset + 16, udp: false };
    case 17:
      return { at: view.l4Offset + 6, udp: true };
    case 58:
      // ICMPv6 has a pseudo header; ICMPv4 does not.
      return view.family === 'ipv6' ? { at: view.l4Offset + 2, udp: false } : null;
    default:
      return null;
  }
}

function updateWord(b: Uint8Array, view: IpPacketView, at: number, word: number): void {
  const old = u16(b, at);
  if (old === word) return;
  if (view.family === 'ipv4') put16(b, view.l3Offset + 10, pfChecksumFixup(u16(b, view.l3Offset + 10), old, word, false));
  const tc = transportChecksum(view);
  if (tc) put16(b, tc.at, pfChecksumFixup(u16(b, tc.at), old, word, tc.udp));
  put16(b, at, word);
}

function rewriteAddress(b: Uint8Array, view: IpPacketView, field: 'source' | 'destination', next: IpAddress): void {
  const v4 = view.family === 'ipv4';
  const at = view.l3Offset + (v4 ? (field === 'source' ? 12 : 16) : field === 'source' ? 8 : 24);
  const nb = valueToBytes(next.family, next.value);
  for (let i = 0; i < nb.length; i += 2) updateWord(b, view, at + i, (nb[i] << 8) | nb[i + 1]);
}

function rewritePort(b: Uint8Array, view: IpPacketView, field: 'source' | 'destination', port: number): void {
  const at = view.l4Offset + (field === 'source' ? 0 : 2);
  const tc = transportChecksum(view);
  const old = u16(b, at);
  if (tc) put16(b, tc.at, pfChecksumFixup(u16(b, tc.at), old, port, tc.udp));
  put16(b, at, port);
}
