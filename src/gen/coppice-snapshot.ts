import { fail } from '../errors.js';
import type { BpfObject } from '../object/types.js';
import { byteOrderOf, type MapStateFile } from '../state/map-state.js';
import { coppiceState } from './coppice-state.js';
import { ALLOW_F_L7, PRIVATE_RANGES, type CoppicePlan } from './coppice-plan.js';

/**
 * corpus/coppice/snapshot.json: the maps of a small Coppice host just after the agent set
 * it up, for `bpf2pf translate --snapshot` and `bpf2pf run --maps` on the three default
 * objects (written by `npm run corpus:snapshot`).
 *
 * - Three sandboxes on TAPs 101, 102, 103 with host-side addresses 10.200.0.1 to .3
 *   (`ifindex_to_mvmmeta`, version 1, and the reverse `mvmip_to_ifindex`).
 * - `deny_out`: the private ranges for every sandbox, plus 0.0.0.0/0 for 103 (no internet).
 * - `allow_out`: one prefix each. The value is the ALLOW_F_* flags of
 *   coppice_structs.h, not a presence marker: 0 is a plain allow and ALLOW_F_L7 (1) sends
 *   the destination through the L7 proxy on cube-dev (from_cube's `verdict &
 *   ALLOW_F_L7`). 101 may reach 10.1.2.0/24 (a hole in the private deny) and 102
 *   192.168.7.7/32, plainly; 103, which has no internet, may reach 93.184.216.34/32 only
 *   through the proxy (value 1).
 * - Port forwarding: host port 8080 -> TAP 101 port 80, 2222 -> TAP 102 port 22
 *   (`remote_port_mapping`, ports in network order, and the reverse `local_port_mapping`).
 * - `snat_iplist`: four addresses 9.135.10.2 to .5 on the host NIC (ifindex 2), each
 *   with its port waterline at 30000.
 * - `egress_rate`: 100 Mbit/s for 101, 1 Gbit/s for 102, 10 Mbit/s for 103 (bytes per
 *   second; no departure scheduled, nothing dropped).
 * - No sessions, DNS domains, pending queries or learned addresses: those maps are listed
 *   empty.
 *
 * Only the maps every given object has are listed (the shared, pinned ones), so the same
 * file loads into each of the three objects.
 */
export function coppiceSnapshotPlan(): CoppicePlan {
  const sandbox = (n: 1 | 2 | 3) => ({
    tap: 100 + n,
    hostIp: `10.200.0.${n}`,
    version: 1,
    uuid: `coppice-sandbox-${n}`,
  });
  const rate = (bytesPerSec: bigint) => ({ bytesPerSec, nextDepartureNs: 0n, dropped: 0n });
  return {
    sandboxes: [
      { ...sandbox(1), allow: [{ cidr: '10.1.2.0/24', flags: 0 }], deny: [...PRIVATE_RANGES], rate: rate(12_500_000n), domains: [], forwards: [{ hostPort: 8080, listenPort: 80 }] },
      { ...sandbox(2), allow: [{ cidr: '192.168.7.7/32', flags: 0 }], deny: [...PRIVATE_RANGES], rate: rate(125_000_000n), domains: [], forwards: [{ hostPort: 2222, listenPort: 22 }] },
      { ...sandbox(3), allow: [{ cidr: '93.184.216.34/32', flags: ALLOW_F_L7 }], deny: [...PRIVATE_RANGES, '0.0.0.0/0'], rate: rate(1_250_000n), domains: [], forwards: [] },
    ],
    snat: ['9.135.10.2', '9.135.10.3', '9.135.10.4', '9.135.10.5'].map((ip) => ({ ifindex: 2, ip, maxPort: 30000 })),
    sessions: [],
    reservations: [],
    pending: [],
    learned: [],
  };
}

/** The snapshot for these objects (the three Coppice objects of one deployment). */
export function coppiceSnapshot(objects: readonly BpfObject[]): MapStateFile {
  const first = objects[0] ?? fail('USAGE', 'coppiceSnapshot: no objects');
  const shared = first.maps.filter((m) => objects.every((o) => o.maps.some((x) => x.name === m.name)));
  for (const m of shared) {
    for (const o of objects) {
      const x = o.maps.find((y) => y.name === m.name)!;
      if (x.type !== m.type || x.keySize !== m.keySize || x.valueSize !== m.valueSize || o.littleEndian !== first.littleEndian) {
        fail('VM_BAD_STATE', `map ${m.name} differs between the objects (type, key or value size, byte order)`);
      }
    }
  }
  const names = new Set(shared.map((m) => m.name));
  const all = coppiceState(first, coppiceSnapshotPlan());
  return { version: 1, byteOrder: byteOrderOf(first.littleEndian), maps: Object.fromEntries(Object.entries(all.maps).filter(([name]) => names.has(name))) };
}

/** The file's text: the snapshot as two-space indented JSON with a final newline. */
export function coppiceSnapshotText(objects: readonly BpfObject[]): string {
  return `${JSON.stringify(coppiceSnapshot(objects), null, 2)}\n`;
}
