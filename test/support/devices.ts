import { spawnSync } from 'node:child_process';
import type { VmDevice } from '../../src/vm/index.js';

/**
 * Network devices as VmOptions.devices, so runs that name an ifindex in the ctx, clone to
 * a device, or check an MTU see what BPF_PROG_TEST_RUN sees (`ip -j link`, and each
 * device's IPv4 forwarding switch), here or in a network namespace.
 */
export function hostDevices(netns?: string): VmDevice[] {
  const ip = (args: string[]) => spawnSync('ip', [...(netns ? ['-n', netns] : []), ...args], { encoding: 'utf8' });
  const r = ip(['-j', 'link', 'show']);
  if (r.status !== 0) return [];
  const links = JSON.parse(r.stdout) as { ifindex: number; ifname: string; mtu: number; address?: string; flags?: string[]; link_type?: string }[];
  const forwarding = (name: string): boolean => {
    const cmd = netns ? ['ip', 'netns', 'exec', netns, 'cat'] : ['cat'];
    const out = spawnSync(cmd[0], [...cmd.slice(1), `/proc/sys/net/ipv4/conf/${name}/forwarding`], { encoding: 'utf8' });
    return out.status === 0 && out.stdout.trim() === '1';
  };
  return links.map((l) => ({
    ifindex: l.ifindex,
    name: l.ifname,
    mtu: l.mtu,
    hardHeaderLen: l.link_type === 'ether' || l.link_type === 'loopback' ? 14 : 0,
    mac: (l.address ?? '00:00:00:00:00:00').split(':').map((x) => parseInt(x, 16)),
    forwarding: forwarding(l.ifname),
    ...(!(l.flags ?? []).includes('UP') && { down: true }),
  }));
}
