import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../errors.js';
import { runCommand } from './exit.js';

/** `bpf2pf inspect <obj>`: wiring only; the work is in src/object/. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('programs, maps with key/value layouts, globals and source files of an eBPF object')
    .argument('<object>', 'clang-compiled eBPF object (.o)')
    .option('--json', 'print the JSON form (documented in the README)')
    .option('--disasm', 'print the disassembly, interleaved with source lines')
    .option('--btf', 'print the BTF types, as bpftool btf dump format raw does')
    .option('--schema <header>', 'C header with the map and struct declarations (objects built without -g); repeatable', collect, [])
    .action((file: string, opts: { json?: boolean; disasm?: boolean; btf?: boolean; schema: string[] }) =>
      runCommand(file, async () => {
        const { loadObject } = await import('../object/load-object.js');
        let obj = loadObject(readInput(file));
        if (opts.schema.length) {
          const { parseSchemaHeaders } = await import('../object/header-schema.js');
          const { applySchemaHeaders } = await import('../object/apply-schema-headers.js');
          obj = applySchemaHeaders(obj, parseSchemaHeaders(opts.schema, (p) => readText(p)));
        }
        if (opts.json) {
          const { objectToJson } = await import('../object/to-json.js');
          process.stdout.write(`${JSON.stringify(objectToJson(file, obj, { disasm: Boolean(opts.disasm) }), null, 2)}\n`);
          return 0;
        }
        if (opts.btf) {
          if (!obj.btf) fail('USAGE', 'the object has no BTF (it was built without -g)');
          const { formatBtfRaw } = await import('../btf/dump.js');
          process.stdout.write(formatBtfRaw(obj.btf));
          return 0;
        }
        if (opts.disasm) {
          const { objectListing } = await import('../object/listing.js');
          process.stdout.write(objectListing(obj));
          return 0;
        }
        const { summaryText } = await import('../object/summary-text.js');
        process.stdout.write(summaryText(file, obj));
        return 0;
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function readInput(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    return fail('IO', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    return fail('IO', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
