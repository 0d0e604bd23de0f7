import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir`, as paths relative to it with `/`, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

/** Where two texts first differ, as `line N: golden "..." / now "..."`, or null when equal. */
export function firstDifference(expected: string, actual: string): string | null {
  if (expected === actual) return null;
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (s: string | undefined): string => (s === undefined ? '(end of file)' : JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}...` : s));
      return `line ${i + 1}: golden ${show(a[i])} / now ${show(b[i])}`;
    }
  }
  return 'the bytes differ but no line does (line endings or encoding)';
}

/**
 * The differences between two directories, one message per differing file (missing,
 * extra, or the first differing line), compared byte for byte.
 */
export function treeDifferences(expectedDir: string, actualDir: string, label: string): string[] {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const out: string[] = [];
  for (const f of expected.filter((x) => !actual.includes(x))) out.push(`${label}/${f}: missing from the new output`);
  for (const f of actual.filter((x) => !expected.includes(x))) out.push(`${label}/${f}: new file, not in the golden`);
  for (const f of expected.filter((x) => actual.includes(x))) {
    const a = readFileSync(join(expectedDir, f));
    const b = readFileSync(join(actualDir, f));
    if (a.equals(b)) continue;
    out.push(`${label}/${f}: ${firstDifference(a.toString('utf8'), b.toString('utf8'))}`);
  }
  return out;
}
