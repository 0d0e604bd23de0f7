/**
 * Property: for random struct and union declarations (built-in member types, arrays,
 * nested and anonymous records, bitfields including zero-width and unnamed ones, packed
 * and aligned on records and members), the layout parseSchemaHeaders computes is the one
 * clang puts in BTF, member by member.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchemaHeaders } from '../../src/object/header-schema.js';
import { Btf, compile, missingTools, plain, readBtf, tempDir } from './peer.js';

const missing = missingTools().filter((t) => t === 'clang' || t === 'bpftool');
if (missing.length) console.log(`SKIP: layout property test needs ${missing.join(', ')}`);

/** Built-in integer types with their size in bits (bitfield widths may not exceed it). */
const INTS: readonly [string, number][] = [
  ['__u8', 8], ['__u16', 16], ['__u32', 32], ['__u64', 64], ['__s8', 8], ['__s16', 16], ['__s32', 32], ['__s64', 64],
  ['__be16', 16], ['__be32', 32], ['__le64', 64], ['char', 8], ['unsigned char', 8], ['short', 16], ['unsigned short', 16],
  ['int', 32], ['unsigned int', 32], ['long', 64], ['unsigned long', 64], ['long long', 64], ['unsigned long long', 64],
  ['_Bool', 1], ['u8', 8], ['s16', 16], ['u32', 32],
];
const OTHERS = ['float', 'double', 'void *', 'struct bpf_spin_lock'];

interface Member {
  readonly text: (name: string, depth: number) => string;
}

const attr = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant(' __attribute__((packed))') },
  { weight: 1, arbitrary: fc.constantFrom(1, 2, 4, 8, 16).map((n) => ` __attribute__((aligned(${n})))`) },
);

const scalar: fc.Arbitrary<Member> = fc
  .tuple(fc.constantFrom(...INTS.map(([t]) => t), ...OTHERS), fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }), attr)
  .map(([t, dims, a]) => ({ text: (n) => `${t} ${n}${dims.map((d) => `[${d}]`).join('')}${a};` }));

const bitfield: fc.Arbitrary<Member> = fc
  .tuple(fc.constantFrom(...INTS), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), attr)
  .map(([[t, bits], f, unnamed, a]) => {
    const width = Math.min(bits, Math.floor(f * (bits + 1)));
    return { text: (n) => (width === 0 || unnamed ? `${t} : ${width};` : `${t} ${n} : ${width}${a};`) };
  });

const record = (depth: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('struct', 'struct', 'struct', 'union'),
      fc.array(depth < 2 ? fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 3, arbitrary: bitfield }, { weight: 1, arbitrary: nested(depth + 1) }) : fc.oneof(scalar, bitfield), { minLength: 1, maxLength: 7 }),
      attr,
    )
    .map(([kw, members, a]) => `${kw} {\n${members.map((m) => `  ${m.text('$NAME', depth)}`).join('\n')}\n}${a}`);

function nested(depth: number): fc.Arbitrary<Member> {
  return fc.tuple(record(depth), fc.boolean(), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 })).map(([body, anonymous, dims]) => ({
    text: (n) => (anonymous ? `${body};` : `${body} ${n}${dims.map((d) => `[${d}]`).join('')};`),
  }));
}

/** Three top-level records; later ones may embed earlier ones by value. */
const header = fc.tuple(record(0), record(0), record(0), fc.boolean()).map(([a, b, c, embed]) => {
  const named = (text: string, tag: string): string => text.replace(/^(struct|union) \{/, `$1 ${tag} {`);
  const kw = (text: string): string => text.slice(0, text.indexOf(' '));
  const first = named(a, 'r0');
  const second = named(b, 'r1');
  const close = c.lastIndexOf('\n}');
  const withEmbedded = `${c.slice(0, close)}\n  ${kw(a)} r0 inner0;\n  ${kw(b)} r1 inner1[2];${c.slice(close)}`;
  const third = named(embed ? withEmbedded : c, 'r2');
  let n = 0;
  const text = `${first};\n${second};\n${third};\n`.replace(/\$NAME/g, () => `f${n++}`);
  return { text, keys: [`${kw(a)} r0`, `${kw(b)} r1`, `${kw(c)} r2`] };
});

describe.skipIf(missing.length > 0)('random record layouts against clang', () => {
  it('match BTF member by member', () => {
    const dir = tempDir();
    fc.assert(
      fc.property(header, ({ text, keys }) => {
        const ours = parseSchemaHeaders(['/probe.h'], () => text);
        const source = `#include <linux/bpf.h>\ntypedef __u8 u8; typedef __s16 s16; typedef __u32 u32;\n${text}\n${keys.map((k, i) => `${k} keep${i};`).join('\n')}\n`;
        const btf = new Btf(readBtf(compile(source, dir, 'clang', 'random')));
        for (const k of keys) {
          const t = btf.byKey(k);
          expect(t, k).toBeDefined();
          expect(plain(ours.types.get(k)), `${k} in\n${text}`).toEqual(plain(btf.schema(t?.id ?? 0)));
        }
      }),
      { numRuns: 100 },
    );
  });
});
