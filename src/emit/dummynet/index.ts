/**
 * The dummynet emitter: PolicyIR pipes in, `dummynet.conf` (a dnctl(8) command file) out.
 *
 *   dummynet.conf    one `pipe N config bw ...` per dummynet pipe number: global pipes by
 *                    IR id, family pipes once per instance (src/emit/pf/pipes.ts, the same
 *                    numbers the pf rules' dnpipe prints), each under comments naming its
 *                    IR pipe, scope, fidelity, rate source and the rules it shapes
 *
 * The file is written even when the IR has no pipes (a header that says so), so a
 * deployment can always load it. Deterministic: the same IR gives the same bytes.
 */
import type { Finding, PolicyIR } from '../../ir/types.js';
import { buildDummynet } from './build.js';
import { loadDummynetTemplates, type DummynetTemplates } from './templates.js';

export { bandwidthFromBytes, bwText, DUMMYNET_LIMITS, type Bandwidth, type BandwidthProblem } from './limits.js';
export { FINDING_BAD_RATE, FINDING_NO_RATE } from './build.js';
export { loadDummynetTemplates, defaultDummynetTemplatesDir, dnctlPipeCommand, type DummynetTemplates } from './templates.js';

export const DUMMYNET_FILE = 'dummynet.conf';

export interface EmitDummynetOptions {
  readonly templates?: DummynetTemplates;
  readonly templatesDir?: string;
}

export interface DummynetEmission {
  readonly files: readonly { readonly path: string; readonly content: string }[];
  /** Pipes left unconfigured (no rate, or one dummynet cannot hold exactly). */
  readonly findings: readonly Finding[];
}

export function emitDummynet(ir: PolicyIR, options: EmitDummynetOptions = {}): DummynetEmission {
  const templates = options.templates ?? loadDummynetTemplates(options.templatesDir);
  const { view, findings } = buildDummynet(ir);
  return { files: [{ path: DUMMYNET_FILE, content: templates.render('dummynet.conf', view) }], findings };
}
