import { fail } from '../errors.js';
import type { BpfObject } from '../object/types.js';
import { ipv4ToNumber, numberToIpv4, parseCidr } from '../packet/addresses.js';
import { entry, innerMapEntry, lpmKey } from '../state/map-entries.js';
import type { MapEntry, MapStateFile } from '../state/map-state.js';
import { stateFile } from '../state/state-file.js';
import type { EncodableValue } from '../state/encode-value.js';
import { coppiceMap } from './coppice-names.js';
import { coppiceSnatSlot } from './coppice-jhash.js';
import type { CoppicePlan, SandboxPlan, SessionPlan } from './coppice-plan.js';

/** DNS_NAME_MAX in coppice_structs.h: the name part of a domain trie key. */
export const DNS_NAME_MAX = 128;

/**
 * The map state a plan describes, for one Coppice object (any of the three: they share
 * the maps). Entries go in under the object's own map names, so renamed builds work.
 */
export function coppiceState(obj: BpfObject, plan: CoppicePlan): MapStateFile {
  const le = obj.littleEndian;
  const contents: Record<string, MapEntry[]> = {};
  const put = (name: string, e: (m: NonNullable<ReturnType<typeof coppiceMap>>) => MapEntry): void => {
    const m = coppiceMap(obj, name);
    if (!m) return; // an object without this map (none of ours) simply gets no entries for it
    (contents[m.name] ??= []).push(e(m));
  };
  const slotOf = (hostIp: string): number => coppiceSnatSlot(ipv4ToNumber(hostIp), Math.max(1, coppiceMap(obj, 'snat_iplist')?.maxEntries ?? 4));
  const sandboxOf = (tap: number): SandboxPlan => plan.sandboxes.find((s) => s.tap === tap) ?? fail('VM_BAD_STATE', `plan has no sandbox on TAP ${tap}`);

  for (const s of plan.sandboxes) {
    put('mvmip_to_ifindex', (m) => entry(m, s.hostIp, s.tap, le));
    put('ifindex_to_mvmmeta', (m) => entry(m, s.tap, { version: s.version, ip: s.hostIp, uuid: s.uuid }, le));
    const allow = s.allow.map((a) => ({ key: lpmKey(8, parseCidr(a.cidr), le), flags: a.flags }));
    if (plan.fillAllow?.tap === s.tap) {
      for (let i = 0; allow.length < plan.fillAllow.count; i++) {
        allow.push({ key: lpmKey(8, parseCidr(`${numberToIpv4(0xf0000000 + i)}/32`), le), flags: 0 });
      }
    }
    put('allow_out', (m) => innerMapEntry(m, s.tap, allow.map((a) => entry(m.inner ?? m, a.key, a.flags, le)), le));
    put('deny_out', (m) => innerMapEntry(m, s.tap, s.deny.map((c) => entry(m.inner ?? m, lpmKey(8, parseCidr(c), le), 0, le)), le));
    if (s.rate) {
      const r = s.rate;
      put('egress_rate', (m) => entry(m, s.tap, { bytes_per_sec: r.bytesPerSec, next_departure_ns: r.nextDepartureNs, dropped: r.dropped }, le));
    }
    if (s.domains.length) {
      put('dns_domains', (m) => innerMapEntry(m, s.tap, s.domains.map((d) => entry(m.inner ?? m, domainKey(`.${d.name}`, le), d.flags, le)), le));
    }
    for (const f of s.forwards) {
      const port = { ifindex: s.tap, listen_port: { net: f.listenPort } };
      put('remote_port_mapping', (m) => entry(m, { net: f.hostPort }, port, le));
      put('local_port_mapping', (m) => entry(m, port, { net: f.hostPort }, le));
    }
  }

  plan.snat.forEach((p, i) => put('snat_iplist', (m) => entry(m, i, { lock: { val: 0 }, ifindex: p.ifindex, ip: p.ip, max_port: p.maxPort }, le)));

  for (const s of plan.sessions) {
    const sb = sandboxOf(s.tap);
    const pool = plan.snat[slotOf(sb.hostIp)] ?? { ifindex: 0, ip: '0.0.0.0', maxPort: 0 };
    if (!s.reverseOnly) {
      put('egress_sessions', (m) => entry(m, egressKey(s, sb), natSession(s, sb, pool.ifindex, pool.ip), le));
    }
    put('ingress_sessions', (m) => entry(m, reverseKey(s.protocol, s.dst, s.dport, pool.ip, s.nodePort), { version: sb.version, vm_ip: sb.hostIp, vm_port: { net: s.vmPort } }, le));
  }

  for (const r of plan.reservations) {
    const pool = plan.snat[r.snatSlot];
    if (!pool) continue;
    // Whose flow holds the port does not matter to from_cube, only that the key exists.
    put('ingress_sessions', (m) => entry(m, reverseKey(r.protocol, r.remote, r.remotePort, pool.ip, r.port), { version: 99, vm_ip: '100.96.255.254', vm_port: { net: 61000 } }, le));
  }

  for (const q of plan.pending) {
    put('dns_queries', (m) => entry(m, { ifindex: q.tap, port: { net: q.port }, id: { net: q.id } }, { created_ns: 1_000_000_000n, flags: q.flags, qname: qnameValue(q.name) }, le));
  }

  for (const l of plan.learned) {
    const addr = { prefixlen: 32, ip: l.ip };
    put('dns_allow_expiry', (m) => entry(m, { ifindex: l.tap, addr }, { expires_ns: 1n << 62n, qname: qnameValue(l.name) }, le));
  }

  if (plan.scratch) {
    const sc = plan.scratch;
    const sb = sandboxOf(sc.tap);
    const pi = { saddr: sb.hostIp, daddr: sc.resolver, sport: { net: sc.port }, dport: { net: 53 }, l4_off: 34, proto: 17, ifindex: sc.tap, vm_ip: sb.hostIp, vm_version: sb.version };
    const dotted = `.${sc.name}`;
    put('cube_percpu', (m) => entry(m, 0, { pi, dns_id: { net: sc.id }, name_len: dotted.length, name: dotted, pend: { qname: qnameValue(sc.name) } }, le));
    const ansOff = 34 + 8 + 12 + dotted.length + 1 + 4;
    put('world_percpu', (m) => entry(m, 0, { ifindex: sc.tap, l4_off: 34, vm_port: { net: sc.port }, ancount: 2, ans_off: ansOff, name: dotted, learned: { qname: qnameValue(sc.name) } }, le));
  }

  return stateFile(obj.maps, contents, le);
}

/** `struct dns_name_key` for a dotted name with a leading dot: reversed, prefixlen = 8 * length. */
export function domainKey(dotted: string, le: boolean): Uint8Array {
  const name = dotted.toLowerCase();
  if (name.length > DNS_NAME_MAX) fail('VM_BAD_STATE', `domain name longer than ${DNS_NAME_MAX}: ${name.slice(0, 30)}...`);
  const out = new Uint8Array(4 + DNS_NAME_MAX);
  new DataView(out.buffer).setUint32(0, name.length * 8, le);
  for (let i = 0; i < name.length; i++) out[4 + i] = name.charCodeAt(name.length - 1 - i) & 255;
  return out;
}

function qnameValue(name: string): { [k: string]: EncodableValue } {
  const dotted = `.${name.toLowerCase()}`;
  return { prefixlen: dotted.length * 8, name: [...dotted].reverse().join('') };
}

function egressKey(s: SessionPlan, sb: SandboxPlan): { [k: string]: EncodableValue } {
  return {
    src_ip: sb.hostIp,
    dst_ip: s.dst,
    src_port: { net: s.vmPort },
    dst_port: { net: s.protocol === 1 ? 0 : s.dport },
    version: s.version ?? sb.version,
    protocol: s.protocol,
  };
}

function natSession(s: SessionPlan, sb: SandboxPlan, nodeIfindex: number, nodeIp: string): { [k: string]: EncodableValue } {
  return {
    access_time: 1_000_000_000n,
    node_ifindex: nodeIfindex,
    node_ip: nodeIp,
    vm_ifindex: sb.tap,
    vm_ip: sb.hostIp,
    node_port: { net: s.nodePort },
    vm_port: { net: s.vmPort },
    state: s.state,
    active_close: s.activeClose,
  };
}

/** ct_reverse_key: the external side of a flow; version 0 (from_world cannot know it). */
function reverseKey(protocol: number, remote: string, remotePort: number, nodeIp: string, nodePort: number): { [k: string]: EncodableValue } {
  return {
    src_ip: remote,
    dst_ip: nodeIp,
    src_port: { net: protocol === 1 ? 0 : remotePort },
    dst_port: { net: nodePort },
    version: 0,
    protocol,
  };
}
