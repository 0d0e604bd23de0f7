import { isBpf2pfError } from '../errors.js';

/** Exit codes of every command (DESIGN.md "CLI contract"). */
export const EXIT = { OK: 0, FINDINGS: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

/**
 * Runs a command body and turns failures into the one-line messages and exit codes the
 * CLI promises: a typed input error is `bpf2pf: <file>: <message> [<code>]`, exit 2;
 * anything else is an internal error, exit 3 (stack only with BPF2PF_DEBUG=1).
 */
export async function runCommand(file: string | undefined, body: () => Promise<number> | number): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (e) {
    if (isBpf2pfError(e)) {
      process.stderr.write(`bpf2pf: ${file ? `${file}: ` : ''}${oneLine(e.message)} [${e.code}]\n`);
      code = EXIT.BAD_INPUT;
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`bpf2pf: internal error${file ? ` on ${file}` : ''}: ${oneLine(msg)}\n`);
      if (process.env.BPF2PF_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      code = EXIT.INTERNAL;
    }
  }
  return flushAndExit(code);
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/** Exit only after stdout has drained: a piped listing must not be cut short. */
function flushAndExit(code: number): Promise<never> {
  return new Promise(() => {
    process.stdout.write('', () => process.exit(code));
  });
}
