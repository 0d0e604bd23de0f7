import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleCbpf } from '../../src/cbpf/assemble.js';
import { compileFilter } from '../../src/cbpf/compile.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import type { CbpfProgram, RawInsn } from '../../src/cbpf/types.js';
import { findFreeBsdViolation } from '../../src/cbpf/validate.js';
import { isBpf2pfError } from '../../src/errors.js';
import { skipLine } from '../support/tools.js';
import { filterFrames, nearMisses } from './filter-frames.js';
import { hasHarness, hasTcpdump, runPeers } from './peer.js';
import { spawnSync } from 'node:child_process';

// Random expressions from a small grammar (primitives of every kind, and/or/not,
// parentheses, vlan anywhere, which moves everything after it) compile, pass FreeBSD's
// validator, and give tcpdump's verdicts, in libpcap, on shared frames and near misses
// wherever every load fits in the frame. On frames cut short, a program's verdict
// depends on which loads it makes in which order, and libpcap's optimizer reorders
// and drops tests by rules that are not the expression's (its -O program gives other
// verdicts there too); the suite in compile.test.ts agrees there as well, these random
// combinations may not: such differences are counted, and must stay rare.

const PRIMITIVES = [
  'ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'vlan', 'vlan 10', 'vlan 100',
  'host 10.0.0.1', 'src host 10.0.0.2', 'dst host 192.168.1.10', 'net 192.168.1.0/24', 'src net 10.0.0.0/8', 'arp host 10.0.0.1',
  'host 10.0.0.1 or 10.0.0.2', 'ip6 host 2001:db8::1', 'ip6 src net 2001:db8::/32', 'ether host 00:11:22:33:44:55',
  'ether dst ff:ff:ff:ff:ff:ff', 'ether broadcast', 'ether multicast', 'ip multicast', 'ip broadcast',
  'port 80', 'port 53', 'tcp port 443', 'udp dst port 53', 'src port 22', 'portrange 1024-1030', 'tcp dst portrange 6000-6010',
  'tcp port 80 or 443', 'ip proto 47', 'ip6 proto 17', 'proto 6', 'ether proto 0x88cc',
  'tcp[tcpflags] & tcp-syn != 0', 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', 'tcp[13] == 0x12', 'icmp[icmptype] == icmp-echo',
  'udp[8:4] == 0xdeadbeef', 'ip[8] < 5', 'ip[6:2] & 0x1fff != 0', 'ip[0] & 0xf > 5', 'ip[2:2] > 576', 'ether[0] & 1 != 0',
  'len > 100', 'len <= 64', 'greater 200', 'less 80', 'arp[6:2] == 2', 'ip6[40] == 128', 'ip[2:2] - ((ip[0]&0xf)<<2) > 20',
  'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420', 'ether[len - 1] == 0xff', 'ip[8] % 3 == 0',
];

const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    fc.constantFrom(...PRIMITIVES),
    fc.tuple(tie('e'), fc.constantFrom('and', 'or', '&&', '||'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((a) => `not ${a}`),
    tie('e').map((a) => `(${a})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a}) and not (${b})`),
  ),
})).e;

// CBPF_PROPERTY_RUNS / CBPF_PROPERTY_SEED explore further than the default run.
const RUNS = Number(process.env.CBPF_PROPERTY_RUNS ?? 250);
const SEED = Number(process.env.CBPF_PROPERTY_SEED ?? 20240611);

const raw = (p: CbpfProgram): RawInsn[] => p.map(({ code, jt, jf, k }) => ({ code, jt, jf, k }));
const SHARED = filterFrames(400, 4242);

/**
 * Runs the harness, once more if it could not be started: every vitest run rebuilds it
 * in place (test/global-setup.ts), so a run started beside this one can make it
 * briefly unexecutable (the spawn then fails with no output at all).
 */
function withRetry<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    return f();
  }
}

/** tcpdump's program, or undefined when tcpdump says the expression rejects all packets. */
function tcpdumpProgram(expr: string): CbpfProgram | undefined {
  const r = spawnSync('tcpdump', ['-y', 'EN10MB', '-ddd', expr], { encoding: 'utf8' });
  if (r.status !== 0) {
    if (/rejects all packets/.test(r.stderr)) return undefined;
    throw new Error(`tcpdump '${expr}': ${r.stderr}`);
  }
  return assembleCbpf(r.stdout);
}

describe('random filter expressions', () => {
  it('compile to valid programs with tcpdump\'s verdicts', () => {
    if (!hasTcpdump()) return skipLine('cbpf compile properties', 'tcpdump not installed');
    if (!hasHarness()) return skipLine('cbpf compile properties', 'pcap-harness not built (gcc or libpcap-dev missing)');
    let runs = 0;
    let ours = 0;
    let theirs = 0;
    let shorter = 0;
    const longer: string[] = [];
    const shortFrameDiffs: string[] = [];
    fc.assert(fc.property(expression, fc.integer({ min: 1, max: 1_000_000 }), (expr, seed) => {
      const prog = compileFilter(expr);
      expect(findFreeBsdViolation(prog, { rejectEmpty: true }), expr).toBeUndefined();
      const ref = tcpdumpProgram(expr);
      const filter = cbpfFilter(prog);
      if (!ref) {
        // tcpdump refuses to compile it; ours must then match nothing.
        SHARED.forEach((f) => expect(filter({ bytes: f }), expr).toBe(0));
        return;
      }
      ours += prog.length;
      theirs += ref.length;
      if (prog.length > ref.length) longer.push(`${expr} (${prog.length}/${ref.length})`);
      if (prog.length < ref.length) shorter++;
      const refFilter = cbpfFilter(ref);
      const frames = [...SHARED, ...nearMisses(SHARED.filter((f) => refFilter({ bytes: f }) !== 0), SHARED, 200, seed)];
      // Each frame also with 256 more bytes (the wire length unchanged): every load fits.
      const padded = frames.map((f) => Uint8Array.from([...f, ...new Array<number>(256).fill(0)]));
      const wireLens = frames.map((f) => f.length);
      const [p, r, pp, rp] = withRetry(() => runPeers([
        { prog: raw(prog), frames }, { prog: raw(ref), frames },
        { prog: raw(prog), frames: padded, wireLens }, { prog: raw(ref), frames: padded, wireLens },
      ]));
      frames.forEach((f, i) => {
        const where = `${expr} on frame ${i} ${Buffer.from(f).toString('hex')}`;
        expect(p.pcap[i], where).toBe(filter({ bytes: f }));
        // Where every load fits, the verdicts are the same, always.
        expect(pp.pcap[i] !== 0, `${where} (padded): tcpdump's program says ${rp.pcap[i]}`).toBe(rp.pcap[i] !== 0);
        if ((p.pcap[i] !== 0) === (r.pcap[i] !== 0)) return;
        // On a short frame, which loads a program makes decides: libpcap's optimizer
        // reorders and drops tests in ways that change it (its -O program differs too).
        // A difference is only allowed where a load past the end decided a verdict.
        const cut = (p.pcap[i] !== 0) !== (pp.pcap[i] !== 0) || (r.pcap[i] !== 0) !== (rp.pcap[i] !== 0);
        expect(cut, `${where}: tcpdump's program says ${r.pcap[i]}, on a frame where every load fits`).toBe(true);
        shortFrameDiffs.push(`${expr} on ${Buffer.from(f).toString('hex')}`);
      });
      runs += frames.length;
    }), { numRuns: RUNS, seed: SEED });
    console.log(`cbpf compile properties: ${runs} frame runs (and as many padded) against tcpdump's programs; `
      + `${shortFrameDiffs.length} verdicts differ, all on short frames: ${shortFrameDiffs.slice(0, 5).join('; ')}; `
      + `${ours} instructions, tcpdump ${theirs}; shorter than tcpdump on ${shorter}, longer on ${longer.length}: ${longer.join('; ')}`);
    // Rare: most short frames get tcpdump's verdict too.
    expect(shortFrameDiffs.length).toBeLessThanOrEqual(runs / 1000);
  });

  it('random text gives a program or a typed error, never a crash', () => {
    const words = fc.constantFrom('ip', 'tcp', 'port', 'host', 'net', 'and', 'or', 'not', '(', ')', '[', ']', ':', '80', '10.0.0.1',
      'src', 'dst', 'vlan', '==', '!=', '&', '|', '^', '-', '+', 'len', 'mask', '/', '24', '0x', 'ether', '00:11:22:33:44:55', 'proto', '!', 'ip6', '::1');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.array(words, { maxLength: 12 }).map((ws) => ws.join(' ')));
    fc.assert(fc.property(text, (t) => {
      try {
        const prog = compileFilter(t);
        expect(findFreeBsdViolation(prog, { rejectEmpty: true })).toBeUndefined();
      } catch (e) {
        if (!isBpf2pfError(e) || !['CBPF_FILTER_SYNTAX', 'CBPF_FILTER_INVALID', 'CBPF_UNSUPPORTED'].includes(e.code)) throw e;
      }
    }), { numRuns: 3000, seed: 99 });
  });
});
