import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes } from '../memory/helper-memory.js';
import { csumDiff, csumReplace2, csumReplace4, csumReplaceByDiff, protoCsumReplace4, protoCsumReplaceByDiff } from './checksum.js';
import { argHi, argLo, argU32, flagsOutside, retInt, type HelperEntry } from './helper-def.js';
import { skbData, skbOf } from './skb-env.js';

const HDR_FIELD_MASK = 0xf;
const F_PSEUDO_HDR = 0x10;
const F_MARK_MANGLED_0 = 0x20;
const F_MARK_ENFORCE = 0x40;
const F_IPV6 = 0x80;
const CSUM_MANGLED_0 = 0xffff;
const CSUM_DIFF_MAX = 512;

/**
 * Checksum helpers (reference §4.1). test_run's skb is CHECKSUM_NONE, so the L4 helpers
 * always rewrite the checksum field in place, pseudo-header or not; csum_update has no
 * skb->csum to update.
 */
export const CSUM_HELPERS: readonly HelperEntry[] = [
  [10, { name: 'l3_csum_replace', args: 5, call: l3Replace }],
  [11, { name: 'l4_csum_replace', args: 5, call: l4Replace }],
  [28, { name: 'csum_diff', args: 5, call: diff }],
  [40, { name: 'csum_update', args: 2, call: (m) => (skbOf(m, 'csum_update'), retInt(m, -E.NOTSUPP)) }],
  [135, { name: 'csum_level', args: 2, call: csumLevel }],
];

/** The checksum field at `offset`, or an errno: odd or large offsets and fields past the end are EFAULT. */
function field(m: Machine, helper: string): { data: Uint8Array; offset: number; view: DataView } | number {
  const skb = skbOf(m, helper);
  const offset = argU32(m, 2);
  if (offset > 0xffff || offset & 1) return -E.FAULT;
  const data = skbData(skb);
  if (offset + 2 > data.length) return -E.FAULT;
  return { data, offset, view: new DataView(data.buffer, data.byteOffset, data.byteLength) };
}

function l3Replace(m: Machine): void {
  if (flagsOutside(m, 5, HDR_FIELD_MASK)) return retInt(m, -E.INVAL);
  const f = field(m, 'l3_csum_replace');
  if (typeof f === 'number') return retInt(m, f);
  const le = m.mem.littleEndian;
  const sum = f.view.getUint16(f.offset, le);
  const from = argLo(m, 3);
  const to = argLo(m, 4);
  let next: number;
  switch (argLo(m, 5) & HDR_FIELD_MASK) {
    case 0:
      if (from !== 0 || argHi(m, 3) !== 0) return retInt(m, -E.INVAL);
      next = csumReplaceByDiff(sum, to);
      break;
    case 2:
      next = csumReplace2(sum, from & 0xffff, to & 0xffff);
      break;
    case 4:
      next = csumReplace4(sum, from, to);
      break;
    default:
      return retInt(m, -E.INVAL);
  }
  f.view.setUint16(f.offset, next, le);
  retInt(m, 0);
}

function l4Replace(m: Machine): void {
  if (flagsOutside(m, 5, F_MARK_MANGLED_0 | F_MARK_ENFORCE | F_PSEUDO_HDR | HDR_FIELD_MASK | F_IPV6)) return retInt(m, -E.INVAL);
  const f = field(m, 'l4_csum_replace');
  if (typeof f === 'number') return retInt(m, f);
  const flags = argLo(m, 5);
  const le = m.mem.littleEndian;
  const mangled0 = (flags & F_MARK_MANGLED_0) !== 0;
  const sum = f.view.getUint16(f.offset, le);
  // A zero UDP checksum means "none": it stays zero unless MARK_ENFORCE.
  if (mangled0 && !(flags & F_MARK_ENFORCE) && sum === 0) return retInt(m, 0);
  const from = argLo(m, 3);
  const to = argLo(m, 4);
  let next: number;
  switch (flags & HDR_FIELD_MASK) {
    case 0:
      if (from !== 0 || argHi(m, 3) !== 0) return retInt(m, -E.INVAL);
      next = protoCsumReplaceByDiff(sum, to);
      break;
    case 2:
      next = protoCsumReplace4(sum, from & 0xffff, to & 0xffff);
      break;
    case 4:
      next = protoCsumReplace4(sum, from, to);
      break;
    default:
      return retInt(m, -E.INVAL);
  }
  if (mangled0 && next === 0) next = CSUM_MANGLED_0;
  f.view.setUint16(f.offset, next, le);
  retInt(m, 0);
}

function words(bytes: Uint8Array, le: boolean): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(v.getUint32(i, le));
  return out;
}

function diff(m: Machine): void {
  const fromSize = argU32(m, 2);
  const toSize = argU32(m, 4);
  if ((fromSize | toSize) & 3 || fromSize + toSize > CSUM_DIFF_MAX) return retInt(m, -E.INVAL);
  const le = m.mem.littleEndian;
  const from = words(readBytes(m.mem, argLo(m, 1), argHi(m, 1), fromSize, 'csum_diff from'), le);
  const to = words(readBytes(m.mem, argLo(m, 3), argHi(m, 3), toSize, 'csum_diff to'), le);
  retInt(m, csumDiff(from, to, argLo(m, 5)));
}

const CSUM_LEVEL_QUERY = 0;
const CSUM_LEVEL_INC = 1;
const CSUM_LEVEL_DEC = 2;
const CSUM_LEVEL_RESET = 3;
const SKB_MAX_CSUM_LEVEL = 3;

/** csum_level: test_run's skb starts CHECKSUM_NONE; INC makes it CHECKSUM_UNNECESSARY. */
function csumLevel(m: Machine): void {
  const skb = skbOf(m, 'csum_level');
  const level = argHi(m, 2) !== 0 ? -1 : argLo(m, 2);
  switch (level) {
    case CSUM_LEVEL_INC:
      if (skb.ipSummed === 'unnecessary') {
        if (skb.csumLevel < SKB_MAX_CSUM_LEVEL) skb.csumLevel++;
      } else {
        skb.ipSummed = 'unnecessary';
        skb.csumLevel = 0;
      }
      return retInt(m, 0);
    case CSUM_LEVEL_DEC:
      if (skb.ipSummed === 'unnecessary') {
        if (skb.csumLevel === 0) skb.ipSummed = 'none';
        else skb.csumLevel--;
      }
      return retInt(m, 0);
    case CSUM_LEVEL_RESET:
      skb.ipSummed = 'none';
      skb.csumLevel = 0;
      return retInt(m, 0);
    case CSUM_LEVEL_QUERY:
      return retInt(m, skb.ipSummed === 'unnecessary' ? skb.csumLevel : -E.ACCES);
    default:
      return retInt(m, -E.INVAL);
  }
}
