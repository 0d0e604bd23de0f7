import { fail } from '../../errors.js';
import type { BpfObject } from '../../object/types.js';
import { compileObject } from '../code/image.js';
import { skbContextAccess } from '../context/skb-access.js';
import { setupSkb, skbContextOut } from '../context/skb-setup.js';
import { setupXdp, xdpContextAccess, xdpPacketOut } from '../context/xdp.js';
import { callFunction, execute } from '../cpu/interpreter.js';
import { frameAt, resetStack, setFramePointer } from '../cpu/frames.js';
import { sectionImage } from '../cpu/calls.js';
import type { Machine, RunOptions, RunRecords } from '../machine.js';
import { dumpMaps } from '../maps/dump.js';
import type { MapStore } from '../maps/store.js';
import { createMemory } from '../memory/memory.js';
import { LOOPBACK, type HelperCallRecord, type VmOptions, type VmResult } from '../options.js';
import type { PacketRun } from '../run-types.js';
import { setRegAddress } from './addresses.js';
import { callRecords, createCallLog } from './call-log.js';
import { createScratch, resetScratch } from './scratch.js';
import { timeDerived } from './time-derived.js';

function resolveOptions(o: VmOptions): RunOptions {
  const now = o.now ?? 1_000_000_000n;
  return {
    now,
    bootNs: o.bootNs ?? now,
    cpu: o.cpu ?? 0,
    prandomSeed: o.prandomSeed ?? 0x2545f491,
    hashSeed: o.hashSeed ?? 0,
    maxInstructions: o.maxInstructions ?? 1_000_000,
    trace: o.trace ?? false,
    tailCallLimit: o.tailCallLimit ?? 33,
    devices: o.devices ?? [LOOPBACK],
    fibLookup: o.fibLookup,
    sockets: o.sockets ?? [],
    perfEventsOpen: o.perfEventsOpen ?? false,
  };
}

/**
 * Runs one program on one packet as BPF_PROG_TEST_RUN would, mutating `store` as the
 * kernel would mutate its maps. A program the verifier would have refused, or a
 * construct outside the model, stops the run with a VM_* error (the store may then hold
 * the changes made before the stop).
 */
export function runProgram(obj: BpfObject, store: MapStore, run: PacketRun, options: VmOptions = {}): VmResult {
  if (store.code === undefined) store.code = compileObject(obj);
  const code = store.code;
  const entry = code.programs.get(run.program);
  if (entry === undefined) fail('VM_BAD_CALL', `no program named ${run.program} in the object`);
  const kind = entry.program.kind;
  const isXdp = kind.type === 'xdp';
  if (!isXdp && kind.type !== 'sched_cls' && kind.type !== 'sched_act') {
    fail('VM_UNSUPPORTED', `program ${run.program} is of type ${kind.type}; only tc (sched_cls, sched_act) and XDP programs are modelled`);
  }
  if (isXdp && (kind.attach === 'xdp_devmap' || kind.attach === 'xdp_cpumap')) {
    fail('VM_UNSUPPORTED', `program ${run.program} is a ${kind.attach} program, which test_run refuses`);
  }
  if (isXdp && run.ctx !== undefined) fail('VM_UNSUPPORTED', `program ${run.program}: an __sk_buff ctx was given for an XDP program`);
  if (options.omitCtx && run.ctx !== undefined) fail('VM_BAD_STATE', `program ${run.program}: omitCtx with a ctx given`);
  const opts = resolveOptions(options);
  const mem = createMemory(obj.littleEndian);
  store.scratch ??= createScratch();
  const scratch = store.scratch;
  resetScratch(scratch);
  const env = isXdp ? setupXdp(mem, run.packet, opts.devices, scratch) : setupSkb(mem, run, opts.devices, scratch, options.omitCtx ?? false);
  mem.ctx = env.kind === 'xdp' ? xdpContextAccess(env) : skbContextAccess(env);
  const records: RunRecords = {
    redirect: undefined,
    clones: [],
    calls: createCallLog(),
    printk: [],
    ringbuf: [],
    perfEvents: [],
    hostDependent: new Set(),
    trace: opts.trace ? [] : undefined,
  };
  const m: Machine = {
    obj,
    store,
    code,
    opts,
    regs: scratch.regs,
    mem,
    env,
    frames: [],
    depth: 0,
    instructions: 0,
    tailCalls: 0,
    section: entry.section,
    slot: entry.slot,
    executed: [],
    records,
    mapHandles: new Map(),
    valueRegions: new Map(),
    codeRegions: new Map(),
    globals: new Map(),
    heldLock: undefined,
    dynptrs: new Map(),
    socketRefs: new Set(),
    pendingRecords: new Map(),
    prandom: opts.prandomSeed,
    scratch,
    callFunction: (target, lo, hi) => callFunction(m, target, lo, hi),
  };
  const main = frameAt(m, 0);
  resetStack(main);
  setFramePointer(m, main);
  setRegAddress(m, 1, env.ctx, 0);
  execute(m, sectionImage(m, entry.section), entry.slot, 0);

  if (m.heldLock !== undefined) fail('VM_BAD_CALL', `${run.program}: exited with a bpf_spin_lock held (the verifier forbids it)`);
  if (m.socketRefs.size > 0) fail('VM_BAD_CALL', `${run.program}: exited without sk_release of a looked-up socket (the verifier forbids it)`);
  if (m.pendingRecords.size > 0) fail('VM_BAD_CALL', `${run.program}: exited with a ring buffer record neither submitted nor discarded`);

  const le = obj.littleEndian;
  // Coverage, the call records and the clock-taint report cost time in proportion to code
  // size, calls and tainted values in the store, so they are computed when first read and
  // kept. The taint report describes the maps as this run left them: reading it after
  // another run on the same store is refused rather than answered wrongly.
  const runNumber = ++store.runs;
  let executed: Map<string, Set<number>> | undefined;
  let helperCalls: HelperCallRecord[] | undefined;
  let taint: VmResult['timeDerived'] | undefined;
  return {
    retval: m.regs.lo[0],
    packet: env.kind === 'xdp' ? xdpPacketOut(env) : env.packet.bytes.slice(env.packet.start, env.packet.end),
    ...(env.kind === 'skb' && !options.omitCtx && { ctx: skbContextOut(env, le) }),
    ...(options.dumpMaps !== false && { maps: dumpMaps(obj, store) }),
    ...(records.redirect && { redirect: records.redirect }),
    clones: records.clones,
    instructions: m.instructions,
    get executed() {
      return (executed ??= executedSlots(m));
    },
    get helperCalls() {
      return (helperCalls ??= callRecords(records.calls));
    },
    printk: records.printk,
    ringbuf: records.ringbuf,
    perfEvents: records.perfEvents,
    get timeDerived() {
      if (taint === undefined && store.runs !== runNumber) {
        fail('VM_BAD_STATE', 'timeDerived of a run was first read after a later run on the same store; read it before running again');
      }
      return (taint ??= timeDerived(m));
    },
    hostDependent: [...records.hostDependent].sort(),
    ...(records.trace && { trace: records.trace }),
    ...(isXdp && { xdp: true }),
  };
}

function executedSlots(m: Machine): Map<string, Set<number>> {
  const executed = new Map<string, Set<number>>();
  for (const img of m.code.sections.values()) {
    const hits = m.executed[img.index];
    if (hits === undefined) continue;
    const slots = new Set<number>();
    hits.forEach((h, i) => h && slots.add(i));
    executed.set(img.name, slots);
  }
  return executed;
}
