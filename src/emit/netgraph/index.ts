/**
 * The netgraph emitter: PolicyIR classifiers in, two ngctl scripts out.
 *
 *   netgraph.ngctl            ngctl -f: per interface, an ng_bpf node spliced between the
 *                             ng_ether hooks lower and upper, with one setprogram per hook
 *   netgraph-teardown.ngctl   ngctl -f: shuts those nodes down, which restores the interfaces
 *
 * The classic BPF programs come from an injected code generator (`compile`), so this
 * module does not depend on one; each program is validated (src/cbpf/validate.ts and
 * program.ts) before it is written. Both files are written even when the IR has no
 * classifiers (headers that say so), so a deployment can always load them.
 * Deterministic: the same IR and compiler give the same bytes.
 */
import type { Finding, PolicyIR } from '../../ir/types.js';
import { buildNetgraph } from './build.js';
import { planNetgraph } from './plan.js';
import type { CompileClassifier } from './program.js';
import { loadNetgraphTemplates, type NetgraphTemplates } from './templates.js';

export { NETGRAPH_LIMITS, ngctlWords } from './limits.js';
export { PASS_ALL, checkHookProgram, type CompileClassifier } from './program.js';
export { hookProgramAscii, insnAscii, type HookProgram } from './ascii.js';
export { renderNgctl, type NgctlCommand } from './commands.js';
export { filterNodeName } from './names.js';
export { loadNetgraphTemplates, defaultNetgraphTemplatesDir, type NetgraphTemplates } from './templates.js';

export const NETGRAPH_FILE = 'netgraph.ngctl';
export const NETGRAPH_TEARDOWN_FILE = 'netgraph-teardown.ngctl';

export interface EmitNetgraphOptions {
  /** The classic BPF code generator for classifier predicates. */
  readonly compile: CompileClassifier;
  readonly templates?: NetgraphTemplates;
  readonly templatesDir?: string;
}

export interface NetgraphEmission {
  readonly files: readonly { readonly path: string; readonly content: string }[];
  /** Classifiers not installed, and programs only older releases would refuse. */
  readonly findings: readonly Finding[];
}

export function emitNetgraph(ir: PolicyIR, options: EmitNetgraphOptions): NetgraphEmission {
  const templates = options.templates ?? loadNetgraphTemplates(options.templatesDir);
  const views = buildNetgraph(ir, planNetgraph(ir), options.compile);
  return {
    files: [
      { path: NETGRAPH_FILE, content: templates.render('netgraph.ngctl', views.setup) },
      { path: NETGRAPH_TEARDOWN_FILE, content: templates.render('netgraph-teardown.ngctl', views.teardown) },
    ],
    findings: views.findings,
  };
}
