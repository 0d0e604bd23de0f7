import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/translate/pipeline.js';
import type { PolicyIR } from '../../src/ir/types.js';

const OBJECTS = ['corpus/coppice/mvmtap.o', 'corpus/coppice/nodenic.o', 'corpus/coppice/localgw.o'];
const REQUEST = { objects: OBJECTS, profile: 'corpus/coppice/profile.yaml', snapshot: 'corpus/coppice/snapshot.json', consts: [] };

let cached: PolicyIR | undefined;
async function coppice(): Promise<PolicyIR> {
  cached ??= (await buildPolicy(REQUEST)).ir;
  return cached;
}

describe('buildIr on the Coppice corpus', () => {
  it('makes one family instance per registered sandbox, with its own allow and deny sets from the snapshot', async () => {
    const ir = await coppice();
    expect(ir.families.length).toBe(1);
    const fam = ir.families[0];
    expect(fam.keyedBy.map).toBe('ifindex_to_mvmmeta');
    const snapshot = JSON.parse(readFileSync('corpus/coppice/snapshot.json', 'utf8')) as { maps: Record<string, { entries: unknown[] }> };
    expect(fam.instances.length).toBe(snapshot.maps.ifindex_to_mvmmeta.entries.length);
    const sets = ir.sets.filter((s) => s.scope.kind === 'family').map((s) => s.source.map).sort();
    expect(sets).toEqual(['allow_out', 'deny_out']);
    // The private ranges for every sandbox; 103 has no internet (0.0.0.0/0 covers them).
    for (const i of fam.instances) expect(i.sets.deny_out).toContain(i.ifindex === 103 ? '0.0.0.0/0' : '10.0.0.0/8');
    expect(fam.instances.map((i) => i.interface)).toEqual(['tap101', 'tap102', 'tap103']);
  });

  it('source-NATs sandbox traffic to the pool and routes it to the host NIC', async () => {
    const ir = await coppice();
    const nat = ir.rules.filter((r) => r.program === 'from_cube' && r.action === 'pass' && r.translations.some((t) => t.kind === 'nat' && t.to.kind === 'set'));
    expect(nat.length).toBeGreaterThan(0);
    for (const r of nat) {
      expect(r.routeTo?.interface).toEqual({ kind: 'interface', name: 'host_nic' });
      expect(r.keepState).toBe(true);
    }
    const pool = ir.sets.find((s) => s.source.map === 'snat_iplist');
    expect(pool?.contents.length).toBeGreaterThan(0);
  });

  it('fails closed: every rule the recognisers could not state is a block, and says why', async () => {
    const ir = await coppice();
    for (const r of ir.rules) {
      if (r.fidelity.level === 'approximate' && r.fidelity.reason.startsWith('blocked (fail closed)')) expect(r.action).toBe('block');
    }
    const closed = ir.rules.filter((r) => r.fidelity.level === 'approximate' && r.fidelity.reason.startsWith('blocked'));
    const findings = ir.findings.filter((f) => f.code === 'B2P-UNTRANSLATED-PATH');
    expect(findings.length).toBe(closed.length);
  });

  it('reports ARP, non-IP frames and the DNS tail-call chain instead of translating them', async () => {
    const ir = await coppice();
    const codes = new Set(ir.findings.map((f) => `${f.program}:${f.code}`));
    expect(codes.has('from_cube:B2P-L2-ARP') || codes.has('from_cube:B2P-L2-FRAME')).toBe(true);
    expect([...codes].some((c) => c.endsWith('B2P-TAILCALL-NOT-FOLLOWED'))).toBe(true);
    expect(codes.has('from_cube:B2P-STATE')).toBe(true);
  });

  it('gives every rule provenance down to source lines', async () => {
    const ir = await coppice();
    for (const r of ir.rules) {
      expect(r.provenance.length).toBeGreaterThan(0);
      expect(r.provenance.some((p) => p.sources.length > 0)).toBe(true);
    }
  });

  it('counts every lifted path once in the coverage', async () => {
    const ir = await coppice();
    for (const c of ir.coverage) {
      expect(c.paths.total).toBeGreaterThan(0);
      expect(c.paths.exact + c.paths.approximate + c.paths.untranslated).toBe(c.paths.total);
    }
  });

  it('is deterministic', async () => {
    const a = JSON.stringify(await coppice());
    const b = JSON.stringify((await buildPolicy(REQUEST)).ir);
    expect(b).toBe(a);
  });
});
