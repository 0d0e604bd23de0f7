import { fail } from '../errors.js';
import type { BpfMap, BpfObject } from '../object/types.js';
import { parseCidr, parseIpv4 } from '../packet/addresses.js';
import type { EncodableValue } from '../state/encode-value.js';
import { entry, innerMapEntry, lpmKey } from '../state/map-entries.js';
import type { MapEntry } from '../state/map-state.js';
import type { PoolHints } from './draw-pools.js';

/**
 * Hand-written states for idioms whose policy a schema-driven state cannot reach: a
 * bitmap with the right bits, rules in the order that makes first-match visible, keys
 * an ifindex must match, maps without BTF layouts. Keyed by idiom name
 * (corpus/idioms/idioms.json); each idiom lists the map that identifies its objects.
 * Values follow each idiom's header (corpus/idioms/src/<name>.h).
 */
export interface IdiomState {
  readonly name: string;
  readonly description: string;
  /** Entries by map name; maps not listed get the object's initial contents (empty). */
  readonly contents: Readonly<Record<string, readonly MapEntry[]>>;
  readonly hints?: PoolHints;
}

interface IdiomStates {
  /** A map only this idiom's objects have. */
  readonly identifiedBy: string;
  readonly states: (b: Builder) => IdiomState[];
}

/**
 * Entries for one object: values encoded against its layouts and byte order. `e` and
 * `lpm` on a map of maps build entries of its inner maps.
 */
interface Builder {
  readonly le: boolean;
  e(map: string, key: EncodableValue | Uint8Array, value: EncodableValue | Uint8Array): MapEntry;
  inner(map: string, key: EncodableValue, entries: readonly MapEntry[]): MapEntry;
  lpm(map: string, cidr: string, value: EncodableValue | Uint8Array): MapEntry;
  /** Raw bytes for maps without layouts: numbers in the target's order. */
  bytes(...parts: readonly (readonly ['u8' | 'u16' | 'u32' | 'u64', number | bigint] | readonly ['ip', string])[]): Uint8Array;
}

const TAPS = [11, 12, 13];

export const IDIOM_STATES: Readonly<Record<string, IdiomStates>> = {
  array_of_maps_gen: {
    identifiedBy: 'deny_generations',
    states: (b) => {
      const gen0 = [b.e('deny_gen0', '192.0.2.1', 1)];
      const gen1 = [b.e('deny_gen1', '198.51.100.7', 1), b.e('deny_gen1', '203.0.113.9', 1)];
      const sets = { deny_gen0: gen0, deny_gen1: gen1 };
      return [
        { name: 'gen1-active', description: 'generation 1 live (deny_active = 1)', contents: { ...sets, deny_active: [b.e('deny_active', 0, 1)] } },
        { name: 'gen0-active', description: 'generation 0 live (deny_active zero)', contents: sets },
        {
          name: 'slot-missing',
          description: 'deny_active points at an empty slot: everything passes',
          contents: { ...sets, deny_active: [b.e('deny_active', 0, 1)], deny_generations: [b.inner('deny_generations', 0, gen0)] },
        },
      ];
    },
  },
  bpf_loop_ranges: {
    identifiedBy: 'port_ranges',
    states: (b) => {
      const r = (i: number, lo: number, hi: number, proto: number, action: number): MapEntry => b.e('port_ranges', i, { lo, hi, proto, action });
      return [
        {
          name: 'first-match',
          description: 'ssh passes before the 20-1024 drop; a terminator hides slot 5',
          contents: { port_ranges: [r(0, 22, 22, 6, 1), r(1, 20, 1024, 6, 2), r(2, 5000, 6000, 17, 2), r(3, 53, 53, 17, 1), r(5, 0, 65535, 17, 2)] },
          hints: { ports: [22, 20, 1024, 1025, 5000, 6000, 53, 19, 443] },
        },
      ];
    },
  },
  dnat_port_map: {
    identifiedBy: 'dnat_rules',
    states: (b) => {
      const rule = (port: number, proto: number, addr: string, to: number): MapEntry => b.e('dnat_rules', { port: { net: port }, proto }, { addr, port: { net: to } });
      return [{ name: 'published', description: 'tcp 8080 and 443, udp 53 forwarded inside', contents: { dnat_rules: [rule(8080, 6, '10.0.0.5', 80), rule(443, 6, '10.0.0.6', 8443), rule(53, 17, '10.0.0.53', 5353), rule(8080, 17, '10.0.0.7', 8080)] } }];
    },
  },
  edt_rate_ifindex: {
    identifiedBy: 'edt_rates',
    states: (b) => [
      {
        name: 'three-links',
        description: 'fast link with an idle clock, unshaped link, slow link whose clock is past the horizon',
        contents: {
          edt_rates: [b.e('edt_rates', 11, { bytes_per_sec: 1_000_000_000n }), b.e('edt_rates', 12, { bytes_per_sec: 0 }), b.e('edt_rates', 13, { bytes_per_sec: 1000 })],
          edt_clocks: [b.e('edt_clocks', 13, { next_departure_ns: 1n << 62n })],
        },
        hints: { ifindexes: TAPS },
      },
    ],
  },
  hom_ifindex_sets: {
    identifiedBy: 'sandbox_dests',
    states: (b) => [
      {
        name: 'three-taps',
        description: 'two provisioned TAPs (one with an empty set) and one with destinations',
        contents: {
          sandbox_dests: [
            b.inner('sandbox_dests', 11, [b.e('sandbox_dests', '1.1.1.1', 1), b.e('sandbox_dests', '192.0.2.10', 1)]),
            b.inner('sandbox_dests', 12, []),
            b.inner('sandbox_dests', 13, [b.e('sandbox_dests', '8.8.8.8', 1)]),
          ],
        },
        hints: { ifindexes: TAPS, hosts: ['1.1.1.1', '192.0.2.10', '8.8.8.8'] },
      },
    ],
  },
  legacy_bpf_map_def: {
    identifiedBy: 'udp_deny_ports',
    states: (b) => [
      {
        name: 'reflectors',
        description: 'memcached, chargen and SSDP denied (host-order u16 keys)',
        contents: { udp_deny_ports: [11211, 19, 1900].map((p) => b.e('udp_deny_ports', b.bytes(['u16', p]), b.bytes(['u8', 1]))) },
        hints: { ports: [11211, 19, 1900, 53] },
      },
    ],
  },
  legacy_elf_map: {
    identifiedBy: 'blocked_src',
    states: (b) => [
      {
        name: 'two-sources',
        description: 'two blocked sources, a drop counter already running',
        contents: {
          blocked_src: ['192.0.2.1', '198.51.100.7'].map((h) => b.e('blocked_src', b.bytes(['ip', h]), b.bytes(['u32', 1]))),
          blocked_drops: [b.e('blocked_drops', 0, b.bytes(['u64', 5]))],
        },
        hints: { hosts: ['192.0.2.1', '198.51.100.7', '192.0.2.2'] },
      },
    ],
  },
  lru_conntrack: {
    identifiedBy: 'ct_flows',
    states: (b) => {
      const flow = (local: string, remote: string, lport: number, rport: number, proto: number, seen: bigint): MapEntry =>
        b.e('ct_flows', { local, remote, lport: { net: lport }, rport: { net: rport }, proto }, { last_seen_ns: seen, packets_out: 3 });
      return [
        {
          name: 'flows',
          description: 'remembered TCP and UDP flows (their age depends on the clock of the run)',
          contents: { ct_flows: [flow('10.0.0.2', '93.184.216.34', 40000, 443, 6, 0n), flow('10.0.0.2', '8.8.8.8', 5353, 53, 17, 1n << 62n), flow('10.0.0.3', '1.1.1.1', 40001, 80, 6, 0xffffffffffffffffn)] },
          hints: { hosts: ['10.0.0.2', '10.0.0.3', '93.184.216.34', '8.8.8.8', '1.1.1.1'], ports: [40000, 40001, 5353, 443, 53, 80, 22] },
        },
      ];
    },
  },
  nobtf_legacy: {
    identifiedBy: 'nb_rules',
    states: (b) => {
      const rule = (daddr: string, proto: number, action: number): MapEntry =>
        b.e('nb_rules', b.bytes(['ip', daddr], ['u8', proto], ['u8', 0], ['u16', 0]), b.bytes(['u32', action], ['u32', 0], ['u64', 0]));
      return [
        {
          name: 'per-protocol',
          description: 'drop and pass rules per (destination, protocol), one with an unknown action',
          contents: { nb_rules: [rule('192.0.2.1', 6, 1), rule('192.0.2.1', 17, 0), rule('198.51.100.7', 1, 1), rule('203.0.113.9', 6, 7)] },
          hints: { hosts: ['192.0.2.1', '198.51.100.7', '203.0.113.9'] },
        },
      ];
    },
  },
  port_set_allow: {
    identifiedBy: 'open_ports',
    states: (b) => [{ name: 'web-and-ssh', description: 'ports 22, 53, 80, 443 open', contents: { open_ports: [22, 53, 80, 443].map((p) => b.e('open_ports', p, 1)) }, hints: { ports: [22, 53, 80, 443, 8080, 25] } }],
  },
  redirect_map_ifindex: {
    identifiedBy: 'egress_routes',
    states: (b) => [
      {
        name: 'routes',
        description: 'egress, ingress and stray-flag redirects',
        contents: {
          egress_routes: [
            b.e('egress_routes', '192.0.2.1', { ifindex: 2, flags: 0 }),
            b.e('egress_routes', '198.51.100.7', { ifindex: 3, flags: 1 }),
            b.e('egress_routes', '203.0.113.9', { ifindex: 4, flags: 0x101 }),
          ],
        },
      },
    ],
  },
  snat_session: {
    identifiedBy: 'nat_sessions',
    states: (b): IdiomState[] => {
      const session = (saddr: string, daddr: string, sport: number, dport: number, proto: number, ext: number): MapEntry[] => [
        b.e('nat_sessions', { saddr, daddr, sport: { net: sport }, dport: { net: dport }, proto }, { ext_port: { net: ext }, last_seen_ns: 0 }),
        b.e('nat_reverse', { raddr: daddr, rport: { net: dport }, ext_port: { net: ext }, proto }, { saddr, sport: { net: sport } }),
      ];
      const s1 = session('10.0.0.2', '93.184.216.34', 40000, 443, 6, 20005);
      const s2 = session('10.1.2.3', '8.8.8.8', 5353, 53, 17, 29999);
      return [
        {
          name: 'sessions',
          description: 'a TCP and a UDP binding; the port cursor one step before it wraps',
          contents: { nat_sessions: [s1[0], s2[0]], nat_reverse: [s1[1], s2[1]], nat_ports: [b.e('nat_ports', 0, { next: 9999 })] },
          hints: { hosts: ['10.0.0.2', '10.1.2.3', '93.184.216.34', '8.8.8.8', '198.51.100.1'], ports: [40000, 443, 5353, 53, 20005, 29999, 20000] },
        },
        { name: 'cursor-wrap', description: 'no sessions; the 32-bit cursor at its last value', contents: { nat_ports: [b.e('nat_ports', 0, { next: 0xffffffff })] } },
      ];
    },
  },
  spin_lock_policer: {
    identifiedBy: 'udp_policer',
    states: (b) => [{ name: 'full-bucket', description: 'bucket full, lock word zero', contents: { udp_policer: [b.e('udp_policer', 0, { tokens: 262144, last_ns: 0 })] } }],
  },
  token_bucket_ktime: {
    identifiedBy: 'echo_buckets',
    states: (b) => [
      {
        name: 'buckets',
        description: 'an empty bucket and a full one (refill depends on the clock of the run)',
        contents: { echo_buckets: [b.e('echo_buckets', '192.0.2.1', { credit_ns: 0, last_ns: 0 }), b.e('echo_buckets', '198.51.100.7', { credit_ns: 2_000_000_000, last_ns: 1n << 62n })] },
      },
    ],
  },
  xdp_src_port_bitmap: {
    identifiedBy: 'src_rules',
    states: (b) => [
      {
        name: 'allow-deny-unknown',
        description: 'an allow bitmap, a deny bitmap and a rule with an unknown mode',
        contents: {
          src_rules: [
            b.e('src_rules', '192.0.2.1', { mode: 1, ports: bitmap([22, 80, 443]) }),
            b.e('src_rules', '192.0.2.2', { mode: 2, ports: bitmap([23, 445, 65535]) }),
            b.e('src_rules', '192.0.2.3', { mode: 7, ports: bitmap([80]) }),
          ],
        },
        hints: { hosts: ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4'], ports: [22, 80, 443, 23, 445, 65535, 8080] },
      },
    ],
  },
  lpm_allow_dst: { identifiedBy: 'allow_dst', states: (b) => [nested(b, 'allow_dst', 1)] },
  lpm_allow_src: { identifiedBy: 'allow_src', states: (b) => [nested(b, 'allow_src', 1)] },
  lpm_deny_dst: { identifiedBy: 'deny_dst', states: (b) => [nested(b, 'deny_dst', { reason: 3, added_by: 1 })] },
  lpm_deny_src: {
    identifiedBy: 'deny_src4',
    states: (b) => {
      const v4 = nested(b, 'deny_src4', 1);
      const deny_src6 = ['2001:db8::/32', 'fe80::/10', '2001:db8:1::1/128'].map((c) => b.lpm('deny_src6', c, 1));
      return [{ ...v4, description: `${v4.description}; IPv6 2001:db8::/32, fe80::/10, one /128`, contents: { ...v4.contents, deny_src6 } }];
    },
  },
  hash_blocked_hosts: {
    identifiedBy: 'blocked_hosts',
    states: (b) => [{ name: 'quarantine', description: 'two quarantined hosts', contents: { blocked_hosts: ['192.0.2.1', '203.0.113.9'].map((h) => b.e('blocked_hosts', h, { packets: 0, bytes: 0 })) } }],
  },
  pinned_blocklist: {
    identifiedBy: 'idiom_blocklist',
    states: (b) => [{ name: 'shared', description: 'two blocked sources', contents: { idiom_blocklist: ['198.51.100.7', '192.0.2.77'].map((h) => b.e('idiom_blocklist', h, 1)) } }],
  },
};

/** Overlapping IPv4 prefixes (a /8 with a /16 inside, a /24, a host). */
function nested(b: Builder, map: string, value: EncodableValue): IdiomState {
  return {
    name: 'nested-prefixes',
    description: `${map}: 10/8 with 10.1/16 inside, 192.0.2/24, 198.51.100.7/32`,
    contents: { [map]: ['10.0.0.0/8', '10.1.0.0/16', '192.0.2.0/24', '198.51.100.7/32'].map((c) => b.lpm(map, c, value)) },
    hints: { hosts: ['10.1.2.3', '10.2.0.1', '11.0.0.1', '192.0.2.200', '198.51.100.7', '198.51.100.8'] },
  };
}

/** `__u64 ports[1024]` with one bit per port (word port / 64, bit port % 64). */
function bitmap(ports: readonly number[]): string[] {
  const words = new Array<bigint>(1024).fill(0n);
  for (const p of ports) words[p >> 6] |= 1n << BigInt(p & 63);
  return words.map((w) => w.toString());
}

/** The hand-written states of the idiom `name`, or of the idiom whose map `obj` has. */
export function idiomStates(obj: BpfObject, name?: string): { idiom: string; states: IdiomState[] } | undefined {
  const found = name !== undefined ? (IDIOM_STATES[name] ? name : undefined) : Object.keys(IDIOM_STATES).find((k) => obj.maps.some((m) => m.name === IDIOM_STATES[k].identifiedBy));
  if (!found) return undefined;
  return { idiom: found, states: IDIOM_STATES[found].states(builder(obj)) };
}

function builder(obj: BpfObject): Builder {
  const le = obj.littleEndian;
  const map = (name: string): BpfMap => obj.maps.find((m) => m.name === name) ?? fail('VM_BAD_STATE', `object has no map ${name}`);
  const innerOf = (name: string): BpfMap | NonNullable<BpfMap['inner']> => {
    const m = map(name);
    return m.inner ?? m;
  };
  return {
    le,
    e: (name, key, value) => entry(innerOf(name), key, value, le),
    inner: (name, key, entries) => innerMapEntry(map(name), key, entries, le),
    lpm: (name, cidr, value) => {
      const m = innerOf(name);
      return entry(m, lpmKey(m.keySize, parseCidr(cidr), le), value, le);
    },
    bytes: (...parts) => {
      const out: number[] = [];
      for (const [kind, v] of parts) {
        if (kind === 'ip') {
          out.push(...parseIpv4(v as string));
          continue;
        }
        const size = { u8: 1, u16: 2, u32: 4, u64: 8 }[kind];
        let x = BigInt(v);
        const bytes: number[] = [];
        for (let i = 0; i < size; i++) {
          bytes.push(Number(x & 0xffn));
          x >>= 8n;
        }
        out.push(...(le ? bytes : bytes.reverse()));
      }
      return Uint8Array.from(out);
    },
  };
}

