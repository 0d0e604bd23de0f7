/**
 * Blocks to instructions, with every jump offset resolved. A conditional jump reaches
 * at most 255 instructions past the next one; a farther target is reached through a
 * stub placed right after the jump (libpcap's method): a copy of the `ret` when the
 * target is a verdict (one instruction, and later jumps to the same verdict reuse it),
 * else a `ja`, whose 32-bit offset reaches anywhere. Stubs push later code down, so
 * offsets are recomputed until nothing more is out of reach.
 */
import { makeInsn } from '../opcodes.js';
import type { CbpfInsn } from '../types.js';
import type { Block } from './codegen.js';

const MAX_COND_OFFSET = 255;

/** Where a jump lands: a block, or a stub after some block's jump. */
type Via = { readonly kind: 'block'; readonly id: string } | { readonly kind: 'stub'; readonly owner: number; readonly slot: number };

interface Stub {
  /** The block it stands for. */
  readonly target: string;
}

export function resolveJumps(blocks: readonly Block[]): CbpfInsn[] {
  const index = new Map(blocks.map((b, i) => [b.id, i]));
  const stubs: Stub[][] = blocks.map(() => []);
  const via: { t: Via; f: Via }[] = blocks.map((b) => (b.end.kind === 'jump'
    ? { t: { kind: 'block', id: b.end.t }, f: { kind: 'block', id: b.end.f } }
    : { t: { kind: 'block', id: b.id }, f: { kind: 'block', id: b.id } }));

  for (;;) {
    const pos = positions(blocks, stubs);
    const at = (v: Via): number => (v.kind === 'block' ? pos.start[index.get(v.id) ?? -1] : pos.jump[v.owner] + 1 + v.slot);
    let changed = false;
    blocks.forEach((b, i) => {
      if (b.end.kind !== 'jump') return;
      for (const side of ['t', 'f'] as const) {
        const from = pos.jump[i] + 1;
        if (at(via[i][side]) - from <= MAX_COND_OFFSET) continue;
        const target = b.end[side];
        via[i][side] = nearStub(target, from, stubs, pos.jump) ?? addStub(i, target, stubs);
        changed = true;
      }
    });
    if (!changed) return emit(blocks, stubs, via, at, index);
  }
}

/** Start of each block and index of each block's last instruction (its jump or ret). */
function positions(blocks: readonly Block[], stubs: readonly Stub[][]): { start: number[]; jump: number[] } {
  const start: number[] = [];
  const jump: number[] = [];
  let pc = 0;
  blocks.forEach((b, i) => {
    start.push(pc);
    pc += b.code.length;
    jump.push(pc);
    pc += 1 + stubs[i].length;
  });
  return { start, jump };
}

/** An existing stub for `target` within reach of a jump whose next instruction is `from`. */
function nearStub(target: string, from: number, stubs: readonly Stub[][], jump: readonly number[]): Via | undefined {
  for (let owner = 0; owner < stubs.length; owner++) {
    for (let slot = 0; slot < stubs[owner].length; slot++) {
      const p = jump[owner] + 1 + slot;
      if (stubs[owner][slot].target === target && p >= from && p - from <= MAX_COND_OFFSET) return { kind: 'stub', owner, slot };
    }
  }
  return undefined;
}

function addStub(owner: number, target: string, stubs: Stub[][]): Via {
  stubs[owner].push({ target });
  return { kind: 'stub', owner, slot: stubs[owner].length - 1 };
}

function emit(blocks: readonly Block[], stubs: readonly Stub[][], via: readonly { t: Via; f: Via }[], at: (v: Via) => number, index: ReadonlyMap<string, number>): CbpfInsn[] {
  const out: CbpfInsn[] = [];
  blocks.forEach((b, i) => {
    out.push(...b.code);
    const next = out.length + 1;
    if (b.end.kind === 'ret') {
      out.push(makeInsn({ kind: 'ret', src: 'k' }, b.end.k));
    } else {
      out.push(makeInsn({ kind: 'jcond', cond: b.end.cond, src: b.end.src }, b.end.k, at(via[i].t) - next, at(via[i].f) - next));
    }
    for (const s of stubs[i]) {
      const target = blocks[index.get(s.target) ?? -1];
      // A verdict is copied; anything else is jumped to.
      if (target.end.kind === 'ret' && target.code.length === 0) out.push(makeInsn({ kind: 'ret', src: 'k' }, target.end.k));
      else out.push(makeInsn({ kind: 'ja' }, at({ kind: 'block', id: s.target }) - (out.length + 1)));
    }
  });
  return out;
}
