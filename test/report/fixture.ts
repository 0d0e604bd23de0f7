import { IR_VERSION, type Finding, type IrRule, type PolicyIR } from '../../src/ir/types.js';

/** A small PolicyIR with one of everything the report shows. */
export function finding(over: Partial<Finding> = {}): Finding {
  return {
    code: 'B2P-UNTRANSLATABLE-HELPER',
    severity: 'error',
    message: 'bpf_fib_lookup decides the next hop at run time',
    object: 'corpus/coppice/obj/nodenic.bpfel.v3.O2.o',
    program: 'from_world',
    section: 'tc',
    slot: 120,
    source: { file: './corpus/coppice/src/nodenic.bpf.c', line: 88, text: 'rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);' },
    construct: 'bpf_fib_lookup',
    suggestion: 'route with the FreeBSD routing table; pf route-to for fixed next hops',
    ...over,
  };
}

export function rule(over: Partial<IrRule> = {}): IrRule {
  return {
    id: 'from_world.1',
    program: 'from_world',
    scope: { kind: 'global' },
    interface: 'host_nic',
    direction: 'in',
    action: 'block',
    quick: true,
    match: { proto: [6], dstPort: { op: 'eq', port: 22 } },
    translations: [],
    keepState: false,
    fidelity: { level: 'exact' },
    provenance: [{ object: 'corpus/coppice/obj/nodenic.bpfel.v3.O2.o', program: 'from_world', section: 'tc', slots: [10, 11], sources: [{ file: './corpus/coppice/src/nodenic.bpf.c', line: 40 }] }],
    note: 'drops TCP to port 22',
    ...over,
  };
}

export function sampleIr(): PolicyIR {
  return {
    version: IR_VERSION,
    target: { os: 'freebsd', release: '15.0' },
    inputs: [
      { object: 'corpus/coppice/obj/nodenic.bpfel.v3.O2.o', sha256: 'a'.repeat(64), programs: ['from_world'] },
      { object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', sha256: 'b'.repeat(64), programs: ['from_cube'] },
    ],
    interfaces: [],
    sets: [],
    families: [],
    rules: [
      rule(),
      rule({ id: 'from_world.2', action: 'pass', fidelity: { level: 'approximate', reason: 'pf keeps state where the program tracked a session | by hand' }, note: 'passes replies' }),
    ],
    pipes: [{ id: 1, scope: { kind: 'global' }, name: 'egress', rate: { kind: 'const', bytesPerSecond: 1000 }, fidelity: { level: 'approximate', reason: 'EDT becomes a queue' } }],
    classifiers: [],
    state: { timeouts: {}, limits: {}, reassemble: false },
    controlPlane: [],
    findings: [
      finding({ severity: 'info', code: 'B2P-CHECKSUM', message: 'checksum helpers are bookkeeping', slot: 7, source: { file: './corpus/coppice/src/nodenic.bpf.c', line: 12, text: 'bpf_l4_csum_replace(skb, off, old, new, 4);' }, construct: 'bpf_l4_csum_replace', suggestion: '' }),
      finding(),
      finding({ severity: 'warning', code: 'B2P-DNS-LEARNING', object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', program: 'from_cube', source: null, slot: null, message: 'DNS answers feed allow_out <script>', construct: 'DNS parser tail-call chain', suggestion: 'a local resolver that feeds a pf table' }),
    ],
    coverage: [
      { object: 'corpus/coppice/obj/nodenic.bpfel.v3.O2.o', program: 'from_world', paths: { total: 10, exact: 7, approximate: 1, untranslated: 2 }, instructions: { total: 400, covered: 300 } },
      { object: 'corpus/coppice/obj/mvmtap.bpfel.v3.O2.o', program: 'from_cube', paths: { total: 5, exact: 5, approximate: 0, untranslated: 0 }, instructions: { total: 473, covered: 473 } },
    ],
  };
}

/** The same IR with every list reversed and every object's keys in another order. */
export function shuffled(ir: PolicyIR): PolicyIR {
  const reverseKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reverseKeys);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
    return v;
  };
  const r = reverseKeys(ir) as PolicyIR;
  return { ...r, findings: [...r.findings].reverse(), coverage: [...r.coverage].reverse(), inputs: [...r.inputs].reverse() };
}
