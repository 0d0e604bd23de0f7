/**
 * The `bpf2pf` command (dist/cli/main.js): starts the CLI bundle (dist/cli/bpf2pf.cjs)
 * from the V8 code cache the build made for it, when the cache is for this very bundle.
 *
 * Why: without it, every run parses and compiles the 2 MiB bundle and then compiles each
 * function the first time it is called; the build runs a translate of the Coppice corpus
 * once and keeps the bytecode V8 made (bpf2pf.cache), so a run starts from that instead.
 * Whole-process translate of the three Coppice objects: 1,162 ms without the cache, 1,063
 * ms with it (`npm run bench`, median of 5, alternating).
 *
 * The cache changes no output: it holds compiled code for the same source. V8 itself
 * refuses a cache from another Node version or other flags (then the bundle is compiled as
 * usual), but it checks only the source's length, so the cache file starts with the
 * SHA-256 of the bundle it was made from and is used only when that matches.
 * `BPF2PF_CODE_CACHE=off` runs without it; with `BPF2PF_DEBUG=1` the launcher says on
 * stderr whether the cache was used.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

export const BUNDLE_FILE = 'bpf2pf.cjs';
export const CACHE_FILE = 'bpf2pf.cache';
/** `<64 hex digits of SHA-256>\n`, then V8's data. */
const HEADER_BYTES = 65;

export type CacheState = 'used' | 'rejected by V8' | 'for another bundle' | 'absent' | 'off';

export interface CliBundle {
  readonly cache: CacheState;
  /** Runs the CLI on process.argv, as `node bpf2pf.cjs ...` would. */
  run(): void;
  /** The cache file's bytes for this bundle, with the code compiled so far. */
  cacheBytes(): Buffer;
}

function cacheFor(dir: string, digest: string, off: boolean): { data: Buffer | undefined; state: CacheState } {
  if (off) return { data: undefined, state: 'off' };
  let file: Buffer;
  try {
    file = readFileSync(join(dir, CACHE_FILE));
  } catch {
    return { data: undefined, state: 'absent' };
  }
  if (file.length <= HEADER_BYTES || file.toString('latin1', 0, HEADER_BYTES) !== `${digest}\n`) return { data: undefined, state: 'for another bundle' };
  return { data: file.subarray(HEADER_BYTES), state: 'used' };
}

export function loadBundle(dir: string = __dirname, options: { readonly useCache?: boolean } = {}): CliBundle {
  const file = join(dir, BUNDLE_FILE);
  const bytes = readFileSync(file);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const cached = cacheFor(dir, digest, options.useCache === false || process.env.BPF2PF_CODE_CACHE === 'off');
  // A shebang is not JavaScript inside the CommonJS wrapper; blanking it keeps line numbers.
  const source = bytes.toString('utf8').replace(/^#!.*/, '');
  const script = new Script(wrap(source), { filename: file, cachedData: cached.data });
  const cache: CacheState = cached.data && script.cachedDataRejected ? 'rejected by V8' : cached.state;
  return {
    cache,
    run() {
      const body = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
      const module = { exports: {} };
      body.call(module.exports, module.exports, createRequire(file), module, file, dir);
    },
    cacheBytes: () => Buffer.concat([Buffer.from(`${digest}\n`, 'latin1'), script.createCachedData()]),
  };
}

if (require.main === module) {
  let bundle: CliBundle;
  try {
    bundle = loadBundle();
  } catch (e) {
    // An installation without its bundle: say so in one line (exit 3, as internal errors).
    process.stderr.write(`bpf2pf: cannot start ${join(__dirname, BUNDLE_FILE)}: ${e instanceof Error ? e.message : String(e)} (run npm run build)\n`);
    process.exit(3);
  }
  if (process.env.BPF2PF_DEBUG === '1') process.stderr.write(`bpf2pf: code cache ${bundle.cache}\n`);
  bundle.run();
}
