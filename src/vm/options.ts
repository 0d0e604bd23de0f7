import type { RunOutcome } from './run-types.js';

/**
 * A network device the interpreter pretends exists. test_run runs a tc program on the
 * loopback device (ifindex 1) unless the ctx names another one; helpers that look devices
 * up (clone_redirect, check_mtu, fib_lookup) only find what is listed here.
 */
export interface VmDevice {
  readonly ifindex: number;
  readonly name: string;
  readonly mtu: number;
  /** dev->hard_header_len: 14 for Ethernet and for lo. */
  readonly hardHeaderLen: number;
  /** Six bytes; lo's is all zero. eth_type_trans compares the destination MAC with it. */
  readonly mac: readonly number[];
  /** net.ipv4.conf.<dev>.forwarding (and the IPv6 one): fib_lookup says FWD_DISABLED without it. */
  readonly forwarding: boolean;
  /** An interface that is down: a clone sent to it fails with -ENETDOWN. */
  readonly down?: boolean;
}

/** The loopback device as this machine (and every Linux) has it. */
export const LOOPBACK: VmDevice = { ifindex: 1, name: 'lo', mtu: 65536, hardHeaderLen: 14, mac: [0, 0, 0, 0, 0, 0], forwarding: false };

/** What bpf_fib_lookup asked, decoded from `struct bpf_fib_lookup`. */
export interface FibRequest {
  readonly family: 2 | 10;
  readonly ifindex: number;
  readonly flags: number;
  readonly l4Protocol: number;
  readonly sport: number;
  readonly dport: number;
  readonly totLen: number;
  readonly tos: number;
  /** Addresses as bytes in network order (4 or 16). */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
}

/**
 * The kernel's answer: a BPF_FIB_LKUP_RET_* code, and on success what it writes back
 * into the struct (egress ifindex, MACs, the MTU).
 */
export interface FibAnswer {
  readonly ret: number;
  readonly ifindex?: number;
  readonly smac?: readonly number[];
  readonly dmac?: readonly number[];
  readonly mtu?: number;
}

/** A socket sk_lookup_tcp/udp can find. Addresses in dotted or colon form; undefined = any. */
export interface VmSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly family: 4 | 6;
  readonly localAddress?: string;
  readonly localPort: number;
  /** A connected socket matches the remote end too; a listener only the local one. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

export interface VmOptions {
  /** CLOCK_MONOTONIC in ns for ktime_get_ns, ktime_get_coarse_ns, jiffies64; default 1e9. */
  readonly now?: bigint;
  /** CLOCK_BOOTTIME in ns for ktime_get_boot_ns; default `now`. */
  readonly bootNs?: bigint;
  /** get_smp_processor_id, and which copy of a per-CPU map the program sees; default 0. */
  readonly cpu?: number;
  /** Seed of get_prandom_u32's generator (the kernel's is per CPU and unseeded). */
  readonly prandomSeed?: number;
  /** Seed of the flow hash get_hash_recalc computes (the kernel's is random per boot). */
  readonly hashSeed?: number;
  /** Instructions before VM_STEP_LIMIT; default 1_000_000. */
  readonly maxInstructions?: number;
  /** Record one line per executed instruction in `trace`. */
  readonly trace?: boolean;
  /** Tail calls allowed in one run (MAX_TAIL_CALL_CNT); default 33. */
  readonly tailCallLimit?: number;
  /** Devices that exist; default only lo. */
  readonly devices?: readonly VmDevice[];
  /** Answers for bpf_fib_lookup once the device checks pass; default NOT_FWDED (no route). */
  readonly fibLookup?: (req: FibRequest) => FibAnswer;
  /** Sockets sk_lookup_* can find; default none. */
  readonly sockets?: readonly VmSocket[];
  /**
   * Whether user space opened a perf event in every PERF_EVENT_ARRAY slot. test_run with
   * no reader has none, so perf_event_output returns -ENOENT; default false.
   */
  readonly perfEventsOpen?: boolean;
  /**
   * tc only: run as test_run does when no `__sk_buff` is passed at all (rather than a zero
   * one): the ctx conversion is skipped, so the program reads wire_len 0, and no ctx comes
   * back. `run.ctx` must then be absent.
   */
  readonly omitCtx?: boolean;
  /** Include a dump of every map in the result (`maps`); default true. */
  readonly dumpMaps?: boolean;
}

export type RedirectKind = 'redirect' | 'redirect_neigh' | 'redirect_peer' | 'redirect_map';

export interface HelperCallRecord {
  readonly slot: number;
  readonly section: string;
  readonly helper: string;
  readonly args: bigint[];
  readonly ret: bigint;
}

export interface TimeDerivedMapBytes {
  /** The top-level map (for an inner map of a map-in-map, the outer one). */
  readonly map: string;
  /** Key of the entry (in the inner map when `inner` is set), hex. */
  readonly key: string;
  /** Key of the outer map's entry holding the inner map, hex. */
  readonly inner?: string;
  /** Byte offsets in the value whose bytes came from a clock. */
  readonly bytes: number[];
}

export interface VmResult extends RunOutcome {
  /** The last redirect helper the program called (the kernel keeps only the last one). */
  redirect?: { ifindex: number; flags: number; kind: RedirectKind };
  clones: { ifindex: number; flags: number; packet: Uint8Array }[];
  /** Instructions executed, callbacks and tail-called programs included. */
  instructions: number;
  executed: ReadonlyMap<string, ReadonlySet<number>>;
  helperCalls: HelperCallRecord[];
  printk: string[];
  ringbuf: Uint8Array[];
  /** perf_event_output records, only when `perfEventsOpen` (else the kernel drops them). */
  perfEvents: Uint8Array[];
  timeDerived: { ctx: string[]; maps: TimeDerivedMapBytes[] };
  /**
   * Helpers called in this run whose answers depend on the host or on randomness the
   * kernel does not expose (get_prandom_u32, get_hash_recalc, fib_lookup, sk_lookup_*,
   * clone_redirect, check_mtu): a comparison with the kernel must allow for them.
   */
  hostDependent: string[];
  trace?: string[];
  xdp?: boolean;
}
