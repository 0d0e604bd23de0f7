import { fail } from '../../errors.js';
import type { SectionImage } from '../code/image.js';
import type { Frame, Machine } from '../machine.js';
import { addRegion, regionHi } from '../memory/memory.js';
import { scratchFrame } from '../run/scratch.js';

/** MAX_CALL_FRAMES: the main program plus seven nested bpf-to-bpf calls or callbacks. */
export const MAX_CALL_FRAMES = 8;
export const STACK_SIZE = 512;
/** BPF_MAX_LOOPS, the may_goto budget the verifier's fixup gives each frame. */
export const MAY_GOTO_BUDGET = 8 * 1024 * 1024;

/** The frame record at a depth, made (with its stack region) on first use. */
export function frameAt(m: Machine, depth: number): Frame {
  let f = m.frames[depth];
  if (f === undefined) {
    const pooled = scratchFrame(m.scratch, depth);
    f = {
      returnImage: undefined,
      returnPc: 0,
      saved: pooled.saved,
      savedTaint: pooled.savedTaint,
      stack: addRegion(m.mem, 'plain', `stack[${depth}]`, pooled.stack.bytes, true, { view: pooled.stack.view }),
      mayGoto: MAY_GOTO_BUDGET,
    };
    m.frames[depth] = f;
  }
  return f;
}

/** Points r10 at the top of the frame's stack. */
export function setFramePointer(m: Machine, f: Frame): void {
  m.regs.lo[10] = STACK_SIZE;
  m.regs.hi[10] = regionHi(f.stack);
  m.regs.taint[10] = 0;
}

/** A fresh stack for a frame (a new call, or a tail call reusing the frame). */
export function resetStack(f: Frame): void {
  f.stack.bytes.fill(0);
  f.stack.taint = null;
  f.mayGoto = MAY_GOTO_BUDGET;
}

/**
 * Enters a new frame for a call: saves the caller's r6-r9 (callee-saved from the
 * caller's point of view) and gives the callee its own zeroed stack.
 */
export function enterFrame(m: Machine, returnImage: SectionImage | undefined, returnPc: number): void {
  if (m.depth + 1 >= MAX_CALL_FRAMES) {
    fail('VM_BAD_CALL', `${m.section}+${m.slot}: call nests deeper than ${MAX_CALL_FRAMES} frames`);
  }
  const f = frameAt(m, m.depth + 1);
  f.returnImage = returnImage;
  f.returnPc = returnPc;
  const r = m.regs;
  for (let i = 0; i < 4; i++) {
    f.saved[2 * i] = r.lo[6 + i];
    f.saved[2 * i + 1] = r.hi[6 + i];
    f.savedTaint[i] = r.taint[6 + i];
  }
  resetStack(f);
  m.depth++;
  setFramePointer(m, f);
}

/** Leaves the current frame: restores the caller's r6-r9 and r10; returns the frame left. */
export function leaveFrame(m: Machine): Frame {
  const f = m.frames[m.depth];
  const r = m.regs;
  for (let i = 0; i < 4; i++) {
    r.lo[6 + i] = f.saved[2 * i];
    r.hi[6 + i] = f.saved[2 * i + 1];
    r.taint[6 + i] = f.savedTaint[i];
  }
  m.depth--;
  setFramePointer(m, m.frames[m.depth]);
  return f;
}
