import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.o')) out.push(p);
  }
}

/**
 * Every valid corpus object (Coppice, idioms, all builds), as repo-relative paths. The
 * default Coppice objects (corpus/coppice/<prog>.o) are left out: they are byte copies of
 * builds listed here (test/corpus/rebuild.test.ts checks that).
 */
export function corpusObjects(): string[] {
  const out: string[] = [];
  walk(join(repoRoot, 'corpus/coppice/obj'), out);
  walk(join(repoRoot, 'corpus/idioms/obj'), out);
  return out.map((p) => relative(repoRoot, p));
}
