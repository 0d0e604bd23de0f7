import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/cbpf/compile.js';
import { cbpfFilter } from '../../src/cbpf/interpret.js';
import { createRng, type Rng } from '../../src/gen/rng.js';
import { disjunctionText, loadableField, mergeConjs, normalLength, reachOf, type FrameConj } from '../../src/lift/synth/l2-predicate.js';
import { contains, fromRanges, fromValues, isFull, type ValueSet } from '../../src/lift/value-set.js';
import type { FieldId } from '../../src/lift/view/packet-layout.js';

/**
 * The predicate text of a disjunction of frame conjunctions means what the conjunctions
 * mean: compiled to classic BPF it matches exactly the frames long enough for the fields
 * and whose fields are in the sets (tcpdump's `and` and `or` bind equally, so every mixed
 * group must be parenthesised; a load past the end ends the whole program, and an
 * optimising compiler drops loads whose outcome does not matter, so lengths are explicit).
 */
const LAYERS: Readonly<Record<string, { type: number; fields: FieldId[] }>> = {
  arp: { type: 0x0806, fields: ['arp.htype', 'arp.ptype', 'arp.hlen', 'arp.op', 'arp.tpa'] },
  ip6: { type: 0x86dd, fields: ['ip6.next', 'ip6.plen', 'l4.dport'] },
  eth: { type: -1, fields: [] },
};

function randomSet(rng: Rng, bits: number, around: readonly number[]): ValueSet {
  const max = 2 ** bits - 1;
  const ranges: [number, number][] = [];
  for (let i = rng.range(1, 3); i > 0; i--) {
    const v = rng.chance(0.7) ? rng.pick(around) : rng.int(max + 1);
    const w = rng.chance(0.5) ? 0 : rng.int(4);
    ranges.push([v, Math.min(max, v + w)]);
  }
  const set = fromRanges(bits, ranges);
  // Sometimes everything but those values.
  return rng.chance(0.3) ? fromRanges(bits, [[0, max]].flatMap(([lo, hi]) => cut(lo, hi, set))) : set;
}

function cut(lo: number, hi: number, s: ValueSet): [number, number][] {
  const out: [number, number][] = [];
  let next = lo;
  for (const [a, b] of s.ranges) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= hi) out.push([next, hi]);
  return out;
}

const AROUND = [0, 1, 2, 4, 6, 17, 19, 53, 0x0800, 0x86dd, 0x0806, 0xa9fe4406];

function randomConj(rng: Rng): FrameConj {
  const layer = rng.pick(['arp', 'ip6', 'eth']);
  const fields = new Map<FieldId, ValueSet>();
  const l = LAYERS[layer];
  fields.set('eth.type', l.type >= 0 ? fromValues(16, [l.type]) : randomSet(rng, 16, [0x0800, 0x0806, 0x86dd, 0x88cc]));
  for (const f of l.fields) if (rng.chance(0.4)) fields.set(f, randomSet(rng, loadableField(f)!.size * 8, AROUND));
  // As restrict() keeps them: a field any value satisfies is no test at all.
  for (const [f, set] of fields) if (isFull(set) || set.ranges.length === 0) fields.delete(f);
  const minLen = rng.chance(0.2) ? rng.range(14, 70) : 0;
  const maxLenExcl = rng.chance(0.15) ? rng.range(20, 80) : Infinity;
  return normalLength({ fields, minLen, maxLenExcl });
}

function read(frame: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + frame[at + i];
  return v;
}

/** The conjunction's meaning, straight from its definition. */
function holds(c: FrameConj, frame: Uint8Array): boolean {
  if (frame.length < Math.max(14, reachOf(c), c.minLen) || frame.length >= c.maxLenExcl) return false;
  for (const [f, set] of c.fields) {
    const at = f === 'eth.type' ? { offset: 12, size: 2 } : { offset: loadableField(f)!.frameEnd - loadableField(f)!.size, size: loadableField(f)!.size };
    if (!contains(set, read(frame, at.offset, at.size))) return false;
  }
  return true;
}

function randomFrame(rng: Rng, conjs: readonly FrameConj[]): Uint8Array {
  const n = rng.range(14, 80);
  const frame = rng.bytes(n);
  const type = rng.pick([0x0800, 0x0806, 0x86dd, 0x88cc, rng.int(0x10000)]);
  frame[12] = type >> 8;
  frame[13] = type & 0xff;
  // Often plant values the conjunctions test.
  for (const c of conjs) {
    for (const [f, set] of c.fields) {
      if (f === 'eth.type' || !rng.chance(0.5)) continue;
      const def = loadableField(f)!;
      const [lo, hi] = rng.pick(set.ranges);
      const v = rng.chance(0.5) ? lo : hi;
      const at = def.frameEnd - def.size;
      for (let i = 0; i < def.size && at + i < n; i++) frame[at + i] = Math.floor(v / 2 ** (8 * (def.size - 1 - i))) % 256;
    }
  }
  return frame;
}

describe('l2-predicate: disjunctions of frame conjunctions as tcpdump expressions', () => {
  it('write what the conjunctions mean (random conjunctions, random frames)', () => {
    const rng = createRng('l2-predicate');
    for (let round = 0; round < 150; round++) {
      const conjs = mergeConjs(Array.from({ length: rng.range(1, 4) }, () => randomConj(rng)));
      const text = disjunctionText(conjs);
      let filter: ReturnType<typeof cbpfFilter>;
      try {
        filter = cbpfFilter(compileFilter(text));
      } catch (e) {
        throw new Error(`${text}: ${(e as Error).message}`);
      }
      for (let k = 0; k < 60; k++) {
        const frame = randomFrame(rng, conjs);
        const want = conjs.some((c) => holds(c, frame));
        if ((filter({ bytes: frame }) > 0) !== want) expect.fail(`${text} on ${Buffer.from(frame).toString('hex')}: expected ${want}`);
      }
    }
  });

  it('joins alternatives that differ in one field and keeps tcpdump precedence', () => {
    const arp = (op: number): FrameConj => ({ fields: new Map<FieldId, ValueSet>([['eth.type', fromValues(16, [0x0806])], ['arp.op', fromValues(16, [op])]]), minLen: 0, maxLenExcl: Infinity });
    const ip: FrameConj = { fields: new Map([['eth.type', fromValues(16, [0x0800])]]), minLen: 0, maxLenExcl: Infinity };
    const ip6: FrameConj = { fields: new Map([['eth.type', fromValues(16, [0x86dd])]]), minLen: 0, maxLenExcl: Infinity };
    expect(disjunctionText(mergeConjs([ip, arp(1), arp(2)]))).toBe('ip or (arp and len >= 22 and arp[6:2] >= 1 and arp[6:2] <= 2)');
    expect(disjunctionText(mergeConjs([ip, ip6, arp(1)]))).toBe('ip or ip6 or (arp and len >= 22 and arp[6:2] == 1)');
  });
});
