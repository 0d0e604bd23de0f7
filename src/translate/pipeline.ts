import type { Finding, PolicyIR } from '../ir/types.js';
import type { OutputFile } from '../output/write-dir.js';
import { canonicalJson } from '../output/canonical-json.js';
import type { Profile } from '../profile/types.js';
import type { ConstAssignment } from '../profile/constants.js';
import { fail } from '../errors.js';
import { aboutFile, checkDistinctObjects, checkSnapshotFits, loadInputs, readSnapshot, targetRelease, type LoadedInput } from './inputs.js';
import { emitDummynetNetgraph, loadCbpfCompiler, loadPfEmitter } from './emitters.js';
import { withConstants } from './apply-constants.js';

/**
 * The translator from files to files: objects + profile + constants + snapshot ->
 * PolicyIR (through the lifter's `buildIr`) -> pf configuration and reports. The CLI
 * commands (translate, audit, check) are wiring around these functions.
 */
export interface PolicyRequest {
  readonly objects: readonly string[];
  readonly profile?: string;
  /** `--const name=value`, in command-line order (after the profile's constants). */
  readonly consts?: readonly string[];
  readonly snapshot?: string;
  /** `--target freebsd-15|freebsd-14`. */
  readonly target?: string;
}

export interface Policy {
  readonly ir: PolicyIR;
  readonly profile: Profile;
  readonly inputs: readonly LoadedInput[];
}

export async function buildPolicy(req: PolicyRequest): Promise<Policy> {
  const loaded = await loadInputs(req.objects);
  const { loadProfile } = await import('../profile/load-profile.js');
  const { completeProfile, defaultProfile, entryPrograms } = await import('../profile/complete-profile.js');
  checkDistinctObjects(loaded, (o) => entryPrograms(o).map((p) => p.name));
  const { parseConstArguments, constantOverrides } = await import('../profile/constants.js');
  const { profileFindings } = await import('../profile/findings.js');
  const base = req.profile !== undefined ? completeProfile(loadProfile(req.profile), loaded) : defaultProfile(loaded);
  const release = targetRelease(req.target, base.target);
  const profile: Profile = { ...base, target: { ...base.target, freebsd: release } };

  const assignments: ConstAssignment[] = [
    ...profile.constants.map((c) => ({ ...c, origin: `${profile.source}:${profile.lines[`constants.${c.name}`] ?? 1}: constants.${c.name}`, required: false })),
    ...parseConstArguments(req.consts ?? []),
  ];
  const constants = resolveConstants(loaded, assignments, constantOverrides);
  const inputs = loaded.map((i) => ({ ...i, object: withConstants(i.object, constants.get(i.path)!) }));
  const snapshot = req.snapshot !== undefined ? readSnapshot(req.snapshot) : null;
  if (snapshot && req.snapshot !== undefined) await checkSnapshotFits(req.snapshot, snapshot, inputs);

  const { buildIr } = await import('../lift/build-ir.js');
  // The objects already carry the overrides; constants and target are passed as well for
  // a lifter that wants them (release is also the profile's target).
  const options = { snapshot, constants, target: release };
  const ir = buildIr(inputs, profile, options);
  return { ir: withFindings(ir, profileFindings(profile, release)), profile, inputs };
}

/** The `.rodata` overrides of each object (by path as given); a required one no object has is an error. */
function resolveConstants(
  inputs: readonly LoadedInput[],
  assignments: readonly ConstAssignment[],
  overridesOf: typeof import('../profile/constants.js').constantOverrides,
): Map<string, Map<string, Uint8Array>> {
  const constants = new Map<string, Map<string, Uint8Array>>();
  for (const input of inputs) {
    constants.set(input.path, aboutFile(input.path, () => overridesOf(input.object.globals, input.object.littleEndian, assignments)));
  }
  for (const a of assignments) {
    if (a.required && ![...constants.values()].some((m) => m.has(a.name))) fail('CONST_INVALID', `${a.origin}: no object given has a .rodata constant ${a.name}`);
  }
  return constants;
}

/** The IR with these findings first, each distinct finding once. */
export function withFindings(ir: PolicyIR, extra: readonly Finding[]): PolicyIR {
  const seen = new Set<string>();
  const findings = [...extra, ...ir.findings].filter((f) => {
    const key = canonicalJson(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...ir, findings };
}

export const EMITTER_MISSING = 'B2P-NOT-IMPLEMENTED';

/** Reports in the formats a command asks for, from the IR. */
export async function renderReport(ir: PolicyIR, format: 'text' | 'md' | 'json' | 'sarif', toolVersion: string): Promise<string> {
  const { buildReport } = await import('../report/model.js');
  const model = buildReport(ir);
  switch (format) {
    case 'text':
      return (await import('../report/text.js')).reportText(model);
    case 'md':
      return (await import('../report/markdown.js')).reportMarkdown(model);
    case 'json':
      return (await import('../report/json.js')).reportJson(model);
    case 'sarif':
      return (await import('../report/sarif.js')).reportSarif(model, { toolVersion });
    default: {
      const never: never = format;
      return never;
    }
  }
}

/**
 * Every file of a translation: the emitted pf configuration, dummynet.conf,
 * netgraph.ngctl and netgraph-teardown.ngctl, then report.md, report.json, report.sarif
 * and ir.json. The emitters' own findings (about the output, e.g. a table too large for
 * one pfctl request, a pipe with no rate) join the IR's before the reports are written.
 * Without the pf emitter in the build, the reports say so and no pf files are written.
 * The dummynet and netgraph files are always written (their headers say when there is
 * nothing to load), so a deployment can load them unconditionally; an IR with
 * classifiers and no classic BPF code generator in the build fails (emitters.ts).
 */
export async function translationFiles(policyIr: PolicyIR, toolVersion: string): Promise<{ ir: PolicyIR; files: OutputFile[]; emitted: boolean }> {
  const emitPf = await loadPfEmitter();
  const emission = emitPf ? emitPf(policyIr) : null;
  // The code generator (and its grammar) is loaded only when there is something to compile.
  const targets = await emitDummynetNetgraph(policyIr, policyIr.classifiers.length > 0 ? await loadCbpfCompiler() : null);
  const ir = withFindings(policyIr, [...(emission ? emission.findings : [EMITTER_MISSING_FINDING]), ...targets.findings]);
  const files: OutputFile[] = [
    ...(emission?.files ?? []).map((f) => ({ path: f.path, content: f.content })),
    ...targets.files.map((f) => ({ path: f.path, content: f.content })),
    { path: 'report.md', content: await renderReport(ir, 'md', toolVersion) },
    { path: 'report.json', content: await renderReport(ir, 'json', toolVersion) },
    { path: 'report.sarif', content: await renderReport(ir, 'sarif', toolVersion) },
    { path: 'ir.json', content: canonicalJson(ir, 2) },
  ];
  return { ir, files, emitted: emission !== null };
}

const EMITTER_MISSING_FINDING: Finding = {
  code: EMITTER_MISSING,
  severity: 'error',
  message: 'this build of bpf2pf has no pf emitter: no pf.conf, anchors or tables were written',
  object: null,
  program: null,
  section: null,
  slot: null,
  source: null,
  construct: 'pf emitter',
  suggestion: 'use a build of bpf2pf that includes src/emit/pf',
};
