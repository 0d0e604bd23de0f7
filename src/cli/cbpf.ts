import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../errors.js';
import { runCommand } from './exit.js';

/**
 * `bpf2pf cbpf compile|asm|disasm|run`: classic BPF as FreeBSD's bpf(4) and ng_bpf(4) take it.
 * Wiring only; the work is in src/cbpf/.
 */
export function registerCbpf(program: Command): void {
  const cbpf = program.command('cbpf').description('classic BPF (ng_bpf, bpf(4)): compile tcpdump expressions, assemble, disassemble, run');

  cbpf
    .command('asm')
    .description('assemble tcpdump -d, -dd or -ddd text; checks it as FreeBSD would and prints it in another form')
    .argument('<file>', 'assembly text, or - for stdin')
    .option('--format <form>', 'ddd (tcpdump -ddd), dd (C array), d (tcpdump -d listing) or hex (struct bpf_insn bytes)', 'ddd')
    .option('--big-endian', 'hex: a big-endian host (default little-endian: amd64, arm64)')
    .option('--max-insns <n>', 'the net.bpf.maxinsns limit', '512')
    .option('--legacy', 'FreeBSD 10 and earlier: refuse MOD and XOR')
    .option('--no-validate', 'skip FreeBSD validation (to write deliberately invalid programs)')
    .action((file: string, opts: { format: string; bigEndian?: boolean; maxInsns: string; legacy?: boolean; validate: boolean }) =>
      runCommand(file, async () => {
        const { assembleCbpf } = await import('../cbpf/assemble.js');
        const prog = assembleCbpf(readText(file));
        if (opts.validate) {
          const { validateCbpf } = await import('../cbpf/validate.js');
          validateCbpf(prog, { maxInsns: positiveInt(opts.maxInsns, '--max-insns'), legacyOpcodes: Boolean(opts.legacy), rejectEmpty: true });
        }
        const enc = await import('../cbpf/encode.js');
        switch (opts.format) {
          case 'ddd': process.stdout.write(enc.formatDdd(prog)); break;
          case 'dd': process.stdout.write(enc.formatDd(prog)); break;
          case 'd': process.stdout.write((await import('../cbpf/disassemble.js')).disassembleCbpf(prog)); break;
          case 'hex': process.stdout.write(`${Buffer.from(enc.encodeCbpf(prog, { littleEndian: !opts.bigEndian })).toString('hex')}\n`); break;
          default: fail('USAGE', `--format must be ddd, dd, d or hex, not '${opts.format}'`);
        }
        return 0;
      }),
    );

  cbpf
    .command('compile')
    .description('compile a tcpdump filter expression (Ethernet frames) to a program FreeBSD accepts; a match returns 0xffffffff')
    .argument('<expr...>', 'the expression; its words are joined with spaces, as tcpdump does')
    .option('--format <form>', 'ddd (tcpdump -ddd), dd (C array), d (tcpdump -d listing) or hex (struct bpf_insn bytes)', 'ddd')
    .option('--big-endian', 'hex: a big-endian host (default little-endian: amd64, arm64)')
    .option('--max-insns <n>', 'the net.bpf.maxinsns limit', '512')
    .option('--legacy', 'FreeBSD 10 and earlier: no MOD or XOR opcodes')
    .action((words: string[], opts: { format: string; bigEndian?: boolean; maxInsns: string; legacy?: boolean }) =>
      runCommand(`expression '${words.join(' ')}'`, async () => {
        if (!['ddd', 'dd', 'd', 'hex'].includes(opts.format)) fail('USAGE', `--format must be ddd, dd, d or hex, not '${opts.format}'`);
        const { compileFilter } = await import('../cbpf/compile.js');
        const prog = compileFilter(words.join(' '), { maxInsns: positiveInt(opts.maxInsns, '--max-insns'), legacyOpcodes: Boolean(opts.legacy) });
        const enc = await import('../cbpf/encode.js');
        switch (opts.format) {
          case 'ddd': process.stdout.write(enc.formatDdd(prog)); break;
          case 'dd': process.stdout.write(enc.formatDd(prog)); break;
          case 'd': process.stdout.write((await import('../cbpf/disassemble.js')).disassembleCbpf(prog)); break;
          default: process.stdout.write(`${Buffer.from(enc.encodeCbpf(prog, { littleEndian: !opts.bigEndian })).toString('hex')}\n`); break;
        }
        return 0;
      }),
    );

  cbpf
    .command('disasm')
    .description('print a program (tcpdump -ddd or -dd text, or struct bpf_insn bytes) as tcpdump -d does')
    .argument('<file>', 'the program, or - for stdin')
    .option('--binary', 'the input is struct bpf_insn records, not text')
    .option('--big-endian', 'with --binary: records from a big-endian host')
    .action((file: string, opts: { binary?: boolean; bigEndian?: boolean }) =>
      runCommand(file, async () => {
        const { disassembleCbpf } = await import('../cbpf/disassemble.js');
        let prog;
        if (opts.binary) {
          const { decodeCbpf } = await import('../cbpf/decode.js');
          prog = decodeCbpf(readBytes(file), { littleEndian: !opts.bigEndian });
        } else {
          const { assembleCbpf } = await import('../cbpf/assemble.js');
          prog = assembleCbpf(readText(file));
        }
        process.stdout.write(disassembleCbpf(prog));
        return 0;
      }),
    );

  cbpf
    .command('run')
    .description('run a program on frames as FreeBSD does; prints the return value (the snap length, 0 = no match) per frame')
    .argument('<prog>', 'the program in any assembly form, or - for stdin')
    .option('--packet <hex>', 'a frame as hex digits (repeatable)', collect, [])
    .option('--pcap <file>', 'frames from a pcap file (ld #pktlen sees each record\'s original length)')
    .option('--semantics <who>', "freebsd, or libpcap (tcpdump -r's interpreter: lsh/rsh by X >= 32 give 0)", 'freebsd')
    .option('--mbuf-chain', 'FreeBSD\'s mbuf-chain path: an out-of-range ldh [k] gives 0 and carries on')
    .action((file: string, opts: { packet: string[]; pcap?: string; semantics: string; mbufChain?: boolean }) =>
      runCommand(file, async () => {
        if (opts.semantics !== 'freebsd' && opts.semantics !== 'libpcap') fail('USAGE', `--semantics must be freebsd or libpcap, not '${opts.semantics}'`);
        if (!opts.packet.length && !opts.pcap) fail('USAGE', 'give frames with --packet HEX or --pcap FILE');
        const { assembleCbpf } = await import('../cbpf/assemble.js');
        const { cbpfFilter } = await import('../cbpf/interpret.js');
        const filter = cbpfFilter(assembleCbpf(readText(file)), { semantics: opts.semantics });
        const frames: { bytes: Uint8Array; wireLen: number }[] = opts.packet.map((h) => {
          const bytes = parseHex(h);
          return { bytes, wireLen: bytes.length };
        });
        if (opts.pcap) {
          const { readPcap } = await import('../packet/pcap.js');
          for (const r of readPcap(readBytes(opts.pcap)).records) frames.push({ bytes: r.bytes, wireLen: r.originalLength });
        }
        frames.forEach((f, i) => {
          const v = filter({ bytes: f.bytes, wireLen: f.wireLen, mbufChain: Boolean(opts.mbufChain) });
          const what = v === 0 ? 'no match' : v < f.wireLen ? `match, cut to ${v} of ${f.wireLen} bytes` : 'match';
          process.stdout.write(`frame ${i + 1}: ${v} (${what})\n`);
        });
        return 0;
      }),
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) fail('USAGE', `${what} must be a positive integer, not '${text}'`);
  return Number(text);
}

function parseHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(clean)) fail('USAGE', `--packet must be pairs of hex digits: '${text.slice(0, 40)}'`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

function readBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    return fail('IO', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readText(file: string): string {
  return Buffer.from(readBytes(file)).toString('utf8');
}
