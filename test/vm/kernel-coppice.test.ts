import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/corpus.js';
import { skipLine } from '../support/tools.js';
import { objectPair, type ProbePair } from './support/compare.js';
import { icmpEchoRequest, standardFrames, tcpAck, tcpSyn, udpTo } from './support/frames.js';
import { compileFile, kernelProbeUnavailable } from './support/kernel-probe.js';
import { coppiceState } from './support/state.js';

/**
 * The Coppice programs against the kernel with a registered sandbox, SNAT pool and
 * policies: NAT, policy drops, DNS tail calls, reverse NAT and port forwarding must give
 * the kernel's verdicts, packets and map contents. The sources are rebuilt here as the
 * corpus builds them, except that LIBBPF_PIN_BY_NAME is turned off so loading does not
 * pin maps into the global bpffs.
 */
const why = kernelProbeUnavailable();

const PROGRAMS: readonly [string, string][] = [
  ['mvmtap', 'from_cube'],
  ['nodenic', 'from_world'],
  ['localgw', 'from_envoy'],
];

describe.skipIf(why !== undefined)('Coppice programs match the kernel', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bpf2pf-vm-coppice-'));
    writeFileSync(join(dir, 'nopin.h'), '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#define LIBBPF_PIN_BY_NAME LIBBPF_PIN_NONE\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [source, program] of PROGRAMS) {
    describe(program, () => {
      let pair: ProbePair;
      beforeAll(() => {
        const obj = compileFile(join(repoRoot, `corpus/coppice/src/${source}.bpf.c`), dir, 'clang-14', 'v3', [join(dir, 'nopin.h')]);
        pair = objectPair(obj, coppiceState);
      });
      afterAll(() => pair?.close());

      it('standard frames', () => {
        for (const f of standardFrames()) expect(pair.compare({ program, packet: f.packet, label: `${program} ${f.name}` })).toEqual([]);
      });

      it('a flow: SYN, ACK, more flows, UDP, ICMP, replies from outside', () => {
        const frames = [
          tcpSyn('169.254.68.6', '93.184.216.34', 40001, 443),
          tcpAck('169.254.68.6', '93.184.216.34', 40001, 443),
          tcpSyn('169.254.68.6', '93.184.216.34', 40002, 80),
          tcpSyn('169.254.68.6', '1.1.1.1', 40003, 443),
          tcpSyn('169.254.68.6', '10.1.2.3', 40004, 443),
          tcpSyn('169.254.68.6', '169.254.68.5', 40005, 80),
          tcpAck('169.254.68.6', '169.254.68.5', 40005, 80),
          udpTo('169.254.68.6', '93.184.216.34', 5000, 9999, [1, 2, 3]),
          icmpEchoRequest('169.254.68.6', '93.184.216.34', 77),
          tcpAck('93.184.216.34', '9.135.10.2', 443, 30000),
          tcpAck('93.184.216.34', '9.135.10.2', 443, 30100),
          udpTo('93.184.216.34', '9.135.10.2', 9999, 30000, [4, 5]),
          tcpSyn('198.51.100.7', '9.135.10.2', 50000, 8080),
          tcpAck('198.51.100.7', '9.135.10.2', 50000, 8080),
          tcpSyn('10.0.0.5', '203.0.113.1', 1234, 80),
        ];
        frames.forEach((packet, i) => expect(pair.compare({ program, packet, label: `${program} flow ${i}` })).toEqual([]));
      });
    });
  }
});

if (why !== undefined) skipLine('kernel Coppice cross-check', why);
