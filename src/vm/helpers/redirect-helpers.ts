import { MapType } from '../../object/map-types.js';
import type { Machine } from '../machine.js';
import { arrayLookup } from '../maps/array-ops.js';
import { E } from '../maps/errno.js';
import { hashLookup } from '../maps/hash-ops.js';
import { indexKey } from '../maps/model.js';
import { argHi, argMap, argU32, flagsOutside, retInt, unsupportedMap, type HelperEntry } from './helper-def.js';
import { skbData, skbOf } from './skb-env.js';

const TC_ACT_SHOT = 2;
const TC_ACT_REDIRECT = 7;
const XDP_ABORTED = 0;
const XDP_REDIRECT = 4;
const BPF_F_INGRESS = 1;
const BPF_F_BROADCAST = 8;
const BPF_F_EXCLUDE_INGRESS = 16;
const XDP_ACTION_MASK = 3;
const REDIR_NEIGH_SIZE = 20;
const ENETDOWN = 100;

/**
 * Redirects. In test_run nothing is sent: the helper records its target in the per-CPU
 * redirect info (the last call wins) and returns TC_ACT_REDIRECT / XDP_REDIRECT, or
 * TC_ACT_SHOT / XDP_ABORTED for flags it refuses (reference §9.2, §4.2). clone_redirect
 * is different: it really transmits a clone at once, so it fails with -EINVAL for an
 * ifindex that names no device on the host (VmOptions.devices here).
 */
export const REDIRECT_HELPERS: readonly HelperEntry[] = [
  [23, { name: 'redirect', args: 2, call: redirect }],
  [152, { name: 'redirect_neigh', args: 4, call: redirectNeigh }],
  [155, { name: 'redirect_peer', args: 2, call: redirectPeer }],
  [13, { name: 'clone_redirect', args: 3, call: cloneRedirect, hostDependent: true }],
  [51, { name: 'redirect_map', args: 3, call: redirectMap }],
];

function redirect(m: Machine): void {
  const ifindex = argU32(m, 1);
  const flags = argU32(m, 2);
  if (m.env.kind === 'xdp') {
    if (flagsOutside(m, 2, 0)) return retInt(m, XDP_ABORTED);
    m.records.redirect = { ifindex, flags: 0, kind: 'redirect' };
    return retInt(m, XDP_REDIRECT);
  }
  if (flagsOutside(m, 2, BPF_F_INGRESS)) return retInt(m, TC_ACT_SHOT);
  m.records.redirect = { ifindex, flags, kind: 'redirect' };
  retInt(m, TC_ACT_REDIRECT);
}

function redirectNeigh(m: Machine): void {
  skbOf(m, 'redirect_neigh');
  const plen = argU32(m, 3);
  if ((argHi(m, 3) === 0 && plen !== 0 && plen < REDIR_NEIGH_SIZE) || flagsOutside(m, 4, 0)) return retInt(m, TC_ACT_SHOT);
  m.records.redirect = { ifindex: argU32(m, 1), flags: 0, kind: 'redirect_neigh' };
  retInt(m, TC_ACT_REDIRECT);
}

function redirectPeer(m: Machine): void {
  skbOf(m, 'redirect_peer');
  if (flagsOutside(m, 2, 0)) return retInt(m, TC_ACT_SHOT);
  m.records.redirect = { ifindex: argU32(m, 1), flags: 0, kind: 'redirect_peer' };
  retInt(m, TC_ACT_REDIRECT);
}

function cloneRedirect(m: Machine): void {
  const skb = skbOf(m, 'clone_redirect');
  if (flagsOutside(m, 3, BPF_F_INGRESS)) return retInt(m, -E.INVAL);
  const ifindex = argU32(m, 2);
  const device = m.opts.devices.find((d) => d.ifindex === ifindex);
  if (device === undefined) return retInt(m, -E.INVAL);
  if (device.down) return retInt(m, -ENETDOWN);
  m.records.clones.push({ ifindex, flags: argU32(m, 3), packet: skbData(skb).slice() });
  retInt(m, 0);
}

/** XDP only: a DEVMAP / DEVMAP_HASH entry's ifindex, or the fallback action in the flags' low bits. */
function redirectMap(m: Machine): void {
  const model = argMap(m, 1, 'redirect_map');
  const key = argU32(m, 2);
  if (flagsOutside(m, 3, XDP_ACTION_MASK | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)) return retInt(m, XDP_ABORTED);
  const flags = argU32(m, 3);
  if (flags & BPF_F_BROADCAST) unsupportedMap(m, 'redirect_map with BPF_F_BROADCAST', model);
  const le = m.store.littleEndian;
  let value: Uint8Array | undefined;
  if (model.kind === 'array' && model.def.type === MapType.DEVMAP) value = arrayLookup(model, indexKey(key, le), m.opts.cpu, le);
  else if (model.kind === 'hash' && model.def.type === MapType.DEVMAP_HASH) value = hashLookup(model, indexKey(key, le), m.opts.cpu);
  else unsupportedMap(m, 'redirect_map', model);
  const ifindex = value === undefined ? 0 : new DataView(value.buffer, value.byteOffset, 4).getUint32(0, le);
  // An empty devmap slot reads as ifindex 0: user space can only store existing devices.
  if (ifindex === 0) return retInt(m, flags & XDP_ACTION_MASK);
  m.records.redirect = { ifindex, flags: 0, kind: 'redirect_map' };
  retInt(m, XDP_REDIRECT);
}
