/**
 * PolicyIR pipes to the dummynet.conf view: one entry per dummynet pipe number (the
 * numbers src/emit/pf/pipes.ts gives and the pf rules' `dnpipe` prints), each with the
 * comment lines that say where it comes from and either its `pipe N config` or, when no
 * exact rate is known, nothing and a finding.
 *
 * Rates: a constant pipe has its bytes/s in the IR. A family pipe's rate is the instance's
 * `values[rate.field]`, a decimal count of bytes per second from the map snapshot. A
 * global pipe whose rate is read from a map has no value in the IR. A rate that is
 * missing, 0, not whole bit/s or over dummynet's 32-bit bandwidth is never invented,
 * rounded or wrapped: the pipe is left unconfigured (dummynet drops what pf sends to a
 * pipe that does not exist, so nothing gets through unshaped) and a finding says why.
 */
import { fail } from '../../errors.js';
import type { Finding, IrFamily, IrFamilyInstance, IrPipe, PolicyIR } from '../../ir/types.js';
import { fidelityText } from '../pf/comments.js';
import { pipeNumbers, type PipeNumber } from '../pf/pipes.js';
import { bandwidthFromBytes, checkBurst, checkDelay, DUMMYNET_LIMITS, type Bandwidth } from './limits.js';

/** One `pipe N config ...` line, checked again when printed (templates.ts). */
export interface DnctlPipeConfig {
  readonly number: number;
  readonly bitsPerSecond: number;
  readonly delayMs: number | null;
  readonly burstBytes: number | null;
}

export interface DummynetPipeView {
  readonly comments: readonly string[];
  /** null: not configured (see the comments and the finding). */
  readonly config: DnctlPipeConfig | null;
}

export interface DummynetView {
  readonly header: readonly string[];
  readonly pipes: readonly DummynetPipeView[];
}

export const FINDING_NO_RATE = 'B2P-DUMMYNET-NO-RATE';
export const FINDING_BAD_RATE = 'B2P-DUMMYNET-RATE';

/** The decimal bytes/s text of a snapshot value: digits only, no sign, no leading zeros. */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

type RateOutcome =
  | { readonly kind: 'ok'; readonly source: string; readonly bw: Bandwidth & { ok: true } }
  | { readonly kind: 'missing'; readonly source: string; readonly why: string }
  | { readonly kind: 'bad'; readonly source: string; readonly bw: Bandwidth & { ok: false } };

function instanceOf(ir: PolicyIR, n: PipeNumber): { family: IrFamily; instance: IrFamilyInstance; index: number } | null {
  if (n.family === null) return null;
  const family = ir.families.find((f) => f.name === n.family);
  const index = family ? family.instances.findIndex((i) => i.name === n.instance) : -1;
  if (!family || index < 0) fail('EMIT_BAD_IR', `pipe ${n.number}: no instance ${n.family}/${n.instance}`);
  return { family, instance: family.instances[index], index };
}

function rateOf(pipe: IrPipe, inst: { instance: IrFamilyInstance } | null): RateOutcome {
  const { rate } = pipe;
  if (rate.kind === 'const') {
    const source = 'constant';
    const bw = bandwidthFromBytes(rate.bytesPerSecond);
    return bw.ok ? { kind: 'ok', source, bw } : { kind: 'bad', source, bw };
  }
  const source = `map ${rate.map} field ${rate.field}`;
  if (!inst) {
    return { kind: 'missing', source, why: `the rate is read from map ${rate.map} at run time and the IR has no value for a global pipe` };
  }
  const text = inst.instance.values[rate.field];
  if (text === undefined) {
    return { kind: 'missing', source, why: `the snapshot has no ${rate.field} for instance ${inst.instance.name} (key ${inst.instance.key})` };
  }
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) {
    return { kind: 'missing', source, why: `instance ${inst.instance.name}'s ${rate.field} is ${JSON.stringify(text)}, not a decimal count of bytes per second` };
  }
  const bw = bandwidthFromBytes(Number(text));
  return bw.ok ? { kind: 'ok', source: `${source} of instance ${inst.instance.name}`, bw } : { kind: 'bad', source: `${source} of instance ${inst.instance.name}`, bw };
}

function finding(code: string, severity: Finding['severity'], message: string, construct: string, suggestion: string): Finding {
  return { code, severity, message, object: null, program: null, section: null, slot: null, source: null, construct, suggestion };
}

function header(ir: PolicyIR, count: number): string[] {
  const lines = [
    `bpf2pf: dummynet pipes for FreeBSD ${ir.target.release} (dnctl(8))`,
    'Load before pf.conf: dnctl /absolute/path/to/dummynet.conf (dnctl reads a file of commands without the dnctl word;',
    '  the path must be absolute), or dnctl_enable="YES" and dnctl_rules="<that path>" in rc.conf. The dummynet module must',
    '  be loaded (kldload dummynet, or dummynet_load="YES"): without it pf drops the traffic of every dnpipe rule.',
    'Rates: the maps hold bytes per second; bw is written in bit/s (bytes x 8; K, M, G = 10^3, 10^6, 10^9 only when exact).',
    'Numbers: a global pipe is its IR id; a family pipe is id * 1000 + the instance index (the dnpipe numbers in pf.conf/anchors).',
    'Reloading reconfigures the pipes listed here; pipes of an earlier translation that are gone must be deleted (dnctl pipe N delete).',
  ];
  if (count === 0) lines.push('This translation has no dummynet pipes: loading this file changes nothing.');
  return lines;
}

function scopeText(inst: { family: IrFamily; instance: IrFamilyInstance } | null): string {
  if (!inst) return 'global';
  const i = inst.instance;
  return `family ${inst.family.name}, instance ${i.name} (key ${i.key}, ifindex ${i.ifindex}, interface ${i.interface})`;
}

export function buildDummynet(ir: PolicyIR): { view: DummynetView; findings: Finding[] } {
  const numbers = [...pipeNumbers(ir)].sort((a, b) => a.number - b.number);
  const findings: Finding[] = [];
  const pipes: DummynetPipeView[] = [];
  for (const n of numbers) {
    const pipe = ir.pipes.find((p) => p.id === n.pipe);
    if (!pipe) fail('EMIT_BAD_IR', `pipe number ${n.number}: no pipe ${n.pipe}`);
    const what = `pipe ${n.number} (${pipe.name})`;
    const inst = instanceOf(ir, n);
    const delayMs = pipe.delayMs !== undefined ? checkDelay(pipe.delayMs, what) : null;
    const burstBytes = pipe.burstBytes !== undefined ? checkBurst(pipe.burstBytes, what) : null;
    const users = ir.rules.filter((r) => r.dnpipe === pipe.id).map((r) => r.id);
    const comments = [
      `pipe ${n.number}: ${pipe.name}, IR pipe ${pipe.id}, ${scopeText(inst)}`,
      `  fidelity: ${fidelityText(pipe.fidelity)}`,
      users.length > 0 ? `  shapes the traffic of rule${users.length > 1 ? 's' : ''} ${users.join(', ')}` : '  no rule sends traffic to it',
    ];
    const rate = rateOf(pipe, inst);
    const extras = [delayMs !== null ? `delay ${delayMs} ms` : '', burstBytes !== null ? `burst ${burstBytes} bytes` : ''].filter((s) => s !== '');
    if (rate.kind === 'ok') {
      comments.push(`  rate: ${rate.source} = ${rate.bw.bytesPerSecond} bytes/s = ${rate.bw.bitsPerSecond} bit/s${extras.length ? `; ${extras.join(', ')}` : ''}`);
      pipes.push({ comments, config: { number: n.number, bitsPerSecond: rate.bw.bitsPerSecond, delayMs, burstBytes } });
      continue;
    }
    const why = rate.kind === 'missing' ? rate.why : rate.bw.message;
    comments.push(`  rate: ${rate.source}: NOT CONFIGURED, ${why}`);
    comments.push(`  dummynet drops what pf sends to a pipe that does not exist; configure it with: pipe ${n.number} config bw <bit/s>`);
    pipes.push({ comments, config: null });
    const construct = `dummynet pipe ${n.number} (${pipe.name}${inst ? `, ${inst.family.name}/${inst.instance.name}` : ''})`;
    if (rate.kind === 'missing') {
      findings.push(finding(FINDING_NO_RATE, 'warning', `${what} is not configured: ${why}; the traffic its rules send to it is dropped until it is`, construct,
        `configure it when the rate is known (dnctl pipe ${n.number} config bw <rate x 8>bit/s), e.g. from the control plane that writes ${rate.source}`));
    } else {
      findings.push(finding(FINDING_BAD_RATE, 'error', `${what} is not configured: ${why}`, construct,
        rate.bw.problem === 'too-large'
          ? `dummynet cannot shape above ${DUMMYNET_LIMITS.maxBitsPerSecond} bit/s: lower the rate, or configure the pipe without bw (unlimited) if that is acceptable`
          : rate.bw.problem === 'zero'
            ? `decide what a rate of 0 means for this program: bw 0 (unlimited) or blocking the traffic in pf`
            : `use a rate of whole bit/s`));
    }
  }
  return { view: { header: header(ir, numbers.length), pipes }, findings };
}
