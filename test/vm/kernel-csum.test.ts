import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipLine } from '../support/tools.js';
import { probePair, type ProbePair } from './support/compare.js';
import { icmpEchoRequest, tcpSyn, udpTo } from './support/frames.js';
import { kernelProbeUnavailable } from './support/kernel-probe.js';

/** Checksum helpers (l3/l4_csum_replace, csum_diff, csum_update, csum_level) against the kernel. */
const why = kernelProbeUnavailable();

describe.skipIf(why !== undefined)('checksum helpers match the kernel', () => {
  let pair: ProbePair;
  beforeAll(() => {
    pair = probePair('csum', readFileSync(join(import.meta.dirname, 'probes/csum.bpf.c'), 'utf8'));
  });
  afterAll(() => pair?.close());

  const frames = [
    ['tcp', tcpSyn('10.0.0.1', '10.0.0.2', 40000, 443)],
    ['tcp-2', tcpSyn('192.168.1.200', '8.8.4.4', 1, 65535)],
    ['udp', udpTo('10.0.0.1', '10.0.0.9', 5353, 53, [1, 2, 3, 4, 5])],
    ['udp-odd', udpTo('172.16.0.1', '172.16.255.254', 65535, 0, [0xff])],
    ['icmp', icmpEchoRequest('10.0.0.1', '10.0.0.2')],
  ] as const;

  for (const [name, packet] of frames) {
    it(`csum on ${name}`, () => {
      expect(pair.compare({ program: 'csum', packet, label: `csum ${name}` })).toEqual([]);
    });
    it(`mangled on ${name}`, () => {
      expect(pair.compare({ program: 'mangled', packet, label: `mangled ${name}` })).toEqual([]);
      expect(pair.compare({ program: 'mangled', packet, ctx: { mark: 1 }, label: `mangled zero ${name}` })).toEqual([]);
    });
  }
});

if (why !== undefined) skipLine('kernel checksum cross-check', why);
