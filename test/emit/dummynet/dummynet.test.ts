/**
 * The dummynet emitter's behaviour: units (bytes/s in the IR, bit/s in dnctl, exact),
 * the 32-bit bandwidth limit, pipe numbers that agree with the pf rules' dnpipe, pipes
 * left unconfigured with a finding instead of an invented rate, determinism, and the
 * template safety rules. dummynet.conf is read back with a parser written here from
 * dnctl's documented syntax (pf.md §8), not from the emitter's code.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bwText, defaultDummynetTemplatesDir, DUMMYNET_LIMITS, emitDummynet, loadDummynetTemplates } from '../../../src/emit/dummynet/index.js';
import { emitPf } from '../../../src/emit/pf/index.js';
import type { IrPipe, PolicyIR } from '../../../src/ir/types.js';
import { parsePf, type PfFile } from '../../../src/pf/index.js';
import { policy } from '../fixtures/build.js';
import { SANDBOX_PIPE, SANDBOXES, shaping } from './fixtures.js';
import { errorOf } from '../../support/errors.js';

interface DnctlPipe {
  readonly bitsPerSecond: number;
  readonly delayMs?: number;
  readonly burstBytes?: number;
}

/** A dnctl number: decimal without leading zeros (strtoul base 0 would read 050 as octal). */
function dnNumber(s: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(s)) throw new Error(`not a plain decimal: ${s}`);
  return Number(s);
}

/** `bw` as dnctl reads it: number, optional K/M/G (x1000^n), bit/s (default) or Byte/s|bytes (x8). */
export function parseBw(s: string): number {
  const m = /^([0-9]+)([KkMmGg]?)(bit\/s|Bit\/s|Byte\/s|bytes)?$/.exec(s);
  if (!m) throw new Error(`not a dnctl bandwidth: ${s}`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return dnNumber(m[1]) * mult * (m[3] === 'Byte/s' || m[3] === 'bytes' ? 8 : 1);
}

/** Every `pipe N config ...` of a dnctl file; comments (`#` to the end of the line) and blank lines skipped. */
function parseDnctl(text: string): Map<number, DnctlPipe> {
  const out = new Map<number, DnctlPipe>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const w = line.split(/\s+/);
    if (w[0] !== 'pipe' || w[2] !== 'config') throw new Error(`not a pipe config: ${raw}`);
    const n = dnNumber(w[1]);
    if (out.has(n)) throw new Error(`pipe ${n} configured twice`);
    const p: { bitsPerSecond?: number; delayMs?: number; burstBytes?: number } = {};
    for (let i = 3; i < w.length; i += 2) {
      if (w[i] === 'bw') p.bitsPerSecond = parseBw(w[i + 1]);
      else if (w[i] === 'delay') p.delayMs = dnNumber(w[i + 1]);
      else if (w[i] === 'burst') p.burstBytes = dnNumber(w[i + 1]);
      else throw new Error(`unexpected ${w[i]} in ${raw}`);
    }
    if (p.bitsPerSecond === undefined) throw new Error(`no bw: ${raw}`);
    out.set(n, p as DnctlPipe);
  }
  return out;
}

const templates = loadDummynetTemplates();

function emit(ir: PolicyIR) {
  const r = emitDummynet(ir, { templates });
  expect(r.files.map((f) => f.path)).toEqual(['dummynet.conf']);
  return { text: r.files[0].content, pipes: parseDnctl(r.files[0].content), findings: r.findings };
}

function constPipe(bytesPerSecond: number, extra: Partial<IrPipe> = {}): PolicyIR {
  return policy({ rules: [], pipes: [{ id: 1, scope: { kind: 'global' }, name: 'p', rate: { kind: 'const', bytesPerSecond }, fidelity: { level: 'exact' }, ...extra }] });
}

const MAX_BYTES = Math.floor(DUMMYNET_LIMITS.maxBitsPerSecond / 8); // 268435455

describe('units: bytes/s in the map, bit/s in dnctl', () => {
  it('every whole byte rate dummynet can hold reads back as exactly 8x as many bit/s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_BYTES }), (b) => {
        const { pipes, findings } = emit(constPipe(b));
        expect(findings).toEqual([]);
        expect(pipes.get(1)?.bitsPerSecond).toBe(b * 8);
      }),
      { numRuns: 300 },
    );
  });

  it('round rates use the largest exact unit, odd ones plain bit/s', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: DUMMYNET_LIMITS.maxBitsPerSecond }), (bits) => {
        expect(parseBw(bwText(bits))).toBe(bits);
      }),
      { numRuns: 2000 },
    );
    // Round values are where a wrong unit would show: every power-of-ten multiple.
    for (let e = 0; e <= 9; e++) for (const d of [1, 2, 5, 7]) if (d * 10 ** e <= DUMMYNET_LIMITS.maxBitsPerSecond) expect(parseBw(bwText(d * 10 ** e))).toBe(d * 10 ** e);
    expect(bwText(10_000_000)).toBe('10Mbit/s');
    expect(bwText(2_000_000_000)).toBe('2Gbit/s');
    expect(bwText(24_000)).toBe('24Kbit/s');
    expect(bwText(8)).toBe('8bit/s');
    expect(bwText(1_000_008)).toBe('1000008bit/s');
    expect(emit(constPipe(1250000)).text).toMatch(/^pipe 1 config bw 10Mbit\/s$/m);
  });

  it('a rate that is not whole bit/s is reported, not rounded', () => {
    expect(emit(constPipe(0.125)).pipes.get(1)?.bitsPerSecond).toBe(1);
    const r = emit(constPipe(100.3));
    expect(r.pipes.size).toBe(0);
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['B2P-DUMMYNET-RATE', 'error']]);
  });

  it('a rate of 0 is reported (bw 0 would mean unlimited), not written', () => {
    const r = emit(constPipe(0));
    expect(r.pipes.size).toBe(0);
    expect(r.text).not.toMatch(/^pipe/m);
    expect(r.findings[0].message).toMatch(/unlimited/);
  });
});

describe('the 32-bit bandwidth limit', () => {
  it('takes the largest rate that fits and refuses the next one, never wrapping', () => {
    expect(emit(constPipe(MAX_BYTES)).pipes.get(1)?.bitsPerSecond).toBe(2147483640);
    for (const b of [MAX_BYTES + 1, 2 ** 29, 2 ** 32 / 8 + 1, 1.25e9]) {
      const r = emit(constPipe(b));
      expect(r.pipes.size, String(b)).toBe(0);
      expect(r.findings).toHaveLength(1);
      expect(r.findings[0]).toMatchObject({ code: 'B2P-DUMMYNET-RATE', severity: 'error' });
      expect(r.findings[0].message).toMatch(/2147483647/);
      expect(r.text).toMatch(/NOT CONFIGURED/);
    }
  });

  it('bwText itself refuses what does not fit, with a typed error', () => {
    for (const bits of [0, 2 ** 31, 2 ** 32, 2 ** 32 + 8, -8, 1.5]) expect(errorOf(() => bwText(bits)).code, String(bits)).toBe('EMIT_LIMIT');
  });
});

describe('pipes per family instance', () => {
  const ir = shaping();
  const pf = new Map(emitPf(ir).map((f) => [f.path, f.content]));
  const dn = emit(ir);
  const dnpipes = (f: PfFile): number[] => f.statements.flatMap((s) => (s.kind === 'filter' && s.options.dnpipe ? [...s.options.dnpipe] : []));

  it('configures each instance pipe with its own rate, under the number its pf anchor uses', () => {
    for (const inst of SANDBOXES.instances) {
      const anchor = parsePf(pf.get(`anchors/coppice/${inst.name}.conf`)!);
      const used = dnpipes(anchor);
      expect(used, inst.name).toHaveLength(1);
      const rate = inst.values.bytes_per_second;
      const configured = dn.pipes.get(used[0]);
      if (rate === undefined || Number(rate) * 8 > DUMMYNET_LIMITS.maxBitsPerSecond) {
        expect(configured, inst.name).toBeUndefined();
        expect(dn.text).toContain(`# pipe ${used[0]}: sandbox_egress`);
      } else {
        expect(configured?.bitsPerSecond, inst.name).toBe(Number(rate) * 8);
      }
    }
    const numbers = SANDBOXES.instances.map((inst) => dnpipes(parsePf(pf.get(`anchors/coppice/${inst.name}.conf`)!))[0]);
    expect(new Set(numbers).size).toBe(SANDBOXES.instances.length);
  });

  it('configures the global pipe under the number pf.conf uses, with delay and burst', () => {
    const used = dnpipes(parsePf(pf.get('pf.conf')!));
    expect(used).toEqual([1]);
    expect(dn.pipes.get(1)).toEqual({ bitsPerSecond: 100_000_000, delayMs: 5, burstBytes: 65536 });
  });

  it('never invents a rate: missing, unparseable and map-only rates leave the pipe out with a finding', () => {
    expect([...dn.pipes.keys()].sort((a, b) => a - b)).toEqual([1, 2000, 2001]);
    expect(dn.findings.map((f) => [f.code, f.construct])).toEqual([
      ['B2P-DUMMYNET-NO-RATE', 'dummynet pipe 3 (cube_dev_rate)'],
      ['B2P-DUMMYNET-NO-RATE', 'dummynet pipe 2002 (sandbox_egress, coppice/tap9)'],
      ['B2P-DUMMYNET-RATE', 'dummynet pipe 2003 (sandbox_egress, coppice/tap11)'],
    ]);
    expect(dn.text).toMatch(/# pipe 2002: .*\n.*\n.*\n# {3}rate: map egress_rate field bytes_per_second: NOT CONFIGURED, the snapshot has no bytes_per_second for instance tap9/);
    const dotted = emit(shaping({ families: [{ ...SANDBOXES, instances: [{ ...SANDBOXES.instances[0], values: { bytes_per_second: '0.19.18.208' } }] }] }));
    expect(dotted.pipes.has(2000)).toBe(false);
    expect(dotted.findings.find((f) => f.construct.includes('coppice/tap3'))?.message).toMatch(/not a decimal count of bytes per second/);
  });

  it('names the provenance and fidelity of every pipe in a comment', () => {
    expect(dn.text).toMatch(/^# pipe 2000: sandbox_egress, IR pipe 2, family coppice, instance tap3 \(key 03000000, ifindex 3, interface tap3\)\n# {3}fidelity: approximate: an earliest-departure-time pacer becomes a dummynet pipe$/m);
    expect(dn.text).toMatch(/^# {3}shapes the traffic of rule from_cube\.1$/m);
    expect(dn.text).toMatch(/^# {3}rate: map egress_rate field bytes_per_second of instance tap3 = 1250000 bytes\/s = 10000000 bit\/s$/m);
    expect(dn.text).toMatch(/^# pipe 1: uplink, IR pipe 1, global\n# {3}fidelity: exact$/m);
  });
});

describe('delay and burst', () => {
  it('are written only when the IR gives them', () => {
    expect(emit(constPipe(1000)).pipes.get(1)).toEqual({ bitsPerSecond: 8000 });
    expect(emit(constPipe(1000, { delayMs: 0 })).pipes.get(1)).toEqual({ bitsPerSecond: 8000, delayMs: 0 });
    expect(emit(constPipe(1000, { burstBytes: 1500 })).pipes.get(1)).toEqual({ bitsPerSecond: 8000, burstBytes: 1500 });
  });

  it('outside dnctl\'s ranges or not whole, fail with a typed error', () => {
    expect(errorOf(() => emit(constPipe(1000, { delayMs: 2.5 }))).code).toBe('EMIT_BAD_IR');
    expect(errorOf(() => emit(constPipe(1000, { delayMs: 10001 }))).code).toBe('EMIT_LIMIT');
    expect(errorOf(() => emit(constPipe(1000, { burstBytes: 2 ** 48 }))).code).toBe('EMIT_LIMIT');
  });
});

describe('the file', () => {
  it('is written with only a header when there are no pipes', () => {
    const r = emit(policy({ rules: [] }));
    expect(r.pipes.size).toBe(0);
    expect(r.text.split('\n').filter((l) => l !== '').every((l) => l.startsWith('#'))).toBe(true);
    expect(r.text).toMatch(/no dummynet pipes: loading this file changes nothing/);
  });

  it('is deterministic: two runs, fresh templates, the same bytes', () => {
    expect(emitDummynet(shaping()).files).toEqual(emitDummynet(shaping(), { templates }).files);
  });

  it('keeps every line short enough for dnctl\'s line reader, wrapping comments without losing text', () => {
    const reason = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const ir = shaping({ pipes: [{ ...SANDBOX_PIPE, name: `x\npipe 9 config bw 1bit/s ${'y'.repeat(300)}`, fidelity: { level: 'approximate', reason } }] });
    const { text, pipes } = emit(ir);
    for (const line of text.split('\n')) {
      expect(line.length).toBeLessThanOrEqual(160);
      expect(line === '' || line.startsWith('#') || line.startsWith('pipe 20'), line).toBe(true);
    }
    expect(pipes.has(9)).toBe(false);
    const unwrapped = text.split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^# */, '')).join(' ');
    expect(unwrapped).toContain(reason);
    expect(unwrapped.replace(/ /g, '')).toContain('y'.repeat(300));
  });

  it('refuses a template that prints without a validating helper', () => {
    for (const source of ['{{header}}\n', '{{{header}}}\n', '{{#each pipes}}{{config}}{{/each}}\n', '{{#with pipes}}{{/with}}\n', '{{comment a b}}\n', '{{> other}}\n']) {
      const dir = mkdtempSync(join(tmpdir(), 'b2p-dn-tpl-'));
      cpSync(defaultDummynetTemplatesDir(), dir, { recursive: true });
      writeFileSync(join(dir, 'dummynet.conf.hbs'), source);
      expect(errorOf(() => loadDummynetTemplates(dir)).code, source).toBe('EMIT_TEMPLATE');
    }
  });
});
