/**
 * Whatever text a header holds, parseSchemaHeaders returns schemas or throws a
 * Bpf2pfError with a header code: random C-like text, and real probe headers with
 * random cuts, insertions and swaps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBpf2pfError } from '../../src/errors.js';
import { parseSchemaHeaders } from '../../src/object/header-schema.js';

const PROBES = join(dirname(fileURLToPath(import.meta.url)), 'probes');
const probeTexts = readdirSync(PROBES).filter((f) => f.endsWith('.h')).map((f) => readFileSync(join(PROBES, f), 'utf8'));
const HEADER_CODES = new Set(['SCHEMA_SYNTAX', 'SCHEMA_UNKNOWN_TYPE', 'SCHEMA_BAD_MAP']);

/** Runs the reader; returns 'ok' or the error code, and fails the property on any other exception. */
function outcome(text: string, included = ''): string {
  try {
    parseSchemaHeaders(['/fuzz/main.h'], (p) => {
      if (p === '/fuzz/main.h') return text;
      if (p === '/fuzz/inc.h') return included;
      throw new Error('no such file');
    });
    return 'ok';
  } catch (e) {
    if (!isBpf2pfError(e)) throw e;
    expect(HEADER_CODES.has(e.code), `${e.code}: ${e.message}`).toBe(true);
    expect(e.message).toMatch(/^\S+:\d+:\d+: |^include cycle|^\/fuzz\/main\.h: /);
    return e.code;
  }
}

const PIECES = [
  'struct', 'union', 'enum', 'typedef', 'int', 'char', '__u32', '__u8', 'unsigned', 'long', 'x', 'y', 'T', '{', '}', '(', ')',
  '[', ']', ';', ',', ':', '*', '=', '.', '&', '-', '<<', '1', '0', '64', '0x10', "'a'", '"s"', '#define', '#if', '#ifdef',
  '#else', '#endif', '#include "inc.h"', '#include <x.h>', '__attribute__((packed))', '__attribute__((aligned(8)))',
  'SEC(".maps")', 'SEC("maps")', '__uint(type, 1)', '__type(key, int)', '__array(values, int (void *))', 'sizeof', '...', '##',
  '#', '\\', '\n', ' ', '/*', '*/', '//', 'defined', 'A(', 'B', '_Static_assert', 'typeof', 'bpf_map_def', '__ulong(map_extra, 1)',
];

const cCode = fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((ps) => ps.join(' '));

const mutated = fc
  .tuple(
    fc.constantFrom(...probeTexts),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('cut', 'dup', 'insert', 'swap'), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [a, b, op, piece]) => {
      const i = Math.floor(a * t.length);
      const j = Math.min(t.length, i + Math.floor(b * 40));
      switch (op) {
        case 'cut':
          return t.slice(0, i) + t.slice(j);
        case 'dup':
          return t.slice(0, j) + t.slice(i, j) + t.slice(j);
        case 'insert':
          return `${t.slice(0, i)} ${piece} ${t.slice(i)}`;
        default:
          return t.slice(0, i) + t.slice(j, j + (j - i)) + t.slice(i, j) + t.slice(j + (j - i));
      }
    }, text),
  );

describe('header reader robustness', () => {
  it('random C-like text gives schemas or a header error', () => {
    fc.assert(fc.property(cCode, cCode, (main, inc) => void outcome(main, inc)), { numRuns: 400 });
  });

  it('mutated probe headers give schemas or a header error', () => {
    fc.assert(fc.property(mutated, (text) => void outcome(text)), { numRuns: 300 });
  });

  it('arbitrary unicode gives schemas or a header error', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => void outcome(text)), { numRuns: 300 });
  });

  it('pathological nesting and macro growth are refused, not crashed on', () => {
    expect(outcome(`int x[${'('.repeat(5000)}1${')'.repeat(5000)}];`)).toBe('SCHEMA_SYNTAX');
    const doubling = Array.from({ length: 40 }, (_, i) => `#define M${i + 1} M${i} M${i}`).join('\n');
    expect(outcome(`#define M0 x\n${doubling}\nM40\n`)).toBe('SCHEMA_SYNTAX');
    expect(outcome('#define SELF SELF + 1\nstruct a { char c[SELF]; };\n')).toBe('SCHEMA_SYNTAX');
    expect(outcome('#include "main.h"\n')).toBe('SCHEMA_SYNTAX');
  });

  it('the probes themselves parse', () => {
    for (const t of probeTexts.filter((x) => !x.includes('#include "'))) expect(outcome(t)).toBe('ok');
  });
});
