import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDirIo, writeDirectoryAtomic, type DirIo } from '../../src/output/write-dir.js';

const FILES = [
  { path: 'pf.conf', content: 'pass all\n' },
  { path: 'anchors/coppice/sb1.conf', content: 'block all\n' },
  { path: 'tables/allow.txt', content: new Uint8Array([0x31, 0x0a]) },
  { path: 'report.json', content: '{"bpf2pfReport":1}\n' },
];

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'bpf2pf-write-dir-'));
}

/** Every file under a directory with its contents, for comparing trees. */
function tree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, tree(p, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(p, 'utf8');
  }
  return out;
}

/** An io whose n-th file write throws, after writing half of it. */
function failingOnWrite(n: number): DirIo {
  let writes = 0;
  return {
    ...nodeDirIo,
    writeFile: (path, content) => {
      if (++writes === n) {
        writeFileSync(path, content.subarray(0, content.length >> 1));
        throw new Error('injected: disk full');
      }
      nodeDirIo.writeFile(path, content);
    },
  };
}

describe('writeDirectoryAtomic', () => {
  it('writes every file, with subdirectories, as an ordinary directory', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    writeDirectoryAtomic(out, FILES);
    expect(tree(out)).toEqual({ 'anchors/coppice/sb1.conf': 'block all\n', 'pf.conf': 'pass all\n', 'report.json': '{"bpf2pfReport":1}\n', 'tables/allow.txt': '1\n' });
    expect(statSync(out).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir)).toEqual(['out']); // nothing left beside it
  });

  it('creates missing parent directories', () => {
    const out = join(scratch(), 'a', 'b', 'out');
    writeDirectoryAtomic(out, FILES.slice(0, 1));
    expect(tree(out)).toEqual({ 'pf.conf': 'pass all\n' });
  });

  it('replaces an earlier output as a whole', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    writeDirectoryAtomic(out, FILES);
    writeDirectoryAtomic(out, [{ path: 'pf.conf', content: 'block all\n' }], { mayReplace: () => true });
    expect(tree(out)).toEqual({ 'pf.conf': 'block all\n' });
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('refuses to replace a directory that is not empty unless told it may', () => {
    const dir = scratch();
    const out = join(dir, 'home');
    mkdirSync(out);
    writeFileSync(join(out, 'precious'), 'x');
    expect(() => writeDirectoryAtomic(out, FILES)).toThrow(expect.objectContaining({ code: 'IO', message: expect.stringMatching(/is not an earlier output/) }));
    expect(tree(out)).toEqual({ precious: 'x' });
    expect(readdirSync(dir)).toEqual(['home']);
  });

  it('refuses a target that is a file', () => {
    const dir = scratch();
    const out = join(dir, 'file');
    writeFileSync(out, 'x');
    expect(() => writeDirectoryAtomic(out, FILES)).toThrow(/exists and is not a directory/);
    expect(readFileSync(out, 'utf8')).toBe('x');
  });

  for (const n of [1, 2, 3, 4]) {
    it(`a write failing midway (file ${n} of 4) leaves no directory and no temporary one`, () => {
      const dir = scratch();
      const out = join(dir, 'out');
      expect(() => writeDirectoryAtomic(out, FILES, { io: failingOnWrite(n) })).toThrow('injected: disk full');
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    });

    it(`a write failing midway (file ${n} of 4) keeps the previous output intact`, () => {
      const dir = scratch();
      const out = join(dir, 'out');
      writeDirectoryAtomic(out, [{ path: 'pf.conf', content: 'old\n' }, { path: 'report.json', content: 'old\n' }]);
      expect(() => writeDirectoryAtomic(out, FILES, { io: failingOnWrite(n), mayReplace: () => true })).toThrow('injected: disk full');
      expect(tree(out)).toEqual({ 'pf.conf': 'old\n', 'report.json': 'old\n' });
      expect(readdirSync(dir)).toEqual(['out']);
    });
  }

  it('puts the old output back when moving the new one in fails', () => {
    const dir = scratch();
    const out = join(dir, 'out');
    writeDirectoryAtomic(out, [{ path: 'pf.conf', content: 'old\n' }]);
    let renames = 0;
    const io: DirIo = {
      ...nodeDirIo,
      rename: (from, to) => {
        // the second rename is new -> target
        if (++renames === 2) throw Object.assign(new Error('injected'), { code: 'EXDEV' });
        nodeDirIo.rename(from, to);
      },
    };
    expect(() => writeDirectoryAtomic(out, FILES, { io, mayReplace: () => true })).toThrow(expect.objectContaining({ code: 'IO', message: expect.stringMatching(/cannot write: EXDEV/) }));
    expect(tree(out)).toEqual({ 'pf.conf': 'old\n' });
    expect(readdirSync(dir)).toEqual(['out']);
  });

  it('refuses paths an emitter must never produce', () => {
    const out = join(scratch(), 'out');
    for (const path of ['/etc/pf.conf', '../x', 'a/../../x', 'a//b', '', 'a\\b', './a']) {
      expect(() => writeDirectoryAtomic(out, [{ path, content: '' }]), path).toThrow(/not a plain relative path/);
    }
    expect(() => writeDirectoryAtomic(out, [{ path: 'a', content: '' }, { path: 'a', content: '' }])).toThrow(/written twice/);
    expect(() => writeDirectoryAtomic(out, [{ path: 'a', content: '' }, { path: 'a/b', content: '' }])).toThrow(/both a file and a directory/);
    expect(existsSync(out)).toBe(false);
  });
});
