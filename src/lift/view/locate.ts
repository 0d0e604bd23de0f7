import { evaluate, leaves } from '../eval-sym.js';
import type { Sym } from '../sym.js';
import type { FrameShape, LengthNeed, Location } from './atoms.js';
import {
  ARP_FIELDS, ETH_FIELDS, ICMP_FIELDS, IP4_FIELDS, IP6_FIELDS, PORT_FIELDS, TCP_FIELDS, UDP_FIELDS, VLAN_FIELDS,
  fieldAt, type FieldDef,
} from './packet-layout.js';
import { isSubset, fromValues } from '../value-set.js';

/**
 * An offset the program computed, as the frame start plus a constant or as the end of the
 * IPv4 header plus a constant. The IPv4 header length appears in many compiled forms
 * (`(b & 15) << 2`, `(b << 2) & 60`, through 32-bit moves); instead of matching forms, the
 * offset is evaluated for every legal header length and must move with it exactly.
 */
export function classifyOffset(offset: Sym, shape: Pick<FrameShape, 'l3Base'>): LengthNeed | undefined {
  if (offset.kind === 'const') return { base: 'frame', delta: Number(BigInt.asIntN(64, offset.value)) };
  const ls = [...leaves(offset).values()];
  if (ls.length !== 1) return undefined;
  const leaf = ls[0];
  if (leaf.source.kind !== 'pkt' || leaf.source.size !== 1 || leaf.source.offset.kind !== 'const') return undefined;
  if (Number(leaf.source.offset.value) !== shape.l3Base) return undefined;
  let delta: number | undefined;
  for (let ihl = 5; ihl <= 15; ihl++) {
    const v = evaluate(offset, () => BigInt(0x40 | ihl));
    if (v === undefined) return undefined;
    const d = Number(BigInt.asIntN(64, v)) - (shape.l3Base + ihl * 4);
    if (delta === undefined) delta = d;
    else if (d !== delta) return undefined;
  }
  return delta === undefined ? undefined : { base: 'l4', delta };
}

/** Where a packet read starts, given the path's frame shape; undefined when unknown. */
export function locate(offset: Sym, shape: FrameShape): Location | undefined {
  const c = classifyOffset(offset, shape);
  if (!c) return undefined;
  if (c.base === 'l4') return shape.l3 === 'ip4' ? { layer: 'l4', start: c.delta, fixedIhl: false } : undefined;
  const at = c.delta;
  if (at < 0) return undefined;
  if (at < 14) return { layer: 'eth', start: at };
  if (shape.l3Base === 18 && at < 18) return { layer: 'vlan', start: at - 14 };
  const rel = at - shape.l3Base;
  switch (shape.l3) {
    case 'ip4':
      return rel < 20 ? { layer: 'ip4', start: rel } : { layer: 'l4', start: rel - 20, fixedIhl: true };
    case 'ip6':
      return rel < 40 ? { layer: 'ip6', start: rel } : { layer: 'l4', start: rel - 40, fixedIhl: false };
    case 'arp':
      return rel < 28 ? { layer: 'arp', start: rel } : undefined;
    default:
      return undefined;
  }
}

// Built once: every packet read of every path asks which fields its layer has.
const TCP = fromValues(8, [6]);
const UDP = fromValues(8, [17]);
const TCP_OR_UDP = fromValues(8, [6, 17]);
const ICMP = fromValues(8, [1]);
const ICMP6 = fromValues(8, [58]);
const VLAN_LAYER_FIELDS: readonly FieldDef[] = VLAN_FIELDS.map((d) => ({ ...d, offset: d.offset - 14 }));

/** The fields of a layer, for this path (L4 fields follow the protocols the path allows). */
export function layerFields(layer: Location['layer'], shape: FrameShape): readonly FieldDef[] {
  switch (layer) {
    case 'eth':
      return ETH_FIELDS;
    case 'vlan':
      return VLAN_LAYER_FIELDS;
    case 'ip4':
      return IP4_FIELDS;
    case 'ip6':
      return IP6_FIELDS;
    case 'arp':
      return ARP_FIELDS;
    case 'l4': {
      const p = shape.protos;
      if (!p) return [];
      if (isSubset(p, TCP)) return TCP_FIELDS;
      if (isSubset(p, UDP)) return UDP_FIELDS;
      if (isSubset(p, TCP_OR_UDP)) return PORT_FIELDS;
      if (isSubset(p, ICMP) || isSubset(p, ICMP6)) return ICMP_FIELDS;
      return [];
    }
    default: {
      const never: never = layer;
      return never;
    }
  }
}

/** The field bytes `size` bytes at `loc` cover: one field, or undefined when they straddle. */
export function fieldOf(loc: Location, size: number, shape: FrameShape): { field: FieldDef; byte: number } | undefined {
  const fields = layerFields(loc.layer, shape);
  const first = fieldAt(fields, loc.start);
  const last = fieldAt(fields, loc.start + size - 1);
  if (!first || !last || first.field.id !== last.field.id) return undefined;
  return first;
}
