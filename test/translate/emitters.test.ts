/**
 * The pipeline's wiring of the dummynet and netgraph emitters: both files always
 * written, the emitters' findings joining the IR's, and an IR with classifiers refused
 * with a typed error when no classic BPF code generator is plugged in.
 */
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { emitDummynetNetgraph, loadCbpfCompiler } from '../../src/translate/emitters.js';
import { translationFiles } from '../../src/translate/pipeline.js';
import { hasTcpdump } from '../cbpf/peer.js';
import { shaping } from '../emit/dummynet/fixtures.js';
import { policy } from '../emit/fixtures/build.js';
import { NETGRAPH_FIXTURES, tcpdumpCompile } from '../emit/netgraph/fixtures.js';
import { skipLine } from '../support/tools.js';

describe('dummynet and netgraph in translate', () => {
  it('refuses an IR with classifiers when no code generator is plugged in, naming them', async () => {
    const e = await emitDummynetNetgraph(NETGRAPH_FIXTURES.classifiers, null).then(
      () => null,
      (x: unknown) => x,
    );
    expect(isBpf2pfError(e) && e.code).toBe('EMIT_UNSUPPORTED');
    expect((e as Error).message).toMatch(/3 ng_bpf classifiers \(nic_l2_in, nic_lldp_out, tap_arp_guard\).*src\/cbpf\/compile\.ts/);
  });

  it('writes all three files without classifiers, with no code generator needed', async () => {
    const r = await emitDummynetNetgraph(policy({ rules: [] }), null);
    expect(r.files.map((f) => f.path)).toEqual(['dummynet.conf', 'netgraph.ngctl', 'netgraph-teardown.ngctl']);
    expect(r.findings).toEqual([]);
  });

  it('passes the injected code generator to the netgraph emitter', async () => {
    if (!hasTcpdump()) return skipLine('netgraph in translate', 'tcpdump not installed');
    const r = await emitDummynetNetgraph(NETGRAPH_FIXTURES.classifiers, tcpdumpCompile);
    expect(r.files.find((f) => f.path === 'netgraph.ngctl')?.content).toMatch(/^msg b2p_vtnet0: setprogram /m);
  });

  it('loads the code generator from src/cbpf/compile.ts when the build has it, else null', async () => {
    const compile = await loadCbpfCompiler();
    expect(compile === null || typeof compile === 'function').toBe(true);
  });

  it('translationFiles writes dummynet.conf and the netgraph scripts, and the reports carry their findings', async () => {
    const { ir, files } = await translationFiles(shaping(), '0.0.0-test');
    const paths = files.map((f) => f.path);
    for (const p of ['dummynet.conf', 'netgraph.ngctl', 'netgraph-teardown.ngctl', 'report.json']) expect(paths).toContain(p);
    expect(paths.indexOf('dummynet.conf')).toBeLessThan(paths.indexOf('report.md'));
    const codes = ir.findings.map((f) => f.code);
    expect(codes.filter((c) => c.startsWith('B2P-DUMMYNET'))).toEqual(['B2P-DUMMYNET-NO-RATE', 'B2P-DUMMYNET-NO-RATE', 'B2P-DUMMYNET-RATE']);
    expect(String(files.find((f) => f.path === 'report.json')?.content)).toMatch(/B2P-DUMMYNET-RATE/);
    const again = await translationFiles(shaping(), '0.0.0-test');
    expect(again.files).toEqual(files);
  });
});
