import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type { PolicyRequest } from '../translate/pipeline.js';
import { runCommand } from './exit.js';

/** Options every command that builds the policy takes (translate, audit, check). */
export interface PolicyOptions {
  profile?: string;
  const: string[];
  snapshot?: string;
  target?: string;
}

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .argument('<objects...>', 'clang-compiled eBPF objects (.o) of one deployment')
    .option('--profile <profile.yaml>', 'where the programs run and what user space keeps (default: every entry program in on em0, with a finding)')
    .option('--const <name=value>', 'override a .rodata constant (decimal, 0x hex, a.b.c.d, MAC); repeatable, after the profile\'s', collect, [])
    .option('--snapshot <maps.json>', 'map contents (the bpf2pf run --maps form) for table contents and per-sandbox instances')
    .addOption(new Option('--target <release>', 'FreeBSD release to write for (default: the profile\'s, else 15.0)').choices(['freebsd-15', 'freebsd-14']));
}

export function policyRequest(objects: string[], opts: PolicyOptions): PolicyRequest {
  return { objects, consts: opts.const, ...(opts.profile !== undefined && { profile: opts.profile }), ...(opts.snapshot !== undefined && { snapshot: opts.snapshot }), ...(opts.target !== undefined && { target: opts.target }) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The version commander was given in main.ts, for reports that name the tool. */
export function toolVersion(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.version() ?? '0.0.0';
}

/** `bpf2pf translate <obj...> -o DIR`: wiring only; the work is in src/translate/. */
export function registerTranslate(program: Command): void {
  addPolicyOptions(
    program
      .command('translate')
      .description('write the FreeBSD configuration (pf.conf, anchors, tables, dummynet.conf, netgraph.ngctl) and the migration report into a directory, atomically'),
  )
    .requiredOption('-o, --output <dir>', 'output directory: created, or replaced when empty or an earlier bpf2pf output')
    .action((objects: string[], opts: PolicyOptions & { output: string }, cmd: Command) =>
      runCommand(undefined, async () => {
        const { buildPolicy, translationFiles } = await import('../translate/pipeline.js');
        const { writeDirectoryAtomic } = await import('../output/write-dir.js');
        const policy = await buildPolicy(policyRequest(objects, opts));
        const { ir, files, emitted } = await translationFiles(policy.ir, toolVersion(cmd));
        writeDirectoryAtomic(opts.output, files, { mayReplace: isEarlierOutput });
        if (!emitted) process.stderr.write('bpf2pf: warning: this build has no pf emitter; only the reports were written\n');
        const { buildReport } = await import('../report/model.js');
        const t = buildReport(ir).totals.findings;
        process.stdout.write(`bpf2pf: wrote ${opts.output} (${files.length} files); findings: ${t.error} error, ${t.warning} warning, ${t.info} info; see ${join(opts.output, 'report.md')}\n`);
        return 0;
      }),
    );
}

/**
 * A directory translate may replace: empty, or one it wrote before (its report.json).
 * Anything else is refused, so a mistyped -o never deletes someone's directory.
 */
function isEarlierOutput(dir: string): boolean {
  if (readdirSync(dir).length === 0) return true;
  const report = join(dir, 'report.json');
  if (!existsSync(report)) return false;
  try {
    return (JSON.parse(readFileSync(report, 'utf8')) as { bpf2pfReport?: unknown }).bpf2pfReport !== undefined;
  } catch {
    return false;
  }
}
