import { isBpf2pfError } from '../../src/errors.js';
import type { BpfObject } from '../../src/object/types.js';
import { toHex, type MapStateFile } from '../../src/state/map-state.js';
import { createMapStore, runProgram, type MapStore, type VmDevice, type VmResult } from '../../src/vm/index.js';
import type { SkbContextIn } from '../../src/vm/run-types.js';
import type { PacketDestination } from './packet-destination.js';

/**
 * The interpreter's side of the IR check: one program run on one packet against a map
 * snapshot, every run from the snapshot as it is (the sessions a previous packet created
 * are gone, so every packet is the first of its flow), with the clock and the random
 * generator fixed.
 *
 * `stateDependent`: the run came out differently once the maps the IR hands to pf state
 * (its control plane's "connection tracking" maps) were emptied, i.e. it was decided by
 * an entry the snapshot holds there (a port-forward reply found in local_port_mapping).
 * pf decides such a packet by a state, not by a rule, so the stateless IR evaluator has
 * nothing to say about it.
 *
 * Verdicts become destinations: tc TC_ACT_OK/UNSPEC on into the stack, SHOT/STOLEN drop,
 * REDIRECT out of (or, with BPF_F_INGRESS, in on) the target; XDP PASS, DROP/ABORTED,
 * TX (back out of the same interface), REDIRECT.
 */
export interface VmOutcome {
  /** r0 as a signed 32-bit number (TC_ACT_UNSPEC is -1). */
  readonly retval: number;
  readonly destination: PacketDestination | { readonly kind: 'other'; readonly detail: string };
  readonly packet: Uint8Array;
  readonly redirect?: VmResult['redirect'];
  readonly stateDependent: boolean;
}

export interface VmSideOptions {
  readonly devices: readonly VmDevice[];
  readonly now: bigint;
  readonly prandomSeed: number;
  /** Maps pf state stands for: emptied for the second run that tells state-dependent runs apart. */
  readonly stateMaps: readonly string[];
}

export type VmRun = (program: string, packet: Uint8Array, ctx: SkbContextIn) => VmOutcome;

const TC_ACT_UNSPEC = -1;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const TC_ACT_STOLEN = 4;
const TC_ACT_REDIRECT = 7;
const BPF_F_INGRESS = 1;

/** A runner for one object over one snapshot; throws what the interpreter throws. */
export function createVmSide(obj: BpfObject, snapshot: MapStateFile, options: VmSideOptions): VmRun {
  const template = createMapStore(obj, snapshot);
  const stateless: MapStateFile = {
    version: 1,
    maps: Object.fromEntries(Object.entries(snapshot.maps).map(([name, c]) => [name, options.stateMaps.includes(name) ? { entries: [] } : c])),
  };
  const holdsState = options.stateMaps.some((name) => (snapshot.maps[name]?.entries.length ?? 0) > 0);
  // A fresh store per run, sharing the compiled code and the scratch buffers (runs never overlap).
  const fresh = (state: MapStateFile): MapStore => {
    const store = createMapStore(obj, state);
    store.code = template.code;
    store.scratch = template.scratch;
    return store;
  };
  const vmOptions = { devices: options.devices, now: options.now, prandomSeed: options.prandomSeed, dumpMaps: false };
  // XDP takes no __sk_buff: the interface is the one it is attached to.
  const xdp = new Set(obj.programs.filter((p) => p.kind.type === 'xdp').map((p) => p.name));
  const once = (state: MapStateFile, program: string, packet: Uint8Array, ctx: SkbContextIn): VmResult => {
    const store = fresh(state);
    const r = runProgram(obj, store, { program, packet, ...(!xdp.has(program) && { ctx }) }, vmOptions);
    template.code ??= store.code;
    template.scratch ??= store.scratch;
    return r;
  };
  return (program, packet, ctx) => {
    const r = once(snapshot, program, packet, ctx);
    let stateDependent = false;
    if (holdsState) {
      const s = once(stateless, program, packet, ctx);
      stateDependent = s.retval !== r.retval || toHex(s.packet) !== toHex(r.packet) || JSON.stringify(s.redirect) !== JSON.stringify(r.redirect);
    }
    const retval = r.retval | 0;
    const destination = r.xdp ? xdpDestinationOf(retval, r.redirect, ctx.ifindex ?? 1) : destinationOf(retval, r.redirect);
    return { retval, destination, packet: r.packet, ...(r.redirect && { redirect: r.redirect }), stateDependent };
  };
}

function destinationOf(retval: number, redirect: VmResult['redirect']): VmOutcome['destination'] {
  switch (retval) {
    case TC_ACT_UNSPEC:
    case TC_ACT_OK:
      return { kind: 'stack' };
    case TC_ACT_SHOT:
    case TC_ACT_STOLEN:
      return { kind: 'drop' };
    case TC_ACT_REDIRECT:
      if (!redirect) return { kind: 'drop' }; // the kernel drops a redirect verdict with no target
      if (redirect.kind !== 'redirect') return { kind: 'other', detail: `${redirect.kind} to ifindex ${redirect.ifindex}` };
      return (redirect.flags & BPF_F_INGRESS) !== 0 ? { kind: 'in', ifindex: redirect.ifindex } : { kind: 'out', ifindex: redirect.ifindex };
    default:
      return { kind: 'other', detail: `return code ${retval}` };
  }
}

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;
const XDP_REDIRECT = 4;

function xdpDestinationOf(retval: number, redirect: VmResult['redirect'], ifindex: number): VmOutcome['destination'] {
  switch (retval) {
    case XDP_ABORTED:
    case XDP_DROP:
      return { kind: 'drop' };
    case XDP_PASS:
      return { kind: 'stack' };
    case XDP_TX:
      return { kind: 'out', ifindex };
    case XDP_REDIRECT:
      if (!redirect) return { kind: 'drop' };
      return redirect.kind === 'redirect' ? { kind: 'out', ifindex: redirect.ifindex } : { kind: 'other', detail: `${redirect.kind} to ${redirect.ifindex}` };
    default:
      return { kind: 'other', detail: `XDP return code ${retval}` };
  }
}

/** The interpreter's error as one line, for runs it refused. */
export function vmErrorText(e: unknown): string {
  return isBpf2pfError(e) ? `${e.code} ${e.message}` : String(e);
}
