import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, evaluate, evaluateColumn, exact, NotNumeric, type Column } from '../../src/lift/eval-sym.js';
import { decideConst } from '../../src/lift/facts.js';
import { bin, konst, scalar, un, type BinOp, type Sym, type UnOp } from '../../src/lift/sym.js';
import type { CmpOp, Guard } from '../../src/lift/types.js';
import { fullSet, type ValueSet } from '../../src/lift/value-set.js';
import type { FrameShape } from '../../src/lift/view/atoms.js';
import { classifyGuard } from '../../src/lift/view/classify-guard.js';

/**
 * The value set of a test of a packet field is computed by trying every value, over
 * doubles where that is exact (evaluateColumn), once per test and its negation (the
 * negation is the complement). Both shortcuts are checked against the bigint evaluator,
 * the lifter's own arithmetic, on every value of a 16-bit field.
 */

type Leaf = Extract<Sym, { kind: 'scalar' }>;
const pkt = (offset: number, size: number): Sym => scalar({ kind: 'pkt', offset: konst(BigInt(offset)), size });
/** The EtherType as the program loads it: whole (object byte order) or a byte at a time. */
const LEAVES = [pkt(12, 2), pkt(12, 1), pkt(13, 1)] as const;

/** The leaves' values for EtherType `v` (wire order: 12 is the high byte). */
function leafValue(v: number, le: boolean): (leaf: Leaf) => bigint | undefined {
  const hi = v >> 8;
  const lo = v & 0xff;
  return (leaf) => {
    if (leaf.source.kind !== 'pkt') return undefined;
    const at = leaf.source.offset.kind === 'const' ? Number(leaf.source.offset.value) : -1;
    if (leaf.source.size === 2 && at === 12) return BigInt(le ? hi | (lo << 8) : v);
    if (leaf.source.size === 1 && at === 12) return BigInt(hi);
    if (leaf.source.size === 1 && at === 13) return BigInt(lo);
    return undefined;
  };
}

/** Each leaf's value for every EtherType, [big-endian, little-endian][leaf][value]. */
const LEAF_TABLES = [false, true].map((le) => LEAVES.map((leaf) => Array.from({ length: 0x10000 }, (_, v) => leafValue(v, le)(leaf as Leaf)!)));

const UN: UnOp[] = ['bswap16', 'bswap32', 'bswap64', 'zext8', 'zext16', 'zext32'];
const BIN: BinOp[] = ['add', 'sub', 'mul', 'div', 'mod', 'or', 'and', 'xor', 'lsh', 'rsh'];
const CONSTS = [0n, 1n, 3n, 8n, 0xffn, 0x800n, 0x1fffn, 0x86ddn, 0xffffn, 1n << 32n, 1n << 53n, 0xffff_ffff_ffff_ffffn];

const expr: fc.Arbitrary<Sym> = fc.letrec<{ e: Sym }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...LEAVES),
    fc.oneof(fc.constantFrom(...CONSTS), fc.integer({ min: 0, max: 70 }).map(BigInt)).map(konst),
    fc.tuple(fc.constantFrom(...UN), tie('e')).map(([op, a]) => un(op, a)),
    fc.tuple(fc.constantFrom(...BIN), tie('e'), tie('e')).map(([op, a, b]) => bin(op, a, b)),
  ),
})).e;

/** Tests as compilers write them: masks, shifts and swaps of the field with small constants. */
const FIELD_UN: UnOp[] = ['bswap16', 'bswap32', 'bswap64', 'zext16'];
const FIELD_BIN: BinOp[] = ['and', 'or', 'lsh', 'rsh', 'add', 'sub'];
const fieldExpr: fc.Arbitrary<Sym> = fc.letrec<{ e: Sym }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...LEAVES),
    fc.tuple(fc.constantFrom(...FIELD_UN), tie('e')).map(([op, a]) => un(op, a)),
    fc.tuple(fc.constantFrom(...FIELD_BIN), tie('e'), fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((v) => konst(BigInt(v))), fc.constantFrom(...LEAVES))).map(([op, a, b]) => bin(op, a, b)),
  ),
})).e;

const OPS: CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'slt', 'sle', 'sgt', 'sge', 'set', 'clear'];
const SLOT = { section: 'tc', slot: 0 };
const SHAPE: FrameShape = { l3Base: 14, l3: 'other', etherTypes: fullSet(16), assumed: false, protos: undefined };

function has(set: ValueSet, v: number): boolean {
  return set.ranges.some(([lo, hi]) => lo <= v && v <= hi);
}

describe('field tests tried on every value', () => {
  it('over doubles, a column holds the bigint values whenever it is computed at all', () => {
    fc.assert(
      fc.property(expr, fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 8 }), fc.boolean(), (e, vs, le) => {
        const values = vs.map((v) => leafValue(v, le));
        let column: Column | undefined;
        try {
          column = evaluateColumn(e, (leaf) => (values[0](leaf) === undefined ? undefined : Float64Array.from(values, (value) => Number(value(leaf)!))), vs.length);
        } catch (err) {
          if (err instanceof NotNumeric) return;
          throw err;
        }
        if (column === undefined) return;
        values.forEach((value, i) => {
          const n = typeof column === 'number' ? column : column![i];
          expect(Number.isInteger(n)).toBe(true);
          expect(BigInt(n)).toBe(evaluate(e, value));
          // Compared only below 2^53, where signed and unsigned order agree.
          if (n >= 2 ** 53) expect(() => exact(n)).toThrow(NotNumeric);
          else expect(exact(n)).toBe(n);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('a bswap64 of a 16-bit read is computed over doubles, exactly', () => {
    const e = bin('and', bin('rsh', un('bswap64', LEAVES[0]), konst(61n)), konst(1n));
    const vs = [0, 1, 0x20, 0xff, 0x1234, 0xffff];
    const column = evaluateColumn(e, () => Float64Array.from(vs), vs.length) as Float64Array;
    vs.forEach((v, i) => expect(BigInt(column[i])).toBe(evaluate(e, () => BigInt(v))));
  });

  it('the set of a test and of its negation are exactly the values that pass them', () => {
    fc.assert(
      fc.property(fc.oneof(fieldExpr, expr), fc.constantFrom(...OPS), fc.oneof(fc.constantFrom(...CONSTS), fc.integer({ min: 0, max: 0xffff }).map(BigInt)), fc.boolean(), (a, op, c, le) => {
        const sets = new Map<string, ValueSet>();
        const negation: Record<CmpOp, CmpOp> = { eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le', slt: 'sge', sge: 'slt', sle: 'sgt', sgt: 'sle', set: 'clear', clear: 'set' };
        // The lifter's bigint arithmetic, walked once (evaluate, as a closure).
        const reference = (() => {
          let at = 0;
          const f = compile(a, (leaf) => {
            const i = LEAVES.findIndex((l) => l.key === leaf.key);
            return i < 0 ? undefined : () => LEAF_TABLES[le ? 1 : 0][i][at];
          })!;
          return (v: number) => {
            at = v;
            return f([]);
          };
        })();
        // The test, then its negation through the same memo (the complement shortcut).
        for (const o of [op, negation[op]]) {
          const g: Guard = { kind: 'cmp', op: o, a, b: konst(c), slot: SLOT };
          const atoms = classifyGuard(g, SHAPE, le, sets);
          const field = atoms.find((x) => x.kind === 'field');
          if (atoms.length !== 1 || field?.kind !== 'field') return;
          expect(field.field).toBe('eth.type');
          for (let v = 0; v <= 0xffff; v++) {
            const x = reference(v);
            if (has(field.set, v) !== decideConst(o, x, c)) throw new Error(`${a.key} ${o} ${c}: value 0x${v.toString(16)} (${le ? 'le' : 'be'})`);
          }
        }
      }),
      {
        numRuns: 20,
        // The forms clang gave Coppice's tests of the EtherType and IPv4 fragment field.
        examples: [
          [bin('and', un('bswap16', LEAVES[0]), konst(0x1fffn)), 'eq', 0n, true],
          [bin('or', bin('lsh', LEAVES[2], konst(8n)), LEAVES[1]), 'ne', 8n, true],
          [bin('and', bin('rsh', un('bswap64', LEAVES[0]), konst(61n)), konst(1n)), 'eq', 0n, true],
          [LEAVES[0], 'lt', 0x100n, false],
        ],
      },
    );
  });
});
