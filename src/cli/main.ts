#!/usr/bin/env node
import { Command } from 'commander';
import { EXIT } from './exit.js';
import { registerCbpf } from './cbpf.js';
import { registerInspect } from './inspect.js';
import { registerRun } from './run.js';
import { registerTranslate } from './translate.js';
import { registerAudit } from './audit.js';
import { registerCheck } from './check.js';

const program = new Command();
program
  .name('bpf2pf')
  .description('Compile Linux eBPF tc/XDP objects into FreeBSD pf, dummynet and ng_bpf configuration')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own errors (unknown option, missing argument) are bad usage: exit 2.
    process.exit(err.exitCode === 0 ? EXIT.OK : EXIT.BAD_INPUT);
  });
registerInspect(program);
registerRun(program);
registerCbpf(program);
registerTranslate(program);
registerAudit(program);
registerCheck(program);
// No top-level await: the CLI bundle is CommonJS (see src/cli/launch.cts). Commands end
// the process themselves (runCommand); anything that escapes them is an internal error.
program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`bpf2pf: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(EXIT.INTERNAL);
});
