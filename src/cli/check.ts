import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../errors.js';
import { EXIT, runCommand } from './exit.js';
import { addPolicyOptions, policyRequest, type PolicyOptions } from './translate.js';

/**
 * `bpf2pf check <obj...>`: the pre-commit gate. Exit 1 when there are findings the
 * baseline does not accept (one line each on stdout); `--write-baseline` accepts the
 * current ones. Identity of a finding: src/report/baseline.ts.
 */
export function registerCheck(program: Command): void {
  addPolicyOptions(program.command('check').description('pre-commit gate: exit 1 on findings not in the baseline'))
    .option('--baseline <file>', 'accepted findings (written by --write-baseline)')
    .option('--write-baseline <file>', 'write the current findings as the baseline and exit 0')
    .action((objects: string[], opts: PolicyOptions & { baseline?: string; writeBaseline?: string }) =>
      runCommand(undefined, async () => {
        if (opts.baseline !== undefined && opts.writeBaseline !== undefined) fail('USAGE', 'give --baseline or --write-baseline, not both');
        const { buildPolicy } = await import('../translate/pipeline.js');
        const { baselineJson, baselineOf, newFindings, parseBaseline } = await import('../report/baseline.js');
        const { compareFindings, findingPlace } = await import('../report/model.js');
        const { ir } = await buildPolicy(policyRequest(objects, opts));
        const findings = [...ir.findings].sort(compareFindings);
        if (opts.writeBaseline !== undefined) {
          const { writeFileAtomic } = await import('../output/write-file.js');
          writeFileAtomic(opts.writeBaseline, baselineJson(baselineOf(findings)));
          process.stderr.write(`bpf2pf check: wrote ${opts.writeBaseline} (${findings.length} findings accepted)\n`);
          return EXIT.OK;
        }
        const baseline = opts.baseline !== undefined ? parseBaseline(readText(opts.baseline), opts.baseline) : { bpf2pfBaseline: 2 as const, findings: [] };
        const fresh = newFindings(findings, baseline);
        for (const f of fresh) process.stdout.write(`${findingPlace(f) ?? 'deployment'}: ${f.severity}: ${oneLine(f.message)} [${f.code}]\n`);
        const accepted = findings.length - fresh.length;
        process.stderr.write(`bpf2pf check: ${fresh.length === 0 ? 'no new findings' : `${fresh.length} new finding${fresh.length === 1 ? '' : 's'}`}${accepted ? ` (${accepted} accepted by the baseline)` : ''}\n`);
        return fresh.length === 0 ? EXIT.OK : EXIT.FINDINGS;
      }),
    );
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    return fail('IO', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
