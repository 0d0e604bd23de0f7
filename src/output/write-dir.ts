import { chmodSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Bpf2pfError, fail, isBpf2pfError } from '../errors.js';

/** A file of an output directory: a relative `/`-separated path and its contents. */
export interface OutputFile {
  readonly path: string;
  readonly content: string | Uint8Array;
}

/**
 * The file-system operations an atomic write uses. Tests replace some to make a write
 * fail midway; everything else uses `nodeDirIo`.
 */
export interface DirIo {
  mkdtemp(prefix: string): string;
  mkdir(path: string): void;
  writeFile(path: string, content: Uint8Array): void;
  fsyncDir(path: string): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

export const nodeDirIo: DirIo = {
  // mkdtemp makes a 0700 directory; the output is an ordinary one.
  mkdtemp: (prefix) => {
    const dir = mkdtempSync(prefix);
    chmodSync(dir, 0o755);
    return dir;
  },
  mkdir: (path) => mkdirSync(path, { recursive: true }),
  writeFile: (path, content) => {
    const fd = openSync(path, 'wx', 0o644);
    try {
      let off = 0;
      while (off < content.length) off += writeSync(fd, content, off, content.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  fsyncDir: (path) => {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { recursive: true, force: true }),
};

export interface WriteDirOptions {
  /**
   * Whether an existing directory at the target may be replaced. Defaults to "only when
   * empty", so that `-o` pointed at a wrong directory never deletes it.
   */
  readonly mayReplace?: (existing: string) => boolean;
  readonly io?: DirIo;
}

/**
 * Writes `files` as the directory `target`, all or nothing. The files go into a fresh
 * temporary directory beside the target (same file system, so renames are atomic), each
 * fsynced; then an existing target is renamed aside, the new directory renamed into
 * place, and the old one removed. On any failure the temporary directory is removed and
 * an existing target is left as it was (or put back, if the failure came between the
 * two renames). A reader sees the old directory or the new one, never a mixture: the
 * only window is between the two renames, when there is no directory at all.
 */
export function writeDirectoryAtomic(target: string, files: readonly OutputFile[], options: WriteDirOptions = {}): void {
  const io = options.io ?? nodeDirIo;
  const mayReplace = options.mayReplace ?? isEmptyDirectory;
  checkPaths(files);
  const full = resolve(target);
  const parent = dirname(full);
  const existing = kindOf(full);
  if (existing === 'other') fail('IO', `${target}: exists and is not a directory`);
  if (existing === 'directory' && !mayReplace(full)) fail('IO', `${target}: exists and is not an earlier output to replace; remove it or choose another directory`);
  try {
    io.mkdir(parent);
  } catch (e) {
    throw ioError(e, target);
  }
  let tmp: string | undefined;
  try {
    tmp = io.mkdtemp(join(parent, `.${basename(full)}.tmp-`));
    const dirs = new Set<string>([tmp]);
    for (const f of files) {
      const path = join(tmp, ...f.path.split('/'));
      const dir = dirname(path);
      if (!dirs.has(dir)) {
        io.mkdir(dir);
        for (let d = dir; d.startsWith(tmp) && !dirs.has(d); d = dirname(d)) dirs.add(d);
      }
      io.writeFile(path, typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : f.content);
    }
    // Deepest first, so every directory entry is durable before its parent's.
    for (const d of [...dirs].sort((a, b) => b.length - a.length)) io.fsyncDir(d);
    replace(io, tmp, full);
    tmp = undefined;
    io.fsyncDir(parent);
  } catch (e) {
    if (tmp !== undefined) {
      try {
        io.remove(tmp);
      } catch {
        /* the original error is the one to report */
      }
    }
    throw ioError(e, target);
  }
}

/** Moves `fresh` to `target`; an old target is renamed aside first and removed after. */
function replace(io: DirIo, fresh: string, target: string): void {
  if (kindOf(target) === 'none') {
    io.rename(fresh, target);
    return;
  }
  const aside = io.mkdtemp(join(dirname(target), `.${basename(target)}.old-`));
  // mkdtemp made a directory to reserve the name; rename over an empty directory is allowed.
  io.rename(target, aside);
  try {
    io.rename(fresh, target);
  } catch (e) {
    io.rename(aside, target);
    throw e;
  }
  try {
    io.remove(aside);
  } catch {
    /* the new output is in place; a leftover .old- directory is harmless */
  }
}

function kindOf(path: string): 'none' | 'directory' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'none';
  }
}

export function isEmptyDirectory(path: string): boolean {
  return readdirSync(path).length === 0;
}

/** Paths come from emitters: relative, `/`-separated, no `.`/`..`, no duplicates. A bad one is a bug. */
function checkPaths(files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    if (f.path === '' || f.path.startsWith('/') || /[\\\0]/.test(f.path) || parts.some((p) => p === '' || p === '.' || p === '..')) {
      throw new Error(`output file path ${JSON.stringify(f.path)} is not a plain relative path`);
    }
    if (seen.has(f.path)) throw new Error(`output file ${f.path} is written twice`);
    seen.add(f.path);
  }
  // A file and a directory of the same name cannot both exist.
  for (const p of seen) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (seen.has(prefix)) throw new Error(`output path ${prefix} is both a file and a directory`);
    }
  }
}

/** System errors become IO errors naming the target; typed errors and bugs pass through. */
function ioError(e: unknown, target: string): unknown {
  if (isBpf2pfError(e)) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new Bpf2pfError('IO', `${target}: cannot write: ${code}`);
  }
  return e;
}
