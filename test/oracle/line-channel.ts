import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A synchronous line-oriented conversation with a long-running child process: each
 * request is written, then its answers are read, without returning to the event loop.
 * Tests stay plain synchronous code, and a run costs two pipe transfers instead of a
 * process start.
 *
 * Node cannot read a child's stdio pipe synchronously (libuv makes it non-blocking), so
 * the child's stdin and stdout are named pipes that we open ourselves with blocking
 * `readSync`/`writeSync`. They are first opened read-write (which never blocks on Linux)
 * to hand them to the child, then reopened one-way and the read-write ends closed, so
 * that when the child dies our read sees end-of-file instead of waiting forever.
 */
export interface LineChannel {
  /** Sends the lines (each without its newline) and returns `answers` response lines. */
  exchange(lines: readonly string[], answers: number): string[];
  close(): void;
}

export class ChannelClosedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelClosedError';
  }
}

export function openLineChannel(binary: string, args: readonly string[] = []): LineChannel {
  const dir = mkdtempSync(join(tmpdir(), 'bpf2pf-oracle-'));
  const reqPath = join(dir, 'req');
  const respPath = join(dir, 'resp');
  let child: ChildProcess | undefined;
  let reqFd = -1;
  let respFd = -1;
  try {
    const mk = spawnSync('mkfifo', ['-m', '600', reqPath, respPath], { encoding: 'utf8' });
    if (mk.status !== 0) throw new Error(`mkfifo failed: ${mk.error?.message ?? mk.stderr}`);
    const reqRw = openSync(reqPath, constants.O_RDWR);
    const respRw = openSync(respPath, constants.O_RDWR);
    try {
      child = spawn(binary, [...args], { stdio: [reqRw, respRw, 'ignore'] });
      // A failed exec is also reported asynchronously: keep it from becoming unhandled.
      child.on('error', () => undefined);
      if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
      // The child holds both ends now, so these opens do not block.
      reqFd = openSync(reqPath, constants.O_WRONLY);
      respFd = openSync(respPath, constants.O_RDONLY);
    } finally {
      closeSync(reqRw);
      closeSync(respRw);
    }
  } catch (e) {
    if (child?.pid !== undefined) child.kill('SIGKILL');
    if (reqFd >= 0) closeSync(reqFd);
    if (respFd >= 0) closeSync(respFd);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // The pipes stay usable without their names.
  rmSync(dir, { recursive: true, force: true });
  child.unref();
  const proc = child;

  const chunk = Buffer.allocUnsafe(1 << 20);
  let pending = '';
  let closed = false;

  const writeAll = (text: string): void => {
    const buf = Buffer.from(text, 'latin1');
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(reqFd, buf, off, buf.length - off);
      } catch (e) {
        throw new ChannelClosedError(`oracle is gone (${(e as Error).message})`);
      }
    }
  };

  const readLines = (n: number): string[] => {
    const out: string[] = [];
    while (out.length < n) {
      const nl = pending.indexOf('\n');
      if (nl >= 0) {
        out.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        continue;
      }
      const got = readSync(respFd, chunk, 0, chunk.length, null);
      if (got === 0) throw new ChannelClosedError(`oracle exited (code ${proc.exitCode ?? '?'}, signal ${proc.signalCode ?? '-'})`);
      // Responses are ASCII JSON: the child escapes every other byte.
      pending += chunk.toString('latin1', 0, got);
    }
    return out;
  };

  return {
    exchange(lines, answers) {
      if (closed) throw new ChannelClosedError('oracle channel is closed');
      for (const l of lines) if (l.includes('\n')) throw new Error('a request line cannot contain a newline');
      if (lines.length > 0) writeAll(lines.join('\n') + '\n');
      return readLines(answers);
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        writeAll('quit\n');
      } catch {
        /* already gone */
      }
      closeSync(reqFd);
      closeSync(respFd);
      // It exits on `quit` (or when its stdin closes); make sure, by its own pid.
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
