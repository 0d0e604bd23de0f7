/**
 * The objects every BTF peer test runs over: the probe programs in test/btf/probes,
 * compiled here for each compiler and byte order, plus whatever the corpus holds (except
 * its deliberately malformed objects). And the peer tools' views of them.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PROBES = join(ROOT, 'test/btf/probes');
const BUILD = join(ROOT, 'test/.build/btf');

export const COMPILERS = ['clang-14', 'clang-19'] as const;
export const TARGETS = ['bpfel', 'bpfeb'] as const;

export interface TestObject {
  /** For test names: `probes/types.c clang-19 bpfeb`, `corpus/idioms/x.o`. */
  readonly label: string;
  readonly path: string;
  /** Set for probes: which source, compiler and target built it. */
  readonly probe?: { readonly source: string; readonly compiler: string; readonly target: string };
}

export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

function newerThan(out: string, inputs: readonly string[]): boolean {
  if (!existsSync(out)) return false;
  const t = statSync(out).mtimeMs;
  return inputs.every((i) => statSync(i).mtimeMs <= t);
}

/** Compile every probe for every available compiler and target (cached by mtime). */
export function probeObjects(): TestObject[] {
  mkdirSync(BUILD, { recursive: true });
  const header = join(PROBES, 'probe.h');
  const out: TestObject[] = [];
  for (const compiler of COMPILERS) {
    if (!hasTool(compiler)) {
      console.log(`SKIP: ${compiler} is not installed; probes are not built with it`);
      continue;
    }
    for (const source of readdirSync(PROBES).filter((f) => f.endsWith('.c')).sort()) {
      for (const target of TARGETS) {
        const obj = join(BUILD, `${source.replace(/\.c$/, '')}.${compiler}.${target}.o`);
        const src = join(PROBES, source);
        if (!newerThan(obj, [src, header])) {
          // Test files run in parallel: build under a private name, then rename atomically.
          const tmp = `${obj}.${process.pid}.${randomUUID()}.tmp`;
          execFileSync(compiler, ['-g', '-O2', '-target', target, '-c', src, '-o', tmp], { stdio: 'pipe' });
          renameSync(tmp, obj);
        }
        out.push({ label: `probes/${source} ${compiler} ${target}`, path: obj, probe: { source, compiler, target } });
      }
    }
  }
  return out;
}

function isBpfElf(path: string): boolean {
  const b = readFileSync(path);
  if (b.length < 20 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return false;
  const machine = b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18);
  return machine === 247;
}

/** EI_DATA of the ELF header: 1 little endian, 2 big endian. */
export function elfLittleEndian(path: string): boolean {
  return readFileSync(path)[5] === 1;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
}

/**
 * Every eBPF ELF object under corpus/, except corpus/hostile/ and the default Coppice
 * objects (corpus/coppice/<prog>.o, byte copies of builds under corpus/coppice/obj/).
 * BTF_TEST_CORPUS points the peer tests at another folder of objects instead.
 */
export function corpusObjects(): TestObject[] {
  const corpus = process.env.BTF_TEST_CORPUS ? resolve(process.env.BTF_TEST_CORPUS) : join(ROOT, 'corpus');
  const hostile = join(corpus, 'hostile');
  const defaults = join(corpus, 'coppice');
  return walk(corpus)
    .filter((p) => !p.startsWith(hostile + '/') && dirname(p) !== defaults && isBpfElf(p))
    .sort()
    .map((p) => ({ label: relative(ROOT, p), path: p }));
}

/** A section's bytes via llvm-objcopy, or undefined when the object has no such section. */
export function sectionBytes(obj: string, section: string): Uint8Array | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'btf-sec-'));
  try {
    const file = join(dir, 'section.bin');
    try {
      execFileSync('llvm-objcopy', [`--dump-section=${section}=${file}`, obj, join(dir, 'discard.o')], { stdio: 'pipe' });
    } catch {
      return undefined;
    }
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Objects with a .BTF section, each with its bytes; objects without one are reported. */
export function objectsWithBtf(objs: readonly TestObject[]): { obj: TestObject; btf: Uint8Array }[] {
  const out: { obj: TestObject; btf: Uint8Array }[] = [];
  for (const obj of objs) {
    const btf = sectionBytes(obj.path, '.BTF');
    if (btf) out.push({ obj, btf });
    else console.log(`SKIP: ${obj.label} has no .BTF section (built without -g?)`);
  }
  return out;
}
