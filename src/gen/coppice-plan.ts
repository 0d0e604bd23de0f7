/**
 * Coppice map states as plans: plain data in the agent's own terms (sandboxes, their
 * policy, SNAT pool, live sessions, DNS learning), turned into map entries by
 * coppice-state.ts. The plans are chosen so that every branch of from_cube, from_world
 * and from_envoy has something to hit; the comments say which.
 */

export const ALLOW_F_L7 = 1;
export const ALLOW_F_LEARNED = 0x80000000;

export const CT = {
  NONE: 0, SYN_SENT: 1, SYN_RECV: 2, ESTABLISHED: 3, FIN_WAIT: 4, CLOSE_WAIT: 5, LAST_ACK: 6,
  TIME_WAIT: 7, CLOSE: 8, UDP_UNREPLIED: 1, UDP_REPLIED: 2, ICMP_ACTIVE: 1,
} as const;

export const CLOSER = { NONE: 0, SANDBOX: 1, REMOTE: 2 } as const;

/** The private ranges the agent always denies (SPEC step 6). */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];

export interface SandboxPlan {
  readonly tap: number;
  readonly hostIp: string;
  readonly version: number;
  readonly uuid: string;
  readonly allow: readonly { readonly cidr: string; readonly flags: number }[];
  readonly deny: readonly string[];
  readonly rate?: { readonly bytesPerSec: bigint; readonly nextDepartureNs: bigint; readonly dropped: bigint };
  /** Domains whose answers may be learned (dotted, no leading dot), with the flags learned entries get. */
  readonly domains: readonly { readonly name: string; readonly flags: number }[];
  readonly forwards: readonly { readonly hostPort: number; readonly listenPort: number }[];
}

export interface SnatPlan {
  readonly ifindex: number;
  readonly ip: string;
  readonly maxPort: number;
}

export interface SessionPlan {
  readonly tap: number;
  readonly protocol: 1 | 6 | 17;
  readonly dst: string;
  /** 0 for ICMP. */
  readonly dport: number;
  /** The sandbox-side source port, or the echo identifier. */
  readonly vmPort: number;
  readonly nodePort: number;
  readonly state: number;
  readonly activeClose: number;
  /** Only the reverse entry: the egress session is gone (from_world passes such replies on). */
  readonly reverseOnly?: boolean;
  /** The version in the egress key, when it is not the sandbox's (a recycled TAP). */
  readonly version?: number;
}

/** A reverse entry that holds an SNAT port without a session behind it (collisions). */
export interface ReservationPlan {
  readonly snatSlot: number;
  readonly protocol: 1 | 6 | 17;
  readonly remote: string;
  readonly remotePort: number;
  readonly port: number;
}

export interface PendingQueryPlan {
  readonly tap: number;
  readonly port: number;
  readonly id: number;
  readonly name: string;
  readonly flags: number;
}

export interface LearnedPlan {
  readonly tap: number;
  readonly ip: string;
  readonly name: string;
  readonly flags: number;
}

export interface CoppicePlan {
  readonly sandboxes: readonly SandboxPlan[];
  /** Up to the pool size; missing slots stay zero (ip 0: no SNAT from that slot). */
  readonly snat: readonly SnatPlan[];
  readonly sessions: readonly SessionPlan[];
  readonly reservations: readonly ReservationPlan[];
  readonly pending: readonly PendingQueryPlan[];
  readonly learned: readonly LearnedPlan[];
  /** Extra allow_out prefixes per TAP, to bring a trie to its capacity. */
  readonly fillAllow?: { readonly tap: number; readonly count: number };
  /** Leave a DNS parse in the per-CPU scratch maps, so tail-call stages run alone do work. */
  readonly scratch?: { readonly tap: number; readonly name: string; readonly port: number; readonly id: number; readonly resolver: string };
}

export const EMPTY_PLAN: CoppicePlan = { sandboxes: [], snat: [], sessions: [], reservations: [], pending: [], learned: [] };

/** TAP ifindexes of the planned sandboxes, and one that is never registered. */
export const TAP_A = 11;
export const TAP_B = 12;
export const TAP_C = 13;
export const TAP_UNREGISTERED = 14;

/*
 * Host-side addresses picked so the three sandboxes hash to different SNAT slots
 * (coppiceSnatSlot: .11 -> 0, .18 -> 2, .13 -> 3, .8 -> 1).
 */
const A = '100.96.0.11';
const B = '100.96.0.18';
const C = '100.96.0.13';
const D = '100.96.0.8';

const SANDBOX_A: SandboxPlan = {
  tap: TAP_A,
  hostIp: A,
  version: 1,
  uuid: 'sbx-a-5b1e0c2e-7d1f-4c1a-9a55-0d6c1e2f3a01',
  allow: [
    { cidr: '1.1.1.1/32', flags: 0 },
    { cidr: '93.184.216.0/24', flags: ALLOW_F_L7 },
    { cidr: '10.20.0.0/16', flags: 0 }, // a hole in the private deny
    { cidr: '151.101.1.1/32', flags: ALLOW_F_LEARNED | ALLOW_F_L7 },
    { cidr: '93.184.216.34/32', flags: ALLOW_F_LEARNED },
  ],
  deny: [...PRIVATE_RANGES, '198.51.100.0/24'],
  rate: { bytesPerSec: 1_000_000_000n, nextDepartureNs: 0n, dropped: 0n },
  domains: [{ name: 'example.com', flags: 0 }, { name: 'github.com', flags: ALLOW_F_L7 }],
  forwards: [{ hostPort: 8080, listenPort: 80 }, { hostPort: 8443, listenPort: 443 }],
};

const SANDBOX_B: SandboxPlan = {
  tap: TAP_B,
  hostIp: B,
  version: 7,
  uuid: 'sbx-b-0f4e9d2a-1111-4b2b-8c3c-44d5e6f7a8b9',
  allow: [{ cidr: '8.8.8.8/32', flags: 0 }, { cidr: '140.82.112.0/20', flags: ALLOW_F_L7 }, { cidr: '192.168.7.0/24', flags: 0 }],
  deny: [...PRIVATE_RANGES],
  // Far in the future: every paced packet is past the horizon, whatever the clock says.
  rate: { bytesPerSec: 1000n, nextDepartureNs: 1n << 62n, dropped: 5n },
  domains: [{ name: 'pypi.org', flags: 0 }],
  forwards: [{ hostPort: 2222, listenPort: 22 }],
};

const SANDBOX_C: SandboxPlan = {
  tap: TAP_C,
  hostIp: C,
  version: 3,
  uuid: 'sbx-c-no-internet',
  allow: [{ cidr: '1.1.1.1/32', flags: 0 }],
  deny: [...PRIVATE_RANGES, '0.0.0.0/0'], // no internet access
  domains: [],
  forwards: [{ hostPort: 30080, listenPort: 8000 }],
};

const SNAT_POOL: readonly SnatPlan[] = [
  { ifindex: 2, ip: '9.135.10.2', maxPort: 30010 },
  { ifindex: 2, ip: '9.135.10.3', maxPort: 41000 },
  { ifindex: 0, ip: '9.135.10.4', maxPort: 65534 }, // next port 65535, then the wrap
  { ifindex: 2, ip: '9.135.10.5', maxPort: 0 }, // below the range: starts at snat_port_min
];

const SESSIONS: readonly SessionPlan[] = [
  { tap: TAP_A, protocol: 6, dst: '1.1.1.1', dport: 443, vmPort: 40001, nodePort: 30001, state: CT.ESTABLISHED, activeClose: CLOSER.NONE },
  { tap: TAP_A, protocol: 6, dst: '20.30.40.50', dport: 80, vmPort: 40003, nodePort: 30002, state: CT.SYN_SENT, activeClose: CLOSER.NONE },
  { tap: TAP_A, protocol: 17, dst: '8.8.8.8', dport: 53, vmPort: 40002, nodePort: 30003, state: CT.UDP_UNREPLIED, activeClose: CLOSER.NONE },
  { tap: TAP_A, protocol: 1, dst: '1.1.1.1', dport: 0, vmPort: 77, nodePort: 30004, state: CT.ICMP_ACTIVE, activeClose: CLOSER.NONE },
  { tap: TAP_A, protocol: 6, dst: '20.30.40.51', dport: 22, vmPort: 40004, nodePort: 30005, state: CT.TIME_WAIT, activeClose: CLOSER.SANDBOX },
  // Left by the TAP's previous incarnation: the egress key carries the old version.
  { tap: TAP_A, protocol: 6, dst: '20.30.40.52', dport: 443, vmPort: 40005, nodePort: 30006, state: CT.ESTABLISHED, activeClose: CLOSER.NONE, version: 0 },
  { tap: TAP_A, protocol: 17, dst: '20.30.40.53', dport: 123, vmPort: 40006, nodePort: 30007, state: CT.UDP_REPLIED, activeClose: CLOSER.NONE, reverseOnly: true },
  { tap: TAP_B, protocol: 6, dst: '8.8.8.8', dport: 443, vmPort: 50001, nodePort: 40001, state: CT.SYN_RECV, activeClose: CLOSER.NONE },
  { tap: TAP_B, protocol: 6, dst: '8.8.8.8', dport: 853, vmPort: 50002, nodePort: 40002, state: CT.FIN_WAIT, activeClose: CLOSER.SANDBOX },
  { tap: TAP_B, protocol: 6, dst: '8.8.4.4', dport: 443, vmPort: 50003, nodePort: 40003, state: CT.FIN_WAIT, activeClose: CLOSER.REMOTE },
  { tap: TAP_B, protocol: 6, dst: '8.8.4.4', dport: 80, vmPort: 50004, nodePort: 40004, state: CT.CLOSE_WAIT, activeClose: CLOSER.REMOTE },
  { tap: TAP_B, protocol: 6, dst: '8.8.4.4', dport: 8080, vmPort: 50005, nodePort: 40005, state: CT.LAST_ACK, activeClose: CLOSER.SANDBOX },
  { tap: TAP_B, protocol: 6, dst: '8.8.4.4', dport: 25, vmPort: 50006, nodePort: 40006, state: CT.CLOSE, activeClose: CLOSER.NONE },
  { tap: TAP_B, protocol: 17, dst: '8.8.8.8', dport: 53, vmPort: 50007, nodePort: 40007, state: CT.UDP_UNREPLIED, activeClose: CLOSER.NONE },
  // Its SNAT port is also a forwarded host port: from_world's port mapping wins.
  { tap: TAP_B, protocol: 6, dst: '8.8.4.4', dport: 993, vmPort: 50008, nodePort: 2222, state: CT.ESTABLISHED, activeClose: CLOSER.NONE },
  { tap: TAP_C, protocol: 6, dst: '1.1.1.1', dport: 443, vmPort: 45001, nodePort: 31001, state: CT.ESTABLISHED, activeClose: CLOSER.NONE },
];

export function threeSandboxesPlan(): CoppicePlan {
  return {
    sandboxes: [SANDBOX_A, SANDBOX_B, SANDBOX_C],
    snat: SNAT_POOL,
    sessions: SESSIONS,
    reservations: [],
    pending: [
      { tap: TAP_A, port: 40002, id: 0x1234, name: 'www.example.com', flags: 0 },
      { tap: TAP_A, port: 40002, id: 0x2345, name: 'api.github.com', flags: ALLOW_F_L7 },
      { tap: TAP_B, port: 50007, id: 0x0b0b, name: 'files.pypi.org', flags: 0 },
    ],
    learned: [
      { tap: TAP_A, ip: '93.184.216.34', name: 'www.example.com', flags: 0 },
      { tap: TAP_A, ip: '151.101.1.1', name: 'api.github.com', flags: ALLOW_F_L7 },
    ],
  };
}

/** The three sandboxes, plus a DNS query parse left in the per-CPU scratch maps. */
export function dnsScratchPlan(): CoppicePlan {
  return { ...threeSandboxesPlan(), scratch: { tap: TAP_A, name: 'www.example.com', port: 40002, id: 0x1234, resolver: '8.8.8.8' } };
}

/**
 * Near the limits: A's allow trie at its capacity (learning from DNS answers fails),
 * SNAT ports taken by reservations so allocation collides (all ten tries for some
 * destinations, a few for others), waterlines at the wrap, and a fourth sandbox whose
 * SNAT slot has no address.
 */
export function fullPlan(): CoppicePlan {
  const base = threeSandboxesPlan();
  const pool: SnatPlan[] = [
    { ifindex: 2, ip: '9.135.10.2', maxPort: 65535 }, // next allocation wraps to snat_port_min
    { ifindex: 2, ip: '0.0.0.0', maxPort: 30000 }, // D's slot: no address, every new flow drops
    { ifindex: 0, ip: '9.135.10.4', maxPort: 65533 },
    { ifindex: 2, ip: '9.135.10.5', maxPort: 29990 },
  ];
  const reservations: ReservationPlan[] = [];
  // A (slot 0, wraps to 30000): every port it will try for TCP to 1.0.0.1:443 is taken.
  for (let p = 30000; p < 30010; p++) reservations.push({ snatSlot: 0, protocol: 6, remote: '1.0.0.1', remotePort: 443, port: p });
  // ... and three of them for UDP to 9.9.9.9:53: the fourth try succeeds.
  for (let p = 30000; p < 30003; p++) reservations.push({ snatSlot: 0, protocol: 17, remote: '9.9.9.9', remotePort: 53, port: p });
  // B (slot 2, 65534, 65535, then 30000 ...): collisions across the wrap.
  for (const p of [65534, 65535, 30000]) reservations.push({ snatSlot: 2, protocol: 6, remote: '8.8.8.8', remotePort: 443, port: p });
  const sandboxD: SandboxPlan = {
    tap: TAP_UNREGISTERED + 1,
    hostIp: D,
    version: 2,
    uuid: 'sbx-d-dry-pool',
    allow: [],
    deny: [...PRIVATE_RANGES],
    domains: [{ name: 'example.org', flags: 0 }],
    forwards: [],
  };
  return {
    ...base,
    sandboxes: [...base.sandboxes, sandboxD],
    snat: pool,
    reservations,
    fillAllow: { tap: TAP_A, count: 4096 },
  };
}
