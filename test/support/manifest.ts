import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

export interface BuiltObject {
  object: string;
  set: 'coppice' | 'coppice-renamed' | 'idioms';
  source: string;
  compiler: string;
  arch: 'bpfel' | 'bpfeb';
  mcpu: string;
  opt: string;
  btf: boolean;
  command: string;
  sha256: string;
}

export interface BuildManifest {
  compilers: Record<string, string>;
  objects: BuiltObject[];
}

/** corpus/build-manifest.json, written by scripts/corpus-build.mjs next to the objects. */
export function readManifest(root = repoRoot): BuildManifest {
  const path = join(root, 'corpus/build-manifest.json');
  if (!existsSync(path)) throw new Error('corpus/build-manifest.json is missing: run npm run corpus:build');
  return JSON.parse(readFileSync(path, 'utf8')) as BuildManifest;
}
