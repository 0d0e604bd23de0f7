import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/cbpf/compile.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import { coppiceConfig } from '../../src/gen/coppice-config.js';
import { TAP_UNREGISTERED } from '../../src/gen/coppice-plan.js';
import { createRng, packetsFor } from '../../src/gen/index.js';
import { packetsForRule } from '../../src/gen/rule-packets.js';
import type { PolicyIR } from '../../src/ir/types.js';
import type { BpfObject } from '../../src/object/types.js';
import { parseMac } from '../../src/packet/addresses.js';
import { toHex, type MapStateFile } from '../../src/state/map-state.js';
import { readSnapshot } from '../../src/translate/inputs.js';
import { buildPolicy, type Policy } from '../../src/translate/pipeline.js';
import { LOOPBACK, type VmDevice } from '../../src/vm/index.js';
import type { SkbContextIn } from '../../src/vm/run-types.js';
import { repoRoot } from '../support/corpus.js';
import { compareOutcomes } from './compare-outcomes.js';
import { createIrSide, type AttachPoint, type IrDecided, type IrSide } from './ir-side.js';
import { KNOWN_TRANSLATOR_BUGS, type ObservedDisagreement } from './ir-vs-vm-known.js';
import { irMutants } from './mutate-ir.js';
import { describeDestination } from './packet-destination.js';
import { createVmSide, vmErrorText, type VmOutcome } from './vm-side.js';

// Issue 5, the IR-level semantics check: the IR evaluator (what the translated rules do
// with a packet, given the snapshot the translation was made from) against the
// interpreter (what the program does, given the same snapshot), on generated packets of
// each Coppice program where the profile attaches it. Every packet the IR decides with
// exact rules must agree on verdict, rewrite and destination; a disagreement fails with
// a reproduction unless a KNOWN_TRANSLATOR_BUGS entry explains it. Packets pf never
// sees, packets no rule decides, packets approximate rules decide and packets pf state
// would decide are counted, not compared. Mutants of the IR (a rule made wrong on
// purpose) show the comparison would notice.

const OBJECTS: Readonly<Record<string, string>> = {
  from_cube: 'corpus/coppice/mvmtap.o',
  from_world: 'corpus/coppice/nodenic.o',
  from_envoy: 'corpus/coppice/localgw.o',
};
const SNAPSHOT = 'corpus/coppice/snapshot.json';
const REQUEST = { objects: Object.values(OBJECTS), profile: 'corpus/coppice/profile.yaml', snapshot: SNAPSHOT, consts: [] };
/** Packets of each program's own traffic (src/gen/packets-for.ts). */
const PER_PROGRAM = Number(process.env.B2P_IRVM_PACKETS ?? 10_000);
/** Packets aimed at each exact rule of the program (src/gen/rule-packets.ts), on top. */
const PER_EXACT_RULE = 25;
/** CLOCK_MONOTONIC and the prandom seed every run sees. */
const NOW = 5_000_000_000_000n;
const PRANDOM_SEED = 0x5eed;

/**
 * Checked packets per program must not fall below these shares of the generated ones
 * (measured on the corpus: see the summary the test prints).
 */
const CHECKED_FLOOR: Readonly<Record<string, number>> = { from_cube: 0.3, from_world: 0.8, from_envoy: 0.6 };

interface ProgramTally {
  program: string;
  generated: number;
  aimed: number;
  checked: number;
  agreements: number;
  skipped: Map<string, number>;
  exactRules: Set<string>;
  /** Packets each approximate rule decided. */
  approximateRules: Map<string, number>;
  /** Packets no pf rule decides (pf's default applies, or a classifier drops them) where the interpreter does otherwise. */
  undecidedDiffering: Map<string, number>;
  disagreements: Disagreement[];
  known: Map<string, number>;
  /** The packets that agreed, with the interpreter's outcome, for the mutants. */
  agreeing: { packet: Uint8Array; ifindex: number; attach: AttachPoint; vm: VmOutcome; rules: string[] }[];
  ms: number;
}

/** One packet to run: the interpreter gets `ctx`, the IR evaluator the frame on `ctx.ifindex`. */
interface Run {
  readonly category: string;
  readonly packet: Uint8Array;
  readonly ctx: SkbContextIn & { readonly ifindex: number };
}

interface Disagreement extends ObservedDisagreement {
  readonly object: string;
  readonly category: string;
  readonly ifindex: number;
  readonly packet: Uint8Array;
}

let policy: Policy;
let snapshot: MapStateFile;
let irSide: IrSide;
const tallies: ProgramTally[] = [];

describe('IR evaluator against the interpreter: Coppice', () => {
  beforeAll(async () => {
    policy = await buildPolicy(REQUEST);
    snapshot = readSnapshot(SNAPSHOT);
    irSide = irSideOf(policy.ir);
  }, 300_000);

  for (const program of Object.keys(OBJECTS)) {
    it(`${program}: every packet an exact rule decides agrees with the interpreter`, async () => {
      const t = await checkProgram(program);
      tallies.push(t);
      console.log(summaryLines(t).join('\n'));
      const unexplained = t.disagreements.filter((d) => !KNOWN_TRANSLATOR_BUGS.some((k) => k.explains(d)));
      if (unexplained.length) {
        const file = writeReproduction(program, unexplained);
        expect.fail(`${unexplained.length} disagreement(s) for ${program} (all in ${file}):\n${unexplained.slice(0, 5).map(disagreementText).join('\n')}`);
      }
      expect(t.generated - t.aimed).toBeGreaterThanOrEqual(PER_PROGRAM);
      expect(t.checked / t.generated).toBeGreaterThanOrEqual(CHECKED_FLOOR[program]);
      expect(t.skipped.get('interpreter refused the run') ?? 0).toBe(0);
    }, 300_000);
  }

  it('notices wrong translations: mutants of rules that agreed disagree', () => {
    const agreeing = tallies.flatMap((t) => t.agreeing);
    const mutants = irMutants(policy.ir, new Set(agreeing.flatMap((a) => a.rules)));
    expect(mutants.map((m) => m.aspect).sort()).toEqual(['address', 'destination', 'port', 'verdict']);
    for (const m of mutants) {
      const side = irSideOf(m.ir);
      let caught = 0;
      for (const a of agreeing) {
        const out = side.evaluate(a.packet, a.ifindex, a.attach);
        if (out.kind === 'decided' && out.exact && compareOutcomes(a.vm, out, side).some((d) => d.aspect === m.aspect)) caught++;
      }
      console.log(`mutant ${m.name}: ${caught} of ${agreeing.length} agreeing packets now disagree on ${m.aspect}`);
      expect(caught, m.name).toBeGreaterThan(0);
    }
  });

  it('every known translator bug still reproduces; exact rules no packet reached are listed', () => {
    expect(tallies.length).toBe(Object.keys(OBJECTS).length);
    const exact = policy.ir.rules.filter((r) => r.fidelity.level === 'exact').map((r) => r.id);
    const exercised = new Set(tallies.flatMap((t) => [...t.exactRules]));
    const unreached = exact.filter((r) => !exercised.has(r));
    console.log(`exact rules that decided no packet (${unreached.length} of ${exact.length}): ${unreached.join(', ') || 'none'}`);
    const stale = KNOWN_TRANSLATOR_BUGS.filter((k) => !tallies.some((t) => (t.known.get(k.id) ?? 0) > 0));
    expect(stale.map((k) => k.id), 'KNOWN_TRANSLATOR_BUGS entries that explain no disagreement any more: delete them').toEqual([]);
  });
});

async function checkProgram(program: string): Promise<ProgramTally> {
  const started = Date.now();
  const ir = policy.ir;
  const objectPath = OBJECTS[program];
  const obj = policy.inputs.find((i) => i.path === objectPath)!.object;
  const attach = attachPoint(policy, program);
  const stateMaps = ir.controlPlane.filter((c) => c.role.startsWith('connection tracking')).map((c) => c.map);
  // The sessions the programs create start empty: every packet is the first of its flow.
  for (const m of stateMaps) if (m.endsWith('_sessions')) expect(snapshot.maps[m]?.entries ?? [], `${m} in ${SNAPSHOT}`).toEqual([]);
  const vm = createVmSide(obj, snapshot, { devices: devicesFor(ir, obj), now: NOW, prandomSeed: PRANDOM_SEED, stateMaps });
  // A program on a group (a family's TAPs) runs on the TAP in the ctx; a frame drawn
  // without one comes in on a TAP no sandbox registered. Others run on their interface.
  const fixed = ir.interfaces.find((i) => i.name === attach.interface)?.ifindex ?? undefined;
  const traffic: Run[] = packetsFor(obj, program, snapshot, createRng(`ir-vs-vm/${program}`), PER_PROGRAM).map((r) => ({
    category: r.category,
    packet: r.packet,
    ctx: { ...r.ctx, ifindex: fixed ?? r.ctx?.ifindex ?? TAP_UNREGISTERED },
  }));
  const rng = createRng(`ir-vs-vm/${program}/rules`);
  const bases = traffic.map((r) => ({ frame: r.packet, ifindex: r.ctx.ifindex }));
  const aimed = ir.rules
    .filter((r) => r.program === program && r.fidelity.level === 'exact')
    .flatMap((rule) => packetsForRule(ir, rule, bases, rng, PER_EXACT_RULE))
    .map((p): Run => ({ category: `aimed at ${p.rule}`, packet: p.frame, ctx: { ifindex: fixed ?? p.ifindex ?? TAP_UNREGISTERED } }));

  const t: ProgramTally = {
    program, generated: 0, aimed: aimed.length, checked: 0, agreements: 0, skipped: new Map(), exactRules: new Set(), approximateRules: new Map(),
    undecidedDiffering: new Map(), disagreements: [], known: new Map(), agreeing: [], ms: 0,
  };
  const count = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
  for (const [i, run] of [...traffic, ...aimed].entries()) {
    // Long synchronous stretches starve vitest's worker RPC: yield now and then.
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    t.generated++;
    let v: VmOutcome;
    try {
      v = vm(program, run.packet, run.ctx);
    } catch (e) {
      count(t.skipped, 'interpreter refused the run');
      console.log(`  interpreter refused ${program} ${toHex(run.packet)} on ${run.ctx.ifindex}: ${vmErrorText(e)}`);
      continue;
    }
    const out = irSide.evaluate(run.packet, run.ctx.ifindex, attach);
    if (out.kind === 'notPf') {
      count(t.skipped, `not pf's: ${out.reason}`);
      continue;
    }
    if (out.kind === 'classifierDrop') {
      const c = out.classifier;
      count(t.skipped, `dropped by ng_bpf classifier ${c.name} (${c.fidelity.level})`);
      if (v.destination.kind !== 'drop') count(t.undecidedDiffering, `the interpreter passes what ${c.fidelity.level} classifier ${c.name} drops`);
      continue;
    }
    if (v.stateDependent) {
      count(t.skipped, 'covered by pf state: decided by a connection-tracking entry of the snapshot');
      continue;
    }
    if (out.kind === 'undecided') {
      const why = out.reason.replace(/:.*\)$/, ')');
      count(t.skipped, `no rule decided: ${why}`);
      const vmAction = v.destination.kind === 'drop' ? 'drop' : 'pass';
      if (vmAction !== out.pf) count(t.undecidedDiffering, `the interpreter ${vmAction === 'pass' ? 'passes' : 'drops'} ${ipVersion(run.packet)} pf would ${out.pf} (${why})`);
      continue;
    }
    if (!out.exact) {
      count(t.skipped, 'decided by an approximate rule');
      for (const r of out.deciders) if (r.fidelity.level === 'approximate') count(t.approximateRules, r.id);
      continue;
    }
    t.checked++;
    for (const r of out.deciders) t.exactRules.add(r.id);
    const differences = compareOutcomes(v, out, irSide);
    if (!differences.length) {
      t.agreements++;
      t.agreeing.push({ packet: run.packet, ifindex: run.ctx.ifindex, attach, vm: v, rules: out.deciders.map((r) => r.id) });
      continue;
    }
    const d: Disagreement = { program, object: objectPath, category: run.category, ifindex: run.ctx.ifindex, packet: run.packet, vm: v, ir: out, differences };
    t.disagreements.push(d);
    for (const k of KNOWN_TRANSLATOR_BUGS) if (k.explains(d)) count(t.known, k.id);
  }
  t.ms = Date.now() - started;
  return t;
}

/** The IR side for an IR: the host's interface addresses, classifiers through the cBPF compiler. */
function irSideOf(ir: PolicyIR): IrSide {
  return createIrSide(ir, { interfaceAddresses: interfaceAddresses(policy) }, (c) => {
    const match = cbpfFilter(compileFilter(c.predicate));
    return (frame) => match({ bytes: frame }) !== 0;
  });
}

/** "IPv6" or "IPv4", for the notes (VLAN-tagged frames never get there). */
function ipVersion(frame: Uint8Array): string {
  return frame[12] === 0x86 && frame[13] === 0xdd ? 'IPv6' : 'IPv4';
}

function attachPoint(p: Policy, program: string): AttachPoint {
  const a = p.profile.programs.find((x) => x.name === program)!.attach;
  return { interface: a.interface, direction: a.direction };
}

/** The addresses the host has on its interfaces, from the objects' own constants. */
function interfaceAddresses(p: Policy): Record<string, string[]> {
  const c = coppiceConfig(p.inputs[0].object);
  const out: Record<string, string[]> = {};
  for (const i of p.ir.interfaces) {
    if (i.ifindex === c.cubegwIfindex) out[i.name] = [c.cubegwIp];
    if (i.ifindex === c.nodenicIfindex) out[i.name] = [c.nodenicIp];
  }
  return out;
}

/** Every interface the IR knows by ifindex, each sandbox TAP and an unregistered one. */
function devicesFor(ir: PolicyIR, obj: BpfObject): VmDevice[] {
  const c = coppiceConfig(obj);
  const macOf = (ifindex: number): number[] => [...parseMac(ifindex === c.nodenicIfindex ? c.nodenicMac : ifindex === c.cubegwIfindex ? c.cubegwMac : c.gatewayMac)];
  const ifindexes = new Set<number>([...ir.interfaces.flatMap((i) => (i.ifindex === null ? [] : [i.ifindex])), ...ir.families.flatMap((f) => f.instances.map((x) => x.ifindex)), TAP_UNREGISTERED]);
  ifindexes.delete(LOOPBACK.ifindex);
  return [LOOPBACK, ...[...ifindexes].sort((a, b) => a - b).map((ifindex) => ({ ifindex, name: `if${ifindex}`, mtu: 1500, hardHeaderLen: 14, mac: macOf(ifindex), forwarding: true }))];
}

function vmJson(v: VmOutcome): unknown {
  return { retval: v.retval, destination: v.destination.kind === 'other' ? v.destination.detail : describeDestination(v.destination), redirect: v.redirect, packet: toHex(v.packet) };
}

function irJson(d: IrDecided): unknown {
  return {
    action: d.action,
    destination: describeDestination(d.destination),
    ...(d.dropReason !== undefined && { dropReason: d.dropReason }),
    legs: d.legs.map((l) => ({ on: `${l.direction} ${l.interface} (ifindex ${l.ifindex})`, action: l.verdict.action, rule: l.verdict.rule, matched: l.verdict.matched })),
    translations: d.translations.map((u) => u.applied),
    packet: toHex(d.bytes),
  };
}

function rulesJson(d: IrDecided): { id: string; fidelity: string; note: string; provenance: string[] }[] {
  return d.deciders.map((r) => ({ id: r.id, fidelity: r.fidelity.level, note: r.note, provenance: r.provenance.map((p) => `${p.object} ${p.program} ${p.section}:${p.slots.join(',')}`) }));
}

function disagreementText(d: Disagreement): string {
  return [
    `  ${d.program} (${d.category}) on ifindex ${d.ifindex}: ${d.differences.map((x) => x.text).join('; ')}`,
    `    packet ${toHex(d.packet)}`,
    `    interpreter ${JSON.stringify(vmJson(d.vm))}`,
    `    IR ${JSON.stringify(irJson(d.ir))}`,
    ...rulesJson(d.ir).map((r) => `    rule ${r.id} (${r.fidelity}, ${r.note}): ${r.provenance.join(' | ')}`),
  ].join('\n');
}

/** Every disagreement as JSON, with what it takes to run it again. */
function writeReproduction(program: string, list: readonly Disagreement[]): string {
  const dir = join(repoRoot, 'test/.build/repro');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `ir-vs-vm-${program}.json`);
  const howTo = {
    translation: REQUEST,
    interpreter: `runProgram on a fresh map store made from ${SNAPSHOT} for every packet, ctx { ifindex }, now ${NOW}, prandomSeed ${PRANDOM_SEED}, devices: every ifindex of the IR`,
    ir: 'createIrEvaluator(ir) on the program\'s interface and direction (profile attach), then out on the route-to interface',
  };
  const disagreements = list.map((d) => ({
    program: d.program,
    object: d.object,
    category: d.category,
    ifindex: d.ifindex,
    packet: toHex(d.packet),
    differences: d.differences.map((x) => x.text),
    interpreter: vmJson(d.vm),
    ir: irJson(d.ir),
    rules: rulesJson(d.ir),
  }));
  writeFileSync(file, `${JSON.stringify({ howTo, disagreements }, null, 2)}\n`);
  return file;
}

function summaryLines(t: ProgramTally): string[] {
  const pct = (n: number): string => `${((100 * n) / Math.max(1, t.generated)).toFixed(1)}%`;
  return [
    `${t.program}: ${t.generated} generated (${t.aimed} aimed at exact rules), ${t.checked} checked (${pct(t.checked)}), ${t.agreements} agree, ${t.disagreements.length} disagree; ${t.exactRules.size} exact rules decided packets; ${(t.ms / 1000).toFixed(1)} s`,
    ...[...t.skipped.entries()].sort((a, b) => b[1] - a[1]).map(([why, n]) => `  not compared ${n} (${pct(n)}): ${why}`),
    ...(t.approximateRules.size ? [`  approximate rules deciding most: ${[...t.approximateRules.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([id, n]) => `${id} ${n}`).join(', ')}`] : []),
    ...[...t.known.entries()].map(([id, n]) => `  KNOWN translator bug ${id}: ${n} disagreement(s) (${KNOWN_TRANSLATOR_BUGS.find((k) => k.id === id)!.cause})`),
    ...[...t.undecidedDiffering.entries()].sort((a, b) => b[1] - a[1]).map(([why, n]) => `  note: ${n} packet(s) no rule decides where ${why}`),
  ];
}
