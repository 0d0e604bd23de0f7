import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicy } from '../../src/translate/pipeline.js';

/**
 * recognise-rate-pipes: rate limiters become dummynet pipes, the pass rules whose paths run
 * through the limiter send their traffic to the pipe, and the limiter's own conditions
 * (clock, budget, the rate entry) no longer keep those rules closed.
 */
function snapshotFile(maps: Record<string, { key: string; value: string }[]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-rate-'));
  const file = join(dir, 'snapshot.json');
  writeFileSync(file, JSON.stringify({ version: 1, maps: Object.fromEntries(Object.entries(maps).map(([m, entries]) => [m, { entries }])) }));
  return file;
}

/** A u32 key and a u64 value in the object's byte order, as hex. */
const u32 = (v: number, le: boolean): string => Buffer.from(le ? [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24] : [v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]).toString('hex');
const u64 = (v: bigint, le: boolean): string => {
  const b = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * (le ? i : 7 - i))) & 0xffn));
  return Buffer.from(b).toString('hex');
};

describe('edt_rate_ifindex: EDT pacing with the rate in a map keyed by ifindex', () => {
  for (const order of ['bpfel', 'bpfeb'] as const) {
    it(`is one pipe per edt_rates key, its rate the entry's bytes_per_sec (${order})`, async () => {
      const le = order === 'bpfel';
      const snapshot = snapshotFile({ edt_rates: [{ key: u32(3, le), value: u64(1_250_000n, le) }, { key: u32(7, le), value: u64(0n, le) }] });
      const { ir } = await buildPolicy({ objects: [`corpus/idioms/obj/edt_rate_ifindex.${order}.o`], snapshot });
      expect(ir.pipes).toHaveLength(1);
      const pipe = ir.pipes[0];
      expect(pipe.rate).toEqual({ kind: 'map', map: 'edt_rates', field: 'bytes_per_sec' });
      expect(pipe.scope.kind).toBe('family');
      expect(pipe.fidelity.level).toBe('approximate');
      if (pipe.fidelity.level === 'approximate') expect(pipe.fidelity.reason).toMatch(/departure time/);
      const family = ir.families.find((f) => pipe.scope.kind === 'family' && f.name === pipe.scope.family)!;
      expect(family.keyedBy.map).toBe('edt_rates');
      expect(family.instances.map((i) => [i.ifindex, i.values.bytes_per_sec])).toEqual([
        [3, '1250000'],
        [7, '0'],
      ]);
      // Shaped: the family's pass rule; the limiter's clock and horizon no longer close it.
      const shaped = ir.rules.filter((r) => r.dnpipe === pipe.id);
      expect(shaped.length).toBeGreaterThan(0);
      for (const r of shaped) expect(r).toMatchObject({ action: 'pass', scope: pipe.scope });
      expect(ir.rules.filter((r) => r.scope.kind === 'family' && r.action === 'block' && r.fidelity.level === 'approximate' && r.fidelity.reason.startsWith('blocked'))).toEqual([]);
      expect(ir.findings.some((f) => f.code === 'B2P-RATE-PIPE')).toBe(true);
    });
  }
});

describe('spin_lock_policer: a token bucket in bytes with a constant rate', () => {
  for (const order of ['bpfel', 'bpfeb'] as const) {
    it(`is a global pipe of 12.5 MB/s (100 Mbit/s) with the bucket as its burst (${order})`, async () => {
      const { ir } = await buildPolicy({ objects: [`corpus/idioms/obj/spin_lock_policer.${order}.o`] });
      expect(ir.pipes).toHaveLength(1);
      const pipe = ir.pipes[0];
      expect(pipe).toMatchObject({ scope: { kind: 'global' }, rate: { kind: 'const', bytesPerSecond: 12_500_000 }, burstBytes: 262_144 });
      if (pipe.fidelity.level === 'approximate') expect(pipe.fidelity.reason).toMatch(/polices/);
      else expect.fail('a policer shaped by dummynet is approximate');
      const shaped = ir.rules.filter((r) => r.dnpipe === pipe.id);
      expect(shaped.map((r) => [r.action, r.match.proto])).toEqual([['pass', [17]]]);
      // The bucket map is the pipe's: no longer an unclaimed map.
      expect(ir.findings.filter((f) => f.code === 'B2P-MAP-UNCLAIMED')).toEqual([]);
    });
  }
});

describe('a packet-rate limit is not a bandwidth', () => {
  it('token_bucket_ktime (echo requests per second per source) makes no pipe', async () => {
    const { ir } = await buildPolicy({ objects: ['corpus/idioms/obj/token_bucket_ktime.bpfel.o'] });
    expect(ir.pipes).toEqual([]);
    expect(ir.rules.some((r) => r.dnpipe !== undefined)).toBe(false);
  });
});
