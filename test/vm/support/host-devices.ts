import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { VmDevice } from '../../../src/vm/index.js';

/**
 * This machine's network devices as VmOptions.devices, so runs that name an ifindex in
 * the ctx, clone to a device, or check an MTU see what BPF_PROG_TEST_RUN sees here
 * (`ip -j link`, and each device's IPv4 forwarding switch).
 */
export function hostDevices(): VmDevice[] {
  const r = spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  const links = JSON.parse(r.stdout) as { ifindex: number; ifname: string; mtu: number; address?: string; flags?: string[]; link_type?: string }[];
  return links.map((l) => {
    const fwd = `/proc/sys/net/ipv4/conf/${l.ifname}/forwarding`;
    return {
      ifindex: l.ifindex,
      name: l.ifname,
      mtu: l.mtu,
      hardHeaderLen: l.link_type === 'ether' || l.link_type === 'loopback' ? 14 : 0,
      mac: (l.address ?? '00:00:00:00:00:00').split(':').map((x) => parseInt(x, 16)),
      forwarding: existsSync(fwd) && readFileSync(fwd, 'utf8').trim() === '1',
      ...(!(l.flags ?? []).includes('UP') && { down: true }),
    };
  });
}
