/**
 * IR fixtures for the netgraph emitter (golden files in test/emit/golden/netgraph/<name>/)
 * and the compiler the tests inject: tcpdump's own code generator (`tcpdump -y EN10MB
 * -ddd`), assembled with src/cbpf/assemble.ts, so the programs are real libpcap output.
 *
 * classifiers: the host NIC classified both ways (inbound: only IPv4, ARP and unicast
 * pass; outbound: LLDP dropped), and an ARP guard on every sandbox TAP of a family, with
 * the sandbox's own address put into the predicate per instance through value(ip).
 */
import { assembleCbpf } from '../../../src/cbpf/assemble.js';
import type { CbpfProgram } from '../../../src/cbpf/types.js';
import type { IrClassifier, PolicyIR } from '../../../src/ir/types.js';
import { tcpdumpDump } from '../../cbpf/peer.js';
import { policy, provenance } from '../fixtures/build.js';

/** tcpdump's program for an expression on Ethernet: the real peer, not a mock. */
export function tcpdumpCompile(expr: string): CbpfProgram {
  return assembleCbpf(tcpdumpDump('-ddd', expr));
}

export function classifier(c: Partial<IrClassifier> & Pick<IrClassifier, 'name' | 'interface' | 'hook' | 'predicate'>): IrClassifier {
  return { scope: { kind: 'global' }, onMatch: 'pass', onMiss: 'drop', fidelity: { level: 'exact' }, provenance: [provenance('from_cube', [3, 4, 5], 61)], ...c };
}

export const NIC_IN = classifier({ name: 'nic_l2_in', interface: 'host_nic', hook: 'lower', predicate: 'not ether multicast or arp or ip', provenance: [provenance('from_world', [0, 1, 2], 40)] });
export const NIC_OUT = classifier({ name: 'nic_lldp_out', interface: 'host_nic', hook: 'upper', predicate: 'ether proto 0x88cc', onMatch: 'drop', onMiss: 'pass' });
export const TAP_ARP = classifier({
  name: 'tap_arp_guard',
  scope: { kind: 'family', family: 'coppice' },
  interface: 'sandbox_taps',
  hook: 'lower',
  predicate: 'ip or (arp and arp src host value(ip))',
  fidelity: { level: 'approximate', reason: 'the program answers ARP itself; FreeBSD answers from published entries' },
});

export function withClassifiers(classifiers: readonly IrClassifier[], extra: Partial<PolicyIR> = {}): PolicyIR {
  return policy({
    rules: [],
    families: [
      {
        name: 'coppice',
        keyedBy: { map: 'ifindex_to_mvmmeta', keyField: 'ifindex' },
        interface: 'sandbox_taps',
        instances: [
          { key: '03000000', ifindex: 3, name: 'tap3', interface: 'tap3', values: { ip: '10.200.0.3' }, sets: {} },
          { key: '07000000', ifindex: 7, name: 'tap7', interface: 'tap7', values: { ip: '10.200.0.7' }, sets: {} },
        ],
      },
    ],
    classifiers,
    ...extra,
  });
}

export const NETGRAPH_FIXTURES: Readonly<Record<string, PolicyIR>> = {
  classifiers: withClassifiers([NIC_IN, NIC_OUT, TAP_ARP]),
  'no-classifiers': policy({ rules: [] }),
};
