import type { Finding, PolicyIR } from '../ir/types.js';

/** What the pf emitter gives: files relative to the output directory, and findings about the output. */
export interface PfEmission {
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly findings: readonly Finding[];
}

export type EmitPf = (ir: PolicyIR) => PfEmission;

/** The module's exports as far as the pipeline uses them. */
interface PfEmitterModule {
  emitPf?: (ir: PolicyIR) => readonly { readonly path: string; readonly content: string }[];
  emitPfDetailed?: (ir: PolicyIR) => PfEmission;
}

/**
 * The pf emitter (src/emit/pf/index.ts), or null while it is not part of the build. It
 * is written in parallel with the pipeline, so the pipeline must build without it: until
 * it lands, translate writes the reports and says that no pf configuration was emitted.
 * Any other failure to load it is a real error.
 */
export async function loadPfEmitter(): Promise<EmitPf | null> {
  let mod: PfEmitterModule;
  try {
    // @ts-ignore -- the module may be missing from a checkout; once it is there, tsc checks the cast
    mod = (await import('../emit/pf/index.js')) as PfEmitterModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /emit[\\/]pf[\\/]index\.js/.test(String(err.message))) return null;
    throw e;
  }
  const { emitPfDetailed, emitPf } = mod;
  if (emitPfDetailed) return (ir) => emitPfDetailed(ir);
  if (emitPf) return (ir) => ({ files: emitPf(ir), findings: [] });
  return null;
}
