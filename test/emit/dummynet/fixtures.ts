/**
 * IR fixtures for the dummynet emitter (golden files in test/emit/golden/dummynet/<name>/).
 *
 * shaping: Coppice-like per-sandbox egress pipes (a family pipe whose rate is each
 * instance's `bytes_per_second` from the snapshot: one instance without it, one over
 * dummynet's 32-bit bandwidth), a constant uplink pipe with delay and burst used by a
 * global rule, and a global pipe whose rate lives in a map the IR has no value for.
 */
import type { IrFamily, IrPipe, PolicyIR } from '../../../src/ir/types.js';
import { policy, rule } from '../fixtures/build.js';

const fam = { kind: 'family', family: 'coppice' } as const;

export const SANDBOXES: IrFamily = {
  name: 'coppice',
  keyedBy: { map: 'ifindex_to_mvmmeta', keyField: 'ifindex' },
  interface: 'sandbox_taps',
  instances: [
    { key: '03000000', ifindex: 3, name: 'tap3', interface: 'tap3', values: { ip: '10.200.0.3', bytes_per_second: '1250000' }, sets: {} },
    { key: '07000000', ifindex: 7, name: 'tap7', interface: 'tap7', values: { ip: '10.200.0.7', bytes_per_second: '3000' }, sets: {} },
    { key: '09000000', ifindex: 9, name: 'tap9', interface: 'tap9', values: { ip: '10.200.0.9' }, sets: {} },
    { key: '0b000000', ifindex: 11, name: 'tap11', interface: 'tap11', values: { ip: '10.200.0.11', bytes_per_second: '1250000000' }, sets: {} },
  ],
};

export const SANDBOX_PIPE: IrPipe = {
  id: 2,
  scope: fam,
  name: 'sandbox_egress',
  rate: { kind: 'map', map: 'egress_rate', field: 'bytes_per_second' },
  fidelity: { level: 'approximate', reason: 'an earliest-departure-time pacer becomes a dummynet pipe' },
};

export function shaping(extra: Partial<PolicyIR> = {}): PolicyIR {
  return policy({
    families: [SANDBOXES],
    pipes: [
      { id: 1, scope: { kind: 'global' }, name: 'uplink', rate: { kind: 'const', bytesPerSecond: 12500000 }, delayMs: 5, burstBytes: 65536, fidelity: { level: 'exact' } },
      SANDBOX_PIPE,
      { id: 3, scope: { kind: 'global' }, name: 'cube_dev_rate', rate: { kind: 'map', map: 'gw_rate', field: 'bytes_per_second' }, fidelity: { level: 'exact' } },
    ],
    rules: [
      rule({ id: 'from_world.1', program: 'from_world', interface: 'host_nic', direction: 'in', action: 'pass', dnpipe: 1, match: { af: 'inet', proto: [6] }, note: 'TCP from outside is shaped' }),
      rule({ id: 'from_cube.1', scope: fam, interface: 'sandbox_taps', direction: 'in', action: 'pass', dnpipe: 2, match: { af: 'inet', src: { address: { kind: 'familyValue', field: 'ip' }, negate: false } }, note: 'sandbox egress at its rate' }),
      rule({ id: 'from_cube.2', interface: 'sandbox_taps', direction: 'in', action: 'block', keepState: false, note: 'everything else dropped' }),
    ],
    ...extra,
  });
}

export const DUMMYNET_FIXTURES: Readonly<Record<string, PolicyIR>> = {
  shaping: shaping(),
  'no-pipes': policy({ rules: [] }),
};
