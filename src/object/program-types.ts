/**
 * Section name -> program type, following libbpf's matching rules (reference §1.3):
 * an exact name matches only itself; a `+` entry matches the name or `name/...`; a
 * trailing `/` entry matches that prefix. The first match wins, so order matters.
 */
export type ProgramTypeName =
  | 'sched_cls'
  | 'sched_act'
  | 'xdp'
  | 'socket_filter'
  | 'sk_skb'
  | 'cgroup_skb'
  | 'lwt_in'
  | 'lwt_out'
  | 'lwt_xmit'
  | 'lwt_seg6local'
  | 'flow_dissector'
  | 'kprobe'
  | 'tracepoint'
  | 'raw_tracepoint'
  | 'perf_event'
  | 'unknown';

export interface ProgramKind {
  readonly type: ProgramTypeName;
  /** expected_attach_type as libbpf names it, when the section implies one. */
  readonly attach?: string;
}

interface SectionRule {
  readonly pattern: string;
  readonly match: 'exact' | 'plus' | 'prefix';
  readonly kind: ProgramKind;
}

const RULES: readonly SectionRule[] = [
  { pattern: 'tc/ingress', match: 'exact', kind: { type: 'sched_cls', attach: 'tcx_ingress' } },
  { pattern: 'tc/egress', match: 'exact', kind: { type: 'sched_cls', attach: 'tcx_egress' } },
  { pattern: 'tcx/ingress', match: 'exact', kind: { type: 'sched_cls', attach: 'tcx_ingress' } },
  { pattern: 'tcx/egress', match: 'exact', kind: { type: 'sched_cls', attach: 'tcx_egress' } },
  { pattern: 'tc', match: 'exact', kind: { type: 'sched_cls' } },
  { pattern: 'classifier', match: 'exact', kind: { type: 'sched_cls' } },
  { pattern: 'action', match: 'exact', kind: { type: 'sched_act' } },
  { pattern: 'netkit/primary', match: 'exact', kind: { type: 'sched_cls', attach: 'netkit_primary' } },
  { pattern: 'netkit/peer', match: 'exact', kind: { type: 'sched_cls', attach: 'netkit_peer' } },
  { pattern: 'xdp.frags/devmap', match: 'exact', kind: { type: 'xdp', attach: 'xdp_devmap' } },
  { pattern: 'xdp/devmap', match: 'exact', kind: { type: 'xdp', attach: 'xdp_devmap' } },
  { pattern: 'xdp.frags/cpumap', match: 'exact', kind: { type: 'xdp', attach: 'xdp_cpumap' } },
  { pattern: 'xdp/cpumap', match: 'exact', kind: { type: 'xdp', attach: 'xdp_cpumap' } },
  { pattern: 'xdp.frags', match: 'exact', kind: { type: 'xdp', attach: 'xdp' } },
  { pattern: 'xdp', match: 'exact', kind: { type: 'xdp', attach: 'xdp' } },
  { pattern: 'socket', match: 'plus', kind: { type: 'socket_filter' } },
  { pattern: 'sk_skb/stream_parser', match: 'exact', kind: { type: 'sk_skb', attach: 'sk_skb_stream_parser' } },
  { pattern: 'sk_skb/stream_verdict', match: 'exact', kind: { type: 'sk_skb', attach: 'sk_skb_stream_verdict' } },
  { pattern: 'sk_skb', match: 'plus', kind: { type: 'sk_skb' } },
  { pattern: 'cgroup_skb/ingress', match: 'exact', kind: { type: 'cgroup_skb', attach: 'cgroup_inet_ingress' } },
  { pattern: 'cgroup_skb/egress', match: 'exact', kind: { type: 'cgroup_skb', attach: 'cgroup_inet_egress' } },
  { pattern: 'cgroup/skb', match: 'exact', kind: { type: 'cgroup_skb' } },
  { pattern: 'lwt_in', match: 'plus', kind: { type: 'lwt_in' } },
  { pattern: 'lwt_out', match: 'plus', kind: { type: 'lwt_out' } },
  { pattern: 'lwt_xmit', match: 'plus', kind: { type: 'lwt_xmit' } },
  { pattern: 'lwt_seg6local', match: 'plus', kind: { type: 'lwt_seg6local' } },
  { pattern: 'flow_dissector', match: 'plus', kind: { type: 'flow_dissector', attach: 'flow_dissector' } },
  { pattern: 'kprobe', match: 'plus', kind: { type: 'kprobe' } },
  { pattern: 'kretprobe', match: 'plus', kind: { type: 'kprobe' } },
  { pattern: 'tracepoint', match: 'plus', kind: { type: 'tracepoint' } },
  { pattern: 'tp', match: 'plus', kind: { type: 'tracepoint' } },
  { pattern: 'raw_tracepoint', match: 'plus', kind: { type: 'raw_tracepoint' } },
  { pattern: 'raw_tp', match: 'plus', kind: { type: 'raw_tracepoint' } },
  { pattern: 'perf_event', match: 'plus', kind: { type: 'perf_event' } },
];

function matches(rule: SectionRule, name: string): boolean {
  switch (rule.match) {
    case 'exact':
      return name === rule.pattern;
    case 'plus':
      return name === rule.pattern || name.startsWith(`${rule.pattern}/`);
    case 'prefix':
      return name.startsWith(rule.pattern);
    default: {
      const never: never = rule.match;
      return never;
    }
  }
}

/** The program kind for a section name as written in SEC(); a leading `?` (no autoload) is ignored. */
export function programKindOf(sectionName: string): ProgramKind {
  const name = sectionName.startsWith('?') ? sectionName.slice(1) : sectionName;
  return RULES.find((r) => matches(r, name))?.kind ?? { type: 'unknown' };
}

/** Whether the policy phases can translate programs of this kind at all. */
export function isPacketProgram(type: ProgramTypeName): boolean {
  return type === 'sched_cls' || type === 'sched_act' || type === 'xdp';
}
