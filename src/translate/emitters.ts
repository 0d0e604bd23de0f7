import { classify } from '../cbpf/opcodes.js';
import type { CbpfProgram, RawInsn } from '../cbpf/types.js';
import { fail } from '../errors.js';
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

/** Files and findings of the dummynet and netgraph emitters. */
export interface TargetEmission {
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly findings: readonly Finding[];
}

/** The classic BPF code generator as the netgraph emitter takes it. */
export type CompileFilter = (predicate: string) => CbpfProgram;

/** The code generator module's exports as far as the pipeline uses them. */
interface CbpfCompilerModule {
  compileFilter?: (expr: string) => unknown;
}

/**
 * >>> The one place the classic BPF code generator plugs in. <<<
 *
 * `compileFilter(expr)` of src/cbpf/compile.ts (tcpdump-expression subset -> program),
 * or null while that module is not part of the build. The netgraph emitter takes the
 * function injected (emitDummynetNetgraph below), so nothing else imports the compiler.
 * Its result may be the instructions or `{ program }`; each instruction is re-classified
 * from its raw code/jt/jf/k, so the emitter validates exactly what will be encoded.
 */
export async function loadCbpfCompiler(): Promise<CompileFilter | null> {
  let mod: CbpfCompilerModule;
  try {
    // @ts-ignore -- the module may be missing from a checkout; once it is there, tsc checks the cast
    mod = (await import('../cbpf/compile.js')) as CbpfCompilerModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && /cbpf[\\/]compile\.js/.test(String(err.message))) return null;
    throw e;
  }
  const { compileFilter } = mod;
  if (typeof compileFilter !== 'function') return null;
  return (predicate) => asProgram(compileFilter(predicate), predicate);
}

function asProgram(result: unknown, predicate: string): CbpfProgram {
  const insns = Array.isArray(result) ? result : (result as { program?: unknown } | null)?.program;
  if (!Array.isArray(insns)) fail('EMIT_BAD_IR', `compileFilter(${JSON.stringify(predicate)}) returned no program`);
  return insns.map((i: unknown) => {
    const r = i as Partial<RawInsn> | null;
    if (typeof r?.code !== 'number' || typeof r.jt !== 'number' || typeof r.jf !== 'number' || typeof r.k !== 'number') {
      fail('CBPF_BAD_ENCODING', `compileFilter(${JSON.stringify(predicate)}) returned an instruction without code, jt, jf and k`);
    }
    return classify({ code: r.code, jt: r.jt, jf: r.jf, k: r.k });
  });
}

/**
 * dummynet.conf, netgraph.ngctl and netgraph-teardown.ngctl for the IR (always written;
 * headers say when there is nothing to load). Without a code generator, an IR with
 * classifiers fails with EMIT_UNSUPPORTED naming them: a classifier is never dropped
 * silently, and no netgraph script is written that would leave it out.
 */
export async function emitDummynetNetgraph(ir: PolicyIR, compile: CompileFilter | null): Promise<TargetEmission> {
  if (compile === null && ir.classifiers.length > 0) {
    fail(
      'EMIT_UNSUPPORTED',
      `the IR has ${ir.classifiers.length} ng_bpf classifier${ir.classifiers.length > 1 ? 's' : ''} (${ir.classifiers.map((c) => c.name).join(', ')}) but this build has no classic BPF code generator (src/cbpf/compile.ts), so netgraph.ngctl cannot be written`,
    );
  }
  const { emitDummynet } = await import('../emit/dummynet/index.js');
  const { emitNetgraph } = await import('../emit/netgraph/index.js');
  const dummynet = emitDummynet(ir);
  const netgraph = emitNetgraph(ir, { compile: compile ?? noClassifiers });
  return { files: [...dummynet.files, ...netgraph.files], findings: [...dummynet.findings, ...netgraph.findings] };
}

function noClassifiers(predicate: string): never {
  return fail('EMIT_UNSUPPORTED', `no classic BPF code generator in this build to compile ${JSON.stringify(predicate)}`);
}
