/**
 * Every failure is a Bpf2pfError with its code and `file:line:col` of the offending
 * token. Expected positions are found in the header text itself: the first occurrence
 * of the `at` string in the named file.
 */
import { describe, expect, it } from 'vitest';
import { isBpf2pfError, type ErrorCode } from '../../src/errors.js';
import { parseSchemaHeaders, type HeaderSchemas } from '../../src/object/header-schema.js';

type Files = Record<string, string>;

function run(files: Files, entry = '/h/main.h'): HeaderSchemas {
  return parseSchemaHeaders([entry], (p) => {
    const t = files[p];
    if (t === undefined) throw new Error(`ENOENT: ${p}`);
    return t;
  });
}

function positionOf(text: string, needle: string): string {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`test bug: '${needle}' not in text`);
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

function failure(files: Files, entry = '/h/main.h'): { code: ErrorCode; message: string } {
  try {
    run(files, entry);
  } catch (e) {
    if (isBpf2pfError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
}

interface Case {
  readonly name: string;
  readonly files: Files;
  readonly code: ErrorCode;
  /** Where: the first occurrence of `at` in `file` (default /h/main.h). */
  readonly at?: string;
  readonly file?: string;
  /** Words the message must contain. */
  readonly says: string;
}

const M = '/h/main.h';
const map = (body: string, extra = ''): string => `struct { ${body} } the_map SEC(".maps")${extra};\n`;

const CASES: Case[] = [
  { name: 'missing semicolon', files: { [M]: 'struct a {\n\tint x\n};\n' }, code: 'SCHEMA_SYNTAX', at: '}', says: "expected ';'" },
  { name: 'stray token', files: { [M]: 'struct a { int x; };\n@\n' }, code: 'SCHEMA_SYNTAX', at: '@', says: "unexpected '@'" },
  { name: 'unknown type name', files: { [M]: 'struct a {\n  foo_t x;\n};\n' }, code: 'SCHEMA_UNKNOWN_TYPE', at: 'foo_t', says: "unknown type name 'foo_t'" },
  { name: 'struct never defined used by value', files: { [M]: 'struct a { struct nope n; };\n' }, code: 'SCHEMA_UNKNOWN_TYPE', at: 'n;', says: "incomplete type 'struct nope'" },
  { name: 'sizeof an undefined struct', files: { [M]: 'struct nope;\nstruct a { char c[sizeof(struct nope)]; };\n' }, code: 'SCHEMA_UNKNOWN_TYPE', at: 'struct nope)', says: 'never defined' },
  { name: 'unevaluable #if', files: { [M]: '#define F(x) x\n#if G(1)\n#endif\n' }, code: 'SCHEMA_SYNTAX', at: 'if G', says: 'cannot evaluate #if' },
  { name: '#error', files: { [M]: '#ifndef CONFIG\n#error CONFIG must be set\n#endif\n' }, code: 'SCHEMA_SYNTAX', at: 'error', says: '#error CONFIG must be set' },
  { name: 'unterminated #if', files: { [M]: 'struct a { int x; };\n#ifdef X\n' }, code: 'SCHEMA_SYNTAX', at: 'ifdef', says: 'unterminated #ifdef' },
  { name: '#else without #if', files: { [M]: 'int x;\n#else\n' }, code: 'SCHEMA_SYNTAX', at: 'else', says: '#else without #if' },
  { name: '#elif after #else', files: { [M]: '#if 1\n#else\n#elif 1\n#endif\n' }, code: 'SCHEMA_SYNTAX', at: 'elif', says: 'after #else' },
  { name: 'unknown directive', files: { [M]: '#frobnicate 3\n' }, code: 'SCHEMA_SYNTAX', at: 'frobnicate', says: 'unknown directive' },
  { name: '#pragma pack', files: { [M]: '#pragma pack(1)\n' }, code: 'SCHEMA_SYNTAX', at: 'pragma', says: 'pack' },
  { name: 'missing include', files: { [M]: '\n  #include "missing.h"\n' }, code: 'SCHEMA_SYNTAX', at: '"missing.h"', says: "cannot read included file '/h/missing.h'" },
  { name: 'include cycle', files: { [M]: '#include "b.h"\n', '/h/b.h': '#include "main.h"\n' }, code: 'SCHEMA_SYNTAX', says: 'include cycle: /h/main.h -> /h/b.h -> /h/main.h' },
  {
    name: 'error inside an included file names that file',
    files: { [M]: '#include "sub/types.h"\n', '/h/sub/types.h': 'struct t {\n  __u32 a : 33;\n};\n' },
    code: 'SCHEMA_SYNTAX', file: '/h/sub/types.h', at: 'a : 33', says: "width of bit-field 'a'",
  },
  { name: 'error through a macro points at the use', files: { [M]: '#define BAD 1 / 0\nstruct a {\n  char c[BAD];\n};\n' }, code: 'SCHEMA_SYNTAX', at: 'BAD]', says: 'division by zero' },
  { name: 'wrong macro argument count', files: { [M]: '#define TWO(a, b) a b\nTWO(int) x;\n' }, code: 'SCHEMA_SYNTAX', at: 'TWO(int)', says: "macro 'TWO' takes 2 arguments, 1 given" },
  { name: 'unterminated macro call', files: { [M]: '#define F(a) a\nint F(x;\n' }, code: 'SCHEMA_SYNTAX', at: 'F(x', says: 'unterminated argument list' },
  { name: 'named zero-width bitfield', files: { [M]: 'struct a { int x : 0; };\n' }, code: 'SCHEMA_SYNTAX', at: 'x : 0', says: 'zero width' },
  { name: 'bitfield of a struct', files: { [M]: 'struct b { int y; };\nstruct a { struct b x : 3; };\n' }, code: 'SCHEMA_SYNTAX', at: 'x : 3', says: 'non-integral' },
  { name: 'negative array size', files: { [M]: 'struct a { int x[-1]; };\n' }, code: 'SCHEMA_SYNTAX', at: '[-1', says: 'array size -1' },
  { name: 'flexible array not last', files: { [M]: 'struct a { int n; char d[]; int m; };\n' }, code: 'SCHEMA_SYNTAX', at: 'd[]', says: 'flexible array member' },
  { name: 'struct redefinition', files: { [M]: 'struct a { int x; };\nstruct a { int y; };\n' }, code: 'SCHEMA_SYNTAX', at: 'struct a { int y', says: "redefinition of 'struct a'" },
  { name: 'tag kind mismatch', files: { [M]: 'struct a { int x; };\nunion a *p;\n' }, code: 'SCHEMA_SYNTAX', at: 'union a', says: 'does not match' },
  { name: 'conflicting typedef', files: { [M]: 'typedef int t;\ntypedef long  t ;\n' }, code: 'SCHEMA_SYNTAX', at: 't ;', says: 'typedef redefinition' },
  { name: 'duplicate member', files: { [M]: 'struct a { int x; char x; };\n' }, code: 'SCHEMA_SYNTAX', at: 'x; }', says: "duplicate member 'x'" },
  { name: 'undeclared identifier in a size', files: { [M]: 'struct a { char c[LEN]; };\n' }, code: 'SCHEMA_SYNTAX', at: 'LEN', says: "undeclared identifier 'LEN'" },
  { name: 'bad alignment', files: { [M]: 'struct a { int x; } __attribute__((aligned(3)));\n' }, code: 'SCHEMA_SYNTAX', at: 'aligned', says: 'power of 2' },
  { name: 'unsupported attribute', files: { [M]: 'typedef int di __attribute__((mode(DI)));\n' }, code: 'SCHEMA_SYNTAX', at: 'mode', says: "attribute 'mode'" },
  { name: 'failed static assertion', files: { [M]: 'struct a { int x; };\n_Static_assert(sizeof(struct a) == 8, "a is 8 bytes");\n' }, code: 'SCHEMA_SYNTAX', at: '_Static_assert', says: 'static assertion failed: a is 8 bytes' },
  { name: 'map: unknown attribute', files: { [M]: map('__uint(type, BPF_MAP_TYPE_HASH); __uint(colour, 3);') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: "member 'colour': unknown map attribute" },
  { name: 'map: no type', files: { [M]: map('__uint(max_entries, 3);') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'map type is missing' },
  { name: 'map: __uint that is not one', files: { [M]: map('__uint(type, 1); int max_entries;') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: "member 'max_entries': expected __uint()" },
  { name: 'map: values on a hash', files: { [M]: map('__uint(type, BPF_MAP_TYPE_HASH); __array(values, int (void *));') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'only a map-in-map or a prog array' },
  { name: 'map: key size conflict', files: { [M]: map('__uint(type, BPF_MAP_TYPE_HASH); __type(key, __u64); __uint(key_size, 4);') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: "member 'key_size': conflicts" },
  { name: 'map: pinning 2', files: { [M]: map('__uint(type, 1); __uint(pinning, 2);') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'pinning 2' },
  { name: 'map: static', files: { [M]: `static ${map('__uint(type, 1);')}` }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'static maps' },
  { name: 'map: not a struct', files: { [M]: 'int the_map SEC(".maps");\n' }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'must be a struct' },
  { name: 'map: inner map with values', files: { [M]: map('__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __array(values, struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __array(values, int (void *)); });') }, code: 'SCHEMA_BAD_MAP', at: 'the_map', says: 'inner map cannot have values' },
  { name: 'map: slot past max_entries', files: { [M]: map('__uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __array(values, int (void *));', ' = { .values = { [2] = &p } }') }, code: 'SCHEMA_BAD_MAP', at: '&p', says: 'slot 2 is outside max_entries 2' },
  { name: 'legacy map without type', files: { [M]: 'struct bpf_map_def SEC("maps") old = { .key_size = 4 };\n' }, code: 'SCHEMA_BAD_MAP', at: 'old', says: 'map type is missing' },
  { name: 'legacy map with an unknown field', files: { [M]: 'struct bpf_map_def SEC("maps") old = { .type = 1, .colour = 4 };\n' }, code: 'SCHEMA_BAD_MAP', at: '{ .type', says: "no member 'colour'" },
];

describe('header errors', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const got = failure(c.files);
      expect(got.code).toBe(c.code);
      expect(got.message).toContain(c.says);
      if (c.at !== undefined) {
        const file = c.file ?? M;
        expect(got.message.startsWith(`${file}:${positionOf(c.files[file], c.at)}: `), got.message).toBe(true);
      }
    });
  }

  it('an unreadable entry file is an IO error naming it', () => {
    const got = failure({}, '/h/absent.h');
    expect(got.code).toBe('IO');
    expect(got.message).toContain('/h/absent.h');
  });

  it('a guarded mutual include is not a cycle, and each file is read once', () => {
    const reads: string[] = [];
    const files: Files = {
      [M]: '#ifndef MAIN_H\n#define MAIN_H\n#include "b.h"\nstruct a { struct b b; };\n#endif\n',
      '/h/b.h': '#pragma once\n#include "main.h"\nstruct b { int x; };\n',
      '/h/c.h': '#include "b.h"\n#include "./b.h"\n',
    };
    const r = parseSchemaHeaders([M, '/h/c.h'], (p) => {
      reads.push(p);
      return files[p] as string;
    });
    expect([...r.types.keys()]).toEqual(['struct b', 'struct a']);
    expect(reads).toEqual([M, '/h/b.h', '/h/c.h']);
  });

  it('a function-like macro that is never used costs nothing, and system includes are skipped', () => {
    const r = run({ [M]: '#include <linux/bpf.h>\n#include "vmlinux.h"\n#define UNUSED(a, b) a ## ## b #\nstruct a { __u32 x; };\n' });
    expect([...r.types.keys()]).toEqual(['struct a']);
  });
});
