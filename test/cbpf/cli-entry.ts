/**
 * A CLI with only the cbpf commands, for testing them before (and apart from) their
 * registration in src/cli/main.ts. cli.test.ts bundles it with esbuild.
 */
import { Command } from 'commander';
import { registerCbpf } from '../../src/cli/cbpf.js';

const program = new Command();
program.name('bpf2pf').exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
registerCbpf(program);
await program.parseAsync(process.argv);
