/**
 * A deployment profile: what an eBPF object cannot say about where it runs. Which
 * FreeBSD interface each logical interface is, where each entry program is attached,
 * overrides of `.rodata` constants, and what Coppice-style user space keeps outside the
 * objects (session timeouts, limits). Read from YAML by `loadProfile`, or made up by
 * `defaultProfile` for runs without one (every guess recorded in `assumptions`).
 *
 * Plain data in a deterministic order: lists keep the order of the YAML file, so the
 * same file always gives the same profile.
 */
export const PROFILE_VERSION = 1;

export interface Profile {
  readonly version: typeof PROFILE_VERSION;
  /** The file it was read from, or null for the defaults of a run without one. */
  readonly source: string | null;
  readonly target: ProfileTarget;
  readonly interfaces: readonly ProfileInterface[];
  readonly programs: readonly ProfileProgram[];
  /** `.rodata` overrides, as `--const name=value` would give them (value as text). */
  readonly constants: readonly ProfileConstant[];
  readonly timeouts: ProfileTimeouts;
  readonly limits: ProfileLimits;
  /** What the programs' skb->mark values are on FreeBSD, in the file's order. */
  readonly marks: readonly ProfileMark[];
  /**
   * pf reassembles IP fragments before filtering (`set reassemble yes`): rules decide whole
   * datagrams, and the paths a program takes for fragments alone become no rules. pf's
   * default is no: fragments are filtered one by one on their IP header, and never
   * translated.
   */
  readonly reassemble: boolean;
  /** What was not in the profile and had to be guessed: each becomes a finding. */
  readonly assumptions: readonly ProfileAssumption[];
  /** Line of each YAML path (`programs.from_cube.attach`), for messages about it later. */
  readonly lines: Readonly<Record<string, number>>;
}

export interface ProfileTarget {
  /** The FreeBSD release the output is written for, e.g. "15.0". */
  readonly freebsd: string;
  /** Releases the output must also load on. */
  readonly supported: readonly string[];
}

export interface ProfileInterface {
  /** Logical name: a pf macro name ([A-Za-z_][A-Za-z0-9_]*, not a pf keyword). */
  readonly name: string;
  /** FreeBSD interface name, or interface group name when `group`. */
  readonly freebsd: string;
  readonly group: boolean;
  /** The Linux ifindex the objects use for it; null where it differs per instance. */
  readonly ifindex: number | null;
  /**
   * The router packets sent out of it go to (absent: none given). A program that
   * redirects out of an interface writes the router's MAC itself; pf's route-to needs the
   * router's address, or FreeBSD looks each destination up on the link.
   */
  readonly gateway?: string;
}

export interface ProfileProgram {
  /** The program's function name in the object. */
  readonly name: string;
  /** The object it is in: a file name, or its stem before the first `.` (`mvmtap`). */
  readonly object: string;
  /** The ELF section it must be in; null accepts any. */
  readonly section: string | null;
  readonly attach: { readonly interface: string; readonly direction: Direction };
}

export type Direction = 'in' | 'out';

/**
 * A mark value (the bits of `mask`) as pf sees it: the tag `name`. pf has one string tag
 * per packet where Linux has a 32-bit mark (pf.md, "skb->mark vs tag"). `proxy`: the
 * local transparent proxy a packet with this mark is delivered to, when the program
 * hands it to the host (Linux steers it there by the mark; pf by `rdr-to`).
 */
export interface ProfileMark {
  readonly name: string;
  readonly value: number;
  readonly mask: number;
  readonly proxy: { readonly address: string; readonly port: number } | null;
}

export interface ProfileConstant {
  readonly name: string;
  readonly value: string;
}

/** Session timeouts of Coppice's user-space reaper (SPEC "Session timeouts live in user space"), seconds. */
export const SPEC_TIMEOUTS = [
  'tcp_syn_sent',
  'tcp_syn_recv',
  'tcp_established',
  'tcp_fin_wait',
  'tcp_close_wait',
  'tcp_last_ack',
  'tcp_time_wait',
  'tcp_time_wait_sandbox_closed',
  'tcp_close',
  'udp_unreplied',
  'udp_replied',
  'icmp',
  'reaper_interval',
] as const;
export type SpecTimeout = (typeof SPEC_TIMEOUTS)[number];
export type ProfileTimeouts = Readonly<Partial<Record<SpecTimeout, number>>>;

/** Limits a profile may state; see limits.ts for what each becomes in pf. */
export const PROFILE_LIMITS = ['states', 'sandboxes', 'src_nodes', 'frags', 'table_entries'] as const;
export type ProfileLimit = (typeof PROFILE_LIMITS)[number];
export type ProfileLimits = Readonly<Partial<Record<ProfileLimit, number>>>;

/** Something the profile did not say and bpf2pf assumed. */
export interface ProfileAssumption {
  /** The input object (as given) and program it concerns, when it concerns one. */
  readonly object: string | null;
  readonly program: string | null;
  readonly section: string | null;
  /** What was assumed about, e.g. "attachment of from_cube", "session timeouts". */
  readonly construct: string;
  readonly message: string;
  /** What to write in the profile instead. */
  readonly suggestion: string;
  readonly severity: 'warning' | 'info';
}
