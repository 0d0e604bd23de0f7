import type { Insn } from '../insn/types.js';
import type { BpfFunction } from '../object/types.js';

/**
 * Registers live on entry to each instruction of a function (bit r = register r), by the
 * usual backward dataflow over the function's CFG. Path merging compares only live
 * registers: two paths that differ in a value nobody reads again are the same path.
 */
export type LiveSets = ReadonlyMap<number, number>;

const ALL_ARGS = 0b111110; // r1..r5
const FP = 1 << 10;

function usesDefs(insn: Insn): { use: number; def: number; kill: number } {
  const bit = (r: number): number => 1 << r;
  switch (insn.kind) {
    case 'alu':
      if (insn.op === 'mov' || insn.op === 'movsx') return { use: insn.source === 'reg' ? bit(insn.src) : 0, def: bit(insn.dst), kill: 0 };
      return { use: bit(insn.dst) | (insn.source === 'reg' ? bit(insn.src) : 0), def: bit(insn.dst), kill: 0 };
    case 'swap':
      return { use: bit(insn.dst), def: bit(insn.dst), kill: 0 };
    case 'addrSpaceCast':
      return { use: bit(insn.src), def: bit(insn.dst), kill: 0 };
    case 'lddw':
      return { use: 0, def: bit(insn.dst), kill: 0 };
    case 'load':
      return { use: bit(insn.src), def: bit(insn.dst), kill: 0 };
    case 'store':
      return { use: bit(insn.dst) | bit(insn.src), def: 0, kill: 0 };
    case 'storeImm':
      return { use: bit(insn.dst), def: 0, kill: 0 };
    case 'atomic': {
      const use = bit(insn.dst) | bit(insn.src) | (insn.op === 'cmpxchg' ? 1 : 0);
      const def = insn.fetch ? (insn.op === 'cmpxchg' ? 1 : bit(insn.src)) : 0;
      return { use, def, kill: 0 };
    }
    case 'packetLoad':
      return { use: bit(6) | (insn.mode === 'ind' ? bit(insn.src) : 0), def: 1, kill: ALL_ARGS };
    case 'jump':
      if (insn.op === 'ja' || insn.op === 'may_goto') return { use: 0, def: 0, kill: 0 };
      return { use: bit(insn.dst) | (insn.source === 'reg' ? bit(insn.src) : 0), def: 0, kill: 0 };
    case 'call':
      return { use: ALL_ARGS, def: 1, kill: ALL_ARGS };
    case 'exit':
      return { use: 1, def: 0, kill: 0 };
    default: {
      const never: never = insn;
      return never;
    }
  }
}

export function liveRegisters(fn: BpfFunction): LiveSets {
  const blocks = fn.cfg.blocks;
  const liveIn = new Array<number>(blocks.length).fill(0);
  const bySlot = new Map<number, number>();
  let changed = true;
  while (changed) {
    changed = false;
    for (let b = blocks.length - 1; b >= 0; b--) {
      const block = blocks[b];
      let live = FP;
      for (const e of block.successors) live |= liveIn[e.to];
      for (let i = block.insns.length - 1; i >= 0; i--) {
        const { use, def, kill } = usesDefs(block.insns[i]);
        live = (live & ~def & ~kill) | use | FP;
        bySlot.set(block.insns[i].slot, live);
      }
      if (live !== liveIn[b]) {
        liveIn[b] = live;
        changed = true;
      }
    }
  }
  return bySlot;
}
