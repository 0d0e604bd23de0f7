import { spawnSync } from 'node:child_process';
import type { VmDevice } from '../../src/vm/index.js';
import { ORACLE_BINARY, oracleUnavailable } from '../oracle/oracle.js';
import { hostDevices } from '../support/devices.js';
import { createTestNetns, netnsUnavailable, type TestNetns } from '../support/netns.js';
import type { DifferentialEnv } from './harness.js';

/**
 * The kernel side runs in a private network namespace where every ifindex a run names
 * in its context is made to exist (an ifb device), so BPF_PROG_TEST_RUN accepts it; the
 * interpreter is given the same device list.
 */
export interface KernelEnvironment extends DifferentialEnv {
  remove(): void;
}

export function kernelEnvironmentUnavailable(): string | undefined {
  return oracleUnavailable() ?? netnsUnavailable();
}

export function openKernelEnvironment(tag: string, perProgram: number): KernelEnvironment {
  const ns: TestNetns = createTestNetns(tag, []);
  const made = new Set<number>([1]);
  let devices: VmDevice[] = hostDevices(ns.name);
  return {
    oracleBinary: ns.wrap(ORACLE_BINARY),
    perProgram,
    devices(ifindex?: number) {
      if (ifindex !== undefined && ifindex > 1 && !made.has(ifindex)) {
        made.add(ifindex);
        spawnSync('ip', ['-n', ns.name, 'link', 'add', `dev${ifindex}`, 'index', String(ifindex), 'type', 'ifb']);
        spawnSync('ip', ['-n', ns.name, 'link', 'set', `dev${ifindex}`, 'up']);
        devices = hostDevices(ns.name);
      }
      return devices;
    },
    remove: () => ns.remove(),
  };
}
