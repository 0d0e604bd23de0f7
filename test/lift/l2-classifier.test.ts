import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IrClassifier, PolicyIR } from '../../src/ir/types.js';
import { loadObject } from '../../src/object/load-object.js';
import type { MapStateFile } from '../../src/state/map-state.js';
import { buildPolicy } from '../../src/translate/pipeline.js';
import { l2Frames, type NamedFrame } from './support/l2-frames.js';
import { classifierRunners, etherType, programRunner, type L2Fate } from './support/l2-fates.js';

/**
 * recognise-l2-classifier, judged by what the programs do: every frame of a generated
 * suite runs through the eBPF program (our interpreter) and through the classifier's
 * predicate compiled to classic BPF (our compiler and tcpdump's). An IPv4 frame must pass
 * the classifier (pf decides it); any other frame must pass exactly when the program lets
 * it through or answers it itself (proxy ARP: FreeBSD's published entries answer it), and
 * never when the program drops it.
 */
const FRAMES = l2Frames();

const isIpv4 = (f: Uint8Array): boolean => etherType(f) === 0x0800;
const lets = (fate: L2Fate): boolean => fate === 'pass' || fate === 'reply';

interface Disagreement {
  readonly frame: string;
  readonly by: string;
  readonly ebpf: L2Fate;
  readonly classifier: boolean;
}

/** Frames where the classifier and the program disagree; `exact`: in both directions. */
function disagreements(c: IrClassifier, fate: (f: Uint8Array) => L2Fate | undefined, frames: readonly NamedFrame[], exact: boolean): Disagreement[] {
  const out: Disagreement[] = [];
  for (const run of classifierRunners(c.predicate)) {
    for (const f of frames) {
      if (f.bytes.length < 14) continue; // ng_ether never sees a frame without an Ethernet header
      const matched = run.matches(f.bytes);
      const ebpf = isIpv4(f.bytes) ? 'pass' : fate(f.bytes);
      if (ebpf === undefined) continue; // the kernel would not run the program on it either
      const bad = isIpv4(f.bytes) ? !matched : matched ? !lets(ebpf) : exact && lets(ebpf);
      if (bad) out.push({ frame: f.name, by: run.by, ebpf, classifier: matched });
    }
  }
  return out;
}

describe('Coppice from_cube: the L2 classifier', () => {
  let ir: PolicyIR | undefined;
  const coppice = async (): Promise<PolicyIR> => {
    ir ??= (await buildPolicy({ objects: ['corpus/coppice/mvmtap.o'], profile: 'corpus/coppice/profile.yaml', snapshot: 'corpus/coppice/snapshot.json' })).ir;
    return ir;
  };

  it('passes IPv4 and well-formed ARP requests for anything but the sandbox itself, on every sandbox TAP', async () => {
    const { classifiers } = await coppice();
    expect(classifiers).toHaveLength(1);
    const c = classifiers[0];
    expect(c).toMatchObject({ interface: 'sandbox_taps', scope: { kind: 'family', family: 'sandbox_taps' }, hook: 'lower', onMatch: 'pass', onMiss: 'drop' });
    expect(c.predicate).toBe('ip or (arp and len >= 42 and arp[0:2] == 1 and arp[2:2] == 0x0800 and arp[4] == 6 and arp[5] == 4 and arp[6:2] == 1 and arp[24:4] != 0xa9fe4406)');
    // The reply the program makes itself is left to published ARP entries.
    expect(c.fidelity.level).toBe('approximate');
    expect(c.provenance.some((p) => p.sources.length > 0)).toBe(true);
  });

  it('agrees with the eBPF program on every generated frame', async () => {
    const c = (await coppice()).classifiers[0];
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as MapStateFile;
    const obj = loadObject(new Uint8Array(readFileSync('corpus/coppice/mvmtap.o')));
    const runner = programRunner(obj, 'from_cube', snapshot);
    const fates = new Map<Uint8Array, L2Fate | undefined>();
    const fate = (f: Uint8Array): L2Fate | undefined => {
      if (!fates.has(f)) fates.set(f, runner.fate(f));
      return fates.get(f);
    };
    expect(disagreements(c, fate, FRAMES, true).slice(0, 10)).toEqual([]);
    // The suite reaches every kind of path: answered requests, dropped ARP, dropped other frames.
    const seen = new Set(FRAMES.filter((f) => f.bytes.length >= 14 && !isIpv4(f.bytes)).map((f) => `${etherType(f.bytes)}:${fate(f.bytes)}`));
    expect([...seen]).toEqual(expect.arrayContaining(['2054:reply', '2054:drop', '34525:drop', '33024:drop']));
  });

  it('reports the ARP paths as translated and publishes the proxy-ARP answers in the control plane', async () => {
    const { findings, controlPlane, coverage } = await coppice();
    const l2 = findings.filter((f) => f.program === 'from_cube' && f.code.startsWith('B2P-L2'));
    expect(l2.length).toBeGreaterThan(0);
    for (const f of l2) expect(f.severity).toBe('info');
    const arp = controlPlane.find((c) => /proxy ARP/.test(c.role));
    expect(arp?.map).toBe('ifindex_to_mvmmeta');
    expect(arp?.operations.find((o) => o.change === 'insert')?.becomes).toMatch(/^arp -s <address> ee:ff:ff:ff:ff:ff pub/);
    const cov = coverage.find((c) => c.program === 'from_cube')!;
    expect(cov.paths.exact + cov.paths.approximate + cov.paths.untranslated).toBe(cov.paths.total);
  });
});

/** Idioms with L2 paths the classifier claims, and what it must pass. */
const IDIOMS: readonly { name: string; program: string; untaggedOnly?: boolean }[] = [
  { name: 'arp_eth_classifier', program: 'l2_ethertype_guard' },
  { name: 'ipv6_nexthdr', program: 'ipv6_nexthdr_check' },
  { name: 'kfunc_dynptr_read', program: 'drop_ipv6_by_dynptr' },
  { name: 'lpm_allow_dst', program: 'allow_dst_only' },
  { name: 'lpm_deny_src', program: 'deny_src_prefixes' },
  { name: 'tail_call_chain', program: 'pipeline_entry' },
  // ng_ether removes 802.1Q tags before ng_bpf: only untagged frames are the classifier's.
  { name: 'vlan_inpacket_8021q', program: 'vlan_allowed_inpacket', untaggedOnly: true },
];

describe('idioms: the L2 classifier', () => {
  for (const { name, program, untaggedOnly } of IDIOMS) {
    for (const order of ['bpfel', 'bpfeb']) {
      it(`${name} (${order}) never passes a frame the program drops${untaggedOnly ? ' (untagged frames)' : ''}, and passes all it lets through when exact`, async () => {
        const file = `corpus/idioms/obj/${name}.${order}.o`;
        const { ir } = await buildPolicy({ objects: [file] });
        const c = ir.classifiers.find((x) => x.provenance.some((p) => p.program === program));
        expect(c, 'a classifier').toBeDefined();
        expect(c!.hook).toBe('lower');
        const runner = programRunner(loadObject(new Uint8Array(readFileSync(file))), program);
        const frames = untaggedOnly ? FRAMES.filter((f) => etherType(f.bytes) !== 0x8100) : FRAMES;
        expect(disagreements(c!, (f) => runner.fate(f), frames, c!.fidelity.level === 'exact').slice(0, 10)).toEqual([]);
      });
    }
  }

  it('arp_eth_classifier: ether proto ip/ip6, or well-formed ARP requests and replies from a sender with an address', async () => {
    const { ir } = await buildPolicy({ objects: ['corpus/idioms/obj/arp_eth_classifier.bpfel.o'] });
    expect(ir.classifiers.map((c) => c.predicate)).toEqual([
      'ip or ip6 or (arp and len >= 42 and arp[0:2] == 1 and arp[2:2] == 0x0800 and arp[4] == 6 and arp[5] == 4 and arp[6:2] >= 1 and arp[6:2] <= 2 and arp[14:4] != 0)',
    ]);
    expect(ir.classifiers[0].fidelity).toEqual({ level: 'exact' });
    const cov = ir.coverage[0].paths;
    expect(cov.untranslated).toBe(0);
    expect(ir.findings.filter((f) => f.code.startsWith('B2P-L2')).every((f) => f.severity === 'info')).toBe(true);
  });

  it('locates each L2 finding at the EtherType test that made the frame what it is, not at the shared bounds check', async () => {
    const path = 'corpus/idioms/obj/arp_eth_classifier.bpfel.o';
    const { ir } = await buildPolicy({ objects: [path] });
    const prog = loadObject(new Uint8Array(readFileSync(path))).programs.find((p) => p.name === 'l2_ethertype_guard')!;
    const insnAt = (slot: number | null) => prog.insns.find((i) => i.slot === slot);
    const l2 = (code: string) => ir.findings.find((f) => f.code === code)!;
    // __be16 EtherTypes as a little-endian load of h_proto reads them.
    const [ip, arp] = [0x0008, 0x0608];
    const arpTest = insnAt(l2('B2P-L2-ARP').slot);
    expect(arpTest).toMatchObject({ kind: 'jump', op: 'jeq', imm: arp });
    // Not IPv4, not ARP: the first EtherType test, the one against IPv4.
    expect(insnAt(l2('B2P-L2-FRAME').slot)).toMatchObject({ kind: 'jump', imm: ip });
    expect(l2('B2P-L2-ARP').source?.text).toMatch(/h_proto/);
  });

  it('vlan_inpacket_8021q: tagged frames stay a finding naming the VIDs to create vlan(4) for', async () => {
    const { ir } = await buildPolicy({ objects: ['corpus/idioms/obj/vlan_inpacket_8021q.bpfel.o'] });
    const vlan = ir.findings.find((f) => f.code === 'B2P-L2-VLAN');
    expect(vlan?.severity).toBe('error');
    expect(vlan?.message).toContain('VIDs 10, 20');
    expect(ir.classifiers[0].fidelity.level).toBe('approximate');
  });

  it('a program that passes every non-IPv4 frame needs no classifier, and its L2 paths count as exact', async () => {
    const { ir } = await buildPolicy({ objects: ['corpus/idioms/obj/hash_blocked_hosts.bpfel.o'] });
    expect(ir.classifiers).toEqual([]);
    const l2 = ir.findings.filter((f) => f.code.startsWith('B2P-L2'));
    expect(l2.length).toBeGreaterThan(0);
    for (const f of l2) expect(f.severity).toBe('info');
  });
});
