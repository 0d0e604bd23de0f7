import { Option, type Command } from 'commander';
import { runCommand } from './exit.js';
import { addPolicyOptions, policyRequest, toolVersion, type PolicyOptions } from './translate.js';

/** `bpf2pf audit <obj...>`: the migration report alone, on stdout. */
export function registerAudit(program: Command): void {
  addPolicyOptions(program.command('audit').description('the migration report alone, on stdout'))
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'md', 'json', 'sarif']).default('text'))
    .action((objects: string[], opts: PolicyOptions & { format: 'text' | 'md' | 'json' | 'sarif' }, cmd: Command) =>
      runCommand(undefined, async () => {
        const { buildPolicy, renderReport } = await import('../translate/pipeline.js');
        const { ir } = await buildPolicy(policyRequest(objects, opts));
        process.stdout.write(await renderReport(ir, opts.format, toolVersion(cmd)));
        return 0;
      }),
    );
}
