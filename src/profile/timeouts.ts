import type { ProfileTimeouts, SpecTimeout } from './types.js';

/**
 * Coppice's session timeouts (conntrack-like states kept by a user-space reaper, SPEC
 * "Session timeouts live in user space") as pf `set timeout` values (pf.md §6.1).
 *
 * pf tracks fewer TCP states than conntrack. Which pf timeout applies is decided in
 * pf_tcp_track_full from the two peers' states:
 *
 * | pf timeout      | applies when (pf)                                   | from the profile (conntrack state)         |
 * |-----------------|-----------------------------------------------------|--------------------------------------------|
 * | tcp.first       | the state was created by the first packet (SYN)     | tcp_syn_sent                               |
 * | tcp.opening     | a peer is not yet established (SYN-ACK seen)        | tcp_syn_recv                               |
 * | tcp.established | both peers established                              | tcp_established                            |
 * | tcp.closing     | one peer has sent a FIN                             | tcp_fin_wait, tcp_close_wait (the longer)  |
 * | tcp.finwait     | both sent FIN, not both acknowledged                | tcp_last_ack                               |
 * | tcp.closed      | both FINs acknowledged, or after a RST              | tcp_time_wait, tcp_close (the longer)      |
 * | udp.first       | first packet                                        | udp_unreplied                              |
 * | udp.single      | more packets, only from the source                  | udp_unreplied                              |
 * | udp.multiple    | both peers have sent                                | udp_replied                                |
 * | icmp.first      | an ICMP query state                                 | icmp                                       |
 * | icmp.error      | an ICMP error answered a query                      | icmp                                       |
 * | interval        | one full pass of the purge thread over all states   | reaper_interval                            |
 *
 * tcp_time_wait_sandbox_closed has no pf equivalent (pf does not record which peer closed
 * first); such connections get tcp.closed.
 *
 * Where two profile timeouts fold into one pf timeout and differ, the longer one is used:
 * a state outliving Coppice's by a few seconds only admits packets of a connection that
 * was already allowed, while a shorter one would cut connections Coppice keeps (silent
 * breakage). Each such fold, each drop and each missing value is stated in
 * `approximations`, so the report can list it.
 */
export interface TimeoutMapping {
  /** pf timeout name -> seconds, in the order of the table above. */
  readonly timeouts: Record<string, number>;
  /** One sentence per difference from Coppice's behaviour. */
  readonly approximations: string[];
}

/** One row of the table: a pf timeout and the profile timeouts it is made from. */
interface Row {
  readonly pf: string;
  readonly from: readonly SpecTimeout[];
  /** pf's FreeBSD default, said in the report when the profile gives no value. */
  readonly pfDefault: number;
}

export const TIMEOUT_TABLE: readonly Row[] = [
  { pf: 'tcp.first', from: ['tcp_syn_sent'], pfDefault: 120 },
  { pf: 'tcp.opening', from: ['tcp_syn_recv'], pfDefault: 30 },
  { pf: 'tcp.established', from: ['tcp_established'], pfDefault: 86400 },
  { pf: 'tcp.closing', from: ['tcp_fin_wait', 'tcp_close_wait'], pfDefault: 900 },
  { pf: 'tcp.finwait', from: ['tcp_last_ack'], pfDefault: 45 },
  { pf: 'tcp.closed', from: ['tcp_time_wait', 'tcp_close'], pfDefault: 90 },
  { pf: 'udp.first', from: ['udp_unreplied'], pfDefault: 60 },
  { pf: 'udp.single', from: ['udp_unreplied'], pfDefault: 30 },
  { pf: 'udp.multiple', from: ['udp_replied'], pfDefault: 60 },
  { pf: 'icmp.first', from: ['icmp'], pfDefault: 20 },
  { pf: 'icmp.error', from: ['icmp'], pfDefault: 10 },
  { pf: 'interval', from: ['reaper_interval'], pfDefault: 10 },
];

/** Profile timeouts pf has no place for. */
export const DROPPED_TIMEOUTS: readonly { readonly spec: SpecTimeout; readonly instead: string; readonly why: string }[] = [
  { spec: 'tcp_time_wait_sandbox_closed', instead: 'tcp.closed', why: 'pf does not record which peer closed first' },
];

/** A difference between the profile's timeouts and what pf will do, with the profile keys it concerns. */
export interface TimeoutNote {
  readonly spec: readonly SpecTimeout[];
  readonly text: string;
}

export function profileTimeoutsToPf(timeouts: ProfileTimeouts): TimeoutMapping {
  const { timeouts: pf, notes } = mapTimeouts(timeouts);
  return { timeouts: pf, approximations: notes.map((n) => n.text) };
}

/** profileTimeoutsToPf with the profile keys of each note, for findings. */
export function mapTimeouts(timeouts: ProfileTimeouts): { timeouts: Record<string, number>; notes: TimeoutNote[] } {
  const pf: Record<string, number> = {};
  const notes: TimeoutNote[] = [];
  const given = (k: SpecTimeout): number | undefined => timeouts[k];
  if (Object.keys(timeouts).length === 0) {
    return { timeouts: pf, notes: [{ spec: [], text: "no session timeouts in the profile: pf's defaults apply (tcp.established 86400 s, udp.multiple 60 s, ...)" }] };
  }
  for (const row of TIMEOUT_TABLE) {
    const present = row.from.filter((k) => given(k) !== undefined);
    if (present.length === 0) {
      notes.push({ spec: row.from, text: `${row.from.join(' and ')} not in the profile: pf's default ${row.pf} ${row.pfDefault} s applies` });
      continue;
    }
    const values = present.map((k) => given(k)!);
    const value = Math.max(...values);
    pf[row.pf] = value;
    if (new Set(values).size > 1) {
      const list = present.map((k) => `${k} ${given(k)} s`).join(', ');
      notes.push({ spec: present, text: `${list}: pf has one state for these, ${row.pf}, set to the longer (${value} s)` });
    }
  }
  for (const d of DROPPED_TIMEOUTS) {
    const v = given(d.spec);
    if (v === undefined) continue;
    const instead = pf[d.instead] ?? TIMEOUT_TABLE.find((r) => r.pf === d.instead)!.pfDefault;
    if (v !== instead) notes.push({ spec: [d.spec], text: `${d.spec} ${v} s has no pf equivalent (${d.why}): those connections get ${d.instead} (${instead} s)` });
  }
  return { timeouts: pf, notes };
}
