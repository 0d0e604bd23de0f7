/**
 * The pf emitter: PolicyIR in, pf.conf + anchors/ + tables/ + control-plane.{md,json} out.
 *
 *   pf.conf                                  macros, global tables, options, (14.x) legacy
 *                                            translation, filter rules, family anchor calls
 *   anchors/<family>/<instance>.conf         one per family instance (pfctl -a family/instance -f)
 *   tables/<set>.txt                         global sets of more than INLINE_TABLE_MAX entries
 *   tables/<family>/<instance>/<set>.txt     the same for an instance's sets
 *   control-plane.md, control-plane.json     what map updates become (pfctl -T, anchor loads, dnctl)
 *
 * Deterministic: the same IR gives byte-identical files, in a fixed order.
 */
import { commentText } from '../../ir/names.js';
import type { Finding, PolicyIR } from '../../ir/types.js';
import { assemble } from './assemble.js';
import { emitContext } from './context.js';
import { controlPlaneDoc } from './control-plane.js';
import type { PipeNumber } from './pipes.js';
import { loadPfTemplates, type PfTemplates } from './templates.js';
import { fail } from '../../errors.js';

export { pipeNumbers, FAMILY_PIPE_STRIDE, type PipeNumber } from './pipes.js';
export { loadPfTemplates, defaultTemplatesDir, type PfTemplates } from './templates.js';
export { INLINE_TABLE_MAX } from './tables.js';
export { PF_LIMITS } from './limits.js';

export interface EmittedFile {
  /** Relative to the output directory. */
  readonly path: string;
  readonly content: string;
}

export interface EmitPfOptions {
  /** Templates already loaded (reuse across calls), or the directory to load them from. */
  readonly templates?: PfTemplates;
  readonly templatesDir?: string;
  /**
   * Prefix of the `file "..."` paths of large tables, e.g. '/etc/pf/bpf2pf/'. Empty (the
   * default): relative, so pfctl must run in the output directory.
   */
  readonly tableFileRoot?: string;
}

export interface PfEmission {
  readonly files: readonly EmittedFile[];
  /** Warnings about the output (a table larger than one pfctl request), also in pf.conf. */
  readonly findings: readonly Finding[];
  /** The dummynet pipe numbers the rules use (for the dummynet emitter). */
  readonly pipes: readonly PipeNumber[];
}

function header(ir: PolicyIR, legacy: boolean): string[] {
  return [
    `bpf2pf: pf.conf for FreeBSD ${ir.target.release}`,
    'Generated from:',
    ...ir.inputs.map((i) => `  ${i.object} sha256:${i.sha256} (programs: ${i.programs.join(', ')})`),
    legacy
      ? 'Translation: FreeBSD 14.x legacy nat/rdr rules, evaluated before filtering; each filter rule matches the packets its translation tagged (a nat for a rule that routes runs after it, on the packets it tagged).'
      : 'Translation: nat-to/rdr-to on the filter rules (FreeBSD 15.0); the rules match the packets as they arrive.',
    'Load from this directory: pfctl -f pf.conf, then each anchors/<family>/<instance>.conf with pfctl -a <family>/<instance> -f.',
    'Rules follow the programs: the first matching quick rule decides. ruleset-optimization none keeps them 1:1 with the comments.',
  ];
}

export function emitPfDetailed(ir: PolicyIR, options: EmitPfOptions = {}): PfEmission {
  const root = options.tableFileRoot ?? '';
  if (root !== '' && (!root.endsWith('/') || commentText(root) !== root || /["$#]/.test(root))) {
    fail('EMIT_BAD_NAME', `table file root ${JSON.stringify(root)} must be a plain path ending in /`);
  }
  const templates = options.templates ?? loadPfTemplates(options.templatesDir);
  const ctx = emitContext(ir);
  const a = assemble(ctx, header(ir, ctx.release.legacyTranslation), root);
  const files: EmittedFile[] = [{ path: 'pf.conf', content: templates.render('pf.conf', a.main) }];
  for (const t of a.tableFiles) files.push({ path: t.path, content: templates.render('table.txt', t) });
  for (const anchor of a.anchors) {
    files.push({ path: `anchors/${anchor.path}.conf`, content: templates.render('anchor.conf', anchor) });
    for (const t of anchor.tableFiles) files.push({ path: t.path, content: templates.render('table.txt', t) });
  }
  const doc = controlPlaneDoc(ir, ctx.pipes);
  files.push({ path: 'control-plane.md', content: templates.render('control-plane.md', doc) });
  files.push({ path: 'control-plane.json', content: `${JSON.stringify(doc, null, 2)}\n` });
  return { files, findings: a.findings, pipes: ctx.pipes };
}

/** The files only; see emitPfDetailed for the findings and pipe numbers. */
export function emitPf(ir: PolicyIR, options: EmitPfOptions = {}): EmittedFile[] {
  return [...emitPfDetailed(ir, options).files];
}
