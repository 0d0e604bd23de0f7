/**
 * The two sides of an L2 classifier check: what the eBPF program does with a frame (the
 * interpreter), and whether the classifier's predicate matches it, compiled twice: by our
 * cBPF compiler and by tcpdump (when installed), both run in our FreeBSD-semantics cBPF
 * interpreter.
 */
import { compileFilter } from '../../../src/cbpf/compile.js';
import { isBpf2pfError } from '../../../src/errors.js';
import { decodeRaw } from '../../../src/cbpf/decode.js';
import { cbpfFilter } from '../../../src/cbpf/interpret.js';
import type { BpfObject } from '../../../src/object/types.js';
import type { MapStateFile } from '../../../src/state/map-state.js';
import { createMapStore, runProgram, type VmDevice } from '../../../src/vm/index.js';
import { hasTcpdump, tcpdumpDump } from '../../cbpf/peer.js';

/** pass: on to the stack; reply: sent back out of the interface it came in on; other: elsewhere. */
export type L2Fate = 'pass' | 'drop' | 'reply' | 'other';

export interface ProgramRunner {
  /** undefined: BPF_PROG_TEST_RUN would refuse to run the program on this frame. */
  fate(frame: Uint8Array): L2Fate | undefined;
}

export const TAP_IFINDEX = 101;
const DEVICES: readonly VmDevice[] = [
  { ifindex: 1, name: 'lo', mtu: 65536, hardHeaderLen: 14, mac: [0, 0, 0, 0, 0, 0], forwarding: false },
  { ifindex: TAP_IFINDEX, name: 'tap101', mtu: 1500, hardHeaderLen: 14, mac: [2, 0, 0, 0, 0, 0x65], forwarding: true },
];

/** Runs `program` of `obj` on frames arriving on TAP_IFINDEX, each from the same map state. */
export function programRunner(obj: BpfObject, program: string, state?: MapStateFile): ProgramRunner {
  const xdp = obj.programs.find((p) => p.name === program)?.kind.type === 'xdp';
  const template = createMapStore(obj, state);
  return {
    fate(frame) {
      const store = createMapStore(obj, state);
      store.code = template.code;
      store.scratch = template.scratch;
      let r: ReturnType<typeof runProgram>;
      try {
        r = runProgram(obj, store, { program, packet: frame, ...(xdp ? {} : { ctx: { ifindex: TAP_IFINDEX } }) }, { devices: DEVICES, dumpMaps: false });
      } catch (e) {
        if (isBpf2pfError(e) && /test_run would refuse/.test(e.message)) return undefined;
        throw e;
      }
      template.code ??= store.code;
      template.scratch ??= store.scratch;
      const v = r.retval | 0;
      if (xdp) return v === 2 ? 'pass' : v === 0 || v === 1 ? 'drop' : v === 3 ? 'reply' : 'other';
      if (v === 2) return 'drop';
      if (v === 0 || v === 3 || v === -1) return 'pass';
      if (v === 7 && r.redirect && r.redirect.ifindex === TAP_IFINDEX && (r.redirect.flags & 1) === 0) return 'reply';
      return 'other';
    },
  };
}

export interface ClassifierRunner {
  readonly by: string;
  matches(frame: Uint8Array): boolean;
}

/** The predicate compiled by each compiler at hand (ours always, tcpdump's when installed). */
export function classifierRunners(predicate: string): ClassifierRunner[] {
  const ours = cbpfFilter(compileFilter(predicate));
  const out: ClassifierRunner[] = [{ by: 'bpf2pf compileFilter', matches: (bytes) => ours({ bytes }) > 0 }];
  if (hasTcpdump()) {
    const lines = tcpdumpDump('-ddd', predicate).trim().split('\n');
    const n = Number(lines[0]);
    const raws = lines.slice(1, n + 1).map((l) => {
      const [code, jt, jf, k] = l.trim().split(/\s+/).map(Number);
      return { code, jt, jf, k };
    });
    const theirs = cbpfFilter(decodeRaw(raws));
    out.push({ by: 'tcpdump -ddd', matches: (bytes) => theirs({ bytes }) > 0 });
  }
  return out;
}

export const etherType = (f: Uint8Array): number => (f.length >= 14 ? (f[12] << 8) | f[13] : -1);
