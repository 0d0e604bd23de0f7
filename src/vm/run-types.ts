import type { MapStateFile } from '../state/map-state.js';

/**
 * One run of a program on one packet, as both the interpreter and the kernel oracle see
 * it. The context fields are those BPF_PROG_TEST_RUN lets a caller set for a tc program
 * (reference §9.3); every other `__sk_buff` field starts as the kernel would set it.
 */
export interface SkbContextIn {
  readonly mark?: number;
  readonly priority?: number;
  readonly ingressIfindex?: number;
  /** 0 or 1 means the loopback device (the kernel's default); more selects a device. */
  readonly ifindex?: number;
  readonly cb?: readonly [number, number, number, number, number];
  readonly tstamp?: bigint;
  readonly wireLen?: number;
  readonly gsoSegs?: number;
  readonly gsoSize?: number;
  readonly hwtstamp?: bigint;
}

/** The context fields the kernel copies back after a tc run. */
export interface SkbContextOut {
  readonly mark: number;
  readonly priority: number;
  readonly ingressIfindex: number;
  readonly ifindex: number;
  readonly cb: readonly [number, number, number, number, number];
  readonly tstamp: bigint;
  readonly wireLen: number;
  readonly gsoSegs: number;
  readonly hwtstamp: bigint;
}

export interface PacketRun {
  readonly program: string;
  readonly packet: Uint8Array;
  readonly ctx?: SkbContextIn;
}

/** What both sides report for a run. */
export interface RunOutcome {
  /** r0 as a u32, as test_run reports it (TC_ACT_* or XDP_*). */
  readonly retval: number;
  /** The packet after the run, at its final length. */
  readonly packet: Uint8Array;
  /** tc programs only. */
  readonly ctx?: SkbContextOut;
  /** Every map after the run, in canonical form. */
  readonly maps?: MapStateFile;
}
