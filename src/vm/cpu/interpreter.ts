import { fail } from '../../errors.js';
import type { FunctionTarget, SectionImage } from '../code/image.js';
import { OP } from '../code/ops.js';
import { callHelper, callKfunc } from '../helpers/registry.js';
import type { Machine } from '../machine.js';
import { load, store } from '../memory/memory.js';
import { ALU, alu32, alu64, byteSwap } from './alu.js';
import { executeAtomic } from './atomics.js';
import { loadImm64, sectionImage, tailCall } from './calls.js';
import { enterFrame, leaveFrame, resetStack, setFramePointer } from './frames.js';
import { cond32, cond64 } from './jump.js';
import { packetLoad } from './packet-load.js';
import { traceLine } from './trace.js';

const TAIL_CALL = 12;

/** Per-section bitmaps of executed slots, made on first entry into a section. */
function hitsFor(m: Machine, img: SectionImage): Uint8Array {
  let h = m.executed[img.index];
  if (h === undefined) {
    h = new Uint8Array(img.length);
    m.executed[img.index] = h;
  }
  return h;
}

/**
 * Runs from `pc` in `img` until the frame at `baseDepth` exits; r0 then holds its
 * result. bpf-to-bpf calls push frames within this loop; callbacks re-enter it through
 * `callFunction`. A successful tail call replaces the running function in its frame.
 */
export function execute(m: Machine, startImg: SectionImage, startPc: number, baseDepth: number): void {
  const regs = m.regs;
  const lo = regs.lo;
  const hi = regs.hi;
  const taint = regs.taint;
  const mem = m.mem;
  const limit = m.opts.maxInstructions;
  const tracing = m.records.trace !== undefined;
  const swapBe = mem.littleEndian;
  let img = startImg;
  let pc = startPc;
  // The instruction count lives in a local and is synced with the machine around
  // anything that can run instructions itself (helpers with callbacks) or stop the run.
  let count = m.instructions;
  let hits = hitsFor(m, img);
  let op = img.op;
  let dst = img.dst;
  let src = img.src;
  let off = img.off;
  let imm = img.imm;
  let aux = img.aux;
  mem.section = img.name;
  m.section = img.name;

  const enter = (next: SectionImage, slot: number): void => {
    img = next;
    pc = slot;
    hits = hitsFor(m, img);
    op = img.op;
    dst = img.dst;
    src = img.src;
    off = img.off;
    imm = img.imm;
    aux = img.aux;
    mem.section = img.name;
    m.section = img.name;
  };

  for (;;) {
    if (pc < 0 || pc >= img.length) fail('VM_BAD_CALL', `${img.name}+${pc}: execution left the section`);
    const o = op[pc];
    hits[pc] = 1;
    if (++count > limit) {
      m.instructions = count;
      fail('VM_STEP_LIMIT', `${img.name}+${pc}: more than ${limit} instructions`);
    }
    if (tracing) traceLine(m, img, pc);
    const d = dst[pc];

    if (o >= OP.aluFirst && o <= OP.aluLast) {
      const k = o - OP.aluFirst;
      const aop = k & 15;
      if (k & 32) {
        const s = src[pc];
        if (k & 16) alu64(regs, aop, d, lo[s], hi[s], aux[pc]);
        else alu32(regs, aop, d, lo[s], aux[pc]);
        taint[d] = aop === ALU.mov || aop === ALU.movsx ? taint[s] : taint[d] | taint[s];
      } else {
        const i = imm[pc];
        if (k & 16) alu64(regs, aop, d, i >>> 0, i < 0 ? 0xffffffff : 0, 0);
        else alu32(regs, aop, d, i >>> 0, 0);
        if (aop === ALU.mov) taint[d] = 0;
      }
      pc++;
      continue;
    }

    if (o >= OP.condFirst && o <= OP.condLast) {
      const k = o - OP.condFirst;
      const c = k % 11;
      const w64 = Math.floor(k / 11) % 2 === 1;
      let taken: boolean;
      if (k >= 22) {
        const s = src[pc];
        taken = w64 ? cond64(c, lo[d], hi[d], lo[s], hi[s]) : cond32(c, lo[d], lo[s]);
      } else {
        const i = imm[pc];
        taken = w64 ? cond64(c, lo[d], hi[d], i >>> 0, i < 0 ? 0xffffffff : 0) : cond32(c, lo[d], i >>> 0);
      }
      pc = taken ? aux[pc] : pc + 1;
      continue;
    }

    switch (o) {
      case OP.load: {
        const s = src[pc];
        const a = aux[pc];
        load(mem, lo[s], hi[s], off[pc], a & 15, (a & 16) !== 0, pc);
        lo[d] = mem.vlo;
        hi[d] = mem.vhi;
        taint[d] = mem.vtaint;
        pc++;
        continue;
      }
      case OP.store: {
        const s = src[pc];
        store(mem, lo[d], hi[d], off[pc], aux[pc], lo[s], hi[s], taint[s], pc);
        pc++;
        continue;
      }
      case OP.storeImm: {
        const i = imm[pc];
        store(mem, lo[d], hi[d], off[pc], aux[pc], i >>> 0, i < 0 ? 0xffffffff : 0, 0, pc);
        pc++;
        continue;
      }
      case OP.ja:
        pc = aux[pc];
        continue;
      case OP.le:
      case OP.be:
      case OP.bswap:
        byteSwap(regs, d, aux[pc], o === OP.bswap || (o === OP.be) === swapBe);
        pc++;
        continue;
      case OP.lddw:
        m.slot = pc;
        loadImm64(m, img.lddw[pc], d);
        pc += 2;
        continue;
      case OP.mayGoto: {
        // The kernel's rewrite: jump once the frame's counter is spent, else count down.
        const f = m.frames[m.depth];
        if (f.mayGoto === 0) pc = aux[pc];
        else {
          f.mayGoto--;
          pc++;
        }
        continue;
      }
      case OP.atomic:
        executeAtomic(m, pc, d, src[pc], off[pc], aux[pc]);
        pc++;
        continue;
      case OP.ldAbs:
      case OP.ldInd: {
        m.slot = pc;
        const k = o === OP.ldAbs ? imm[pc] : (lo[src[pc]] + imm[pc]) | 0;
        if (!packetLoad(m, k, aux[pc])) {
          lo[0] = 0;
          hi[0] = 0;
          taint[0] = 0;
          m.depth = baseDepth;
          m.instructions = count;
          return;
        }
        pc++;
        continue;
      }
      case OP.callHelper: {
        m.slot = pc;
        const id = aux[pc];
        if (id === TAIL_CALL) {
          const entry = tailCall(m);
          if (entry !== undefined) {
            resetStack(m.frames[m.depth]);
            setFramePointer(m, m.frames[m.depth]);
            enter(sectionImage(m, entry.section), entry.slot);
            continue;
          }
        } else {
          m.instructions = count;
          callHelper(m, id);
          count = m.instructions;
          mem.section = img.name;
          m.section = img.name;
        }
        pc++;
        continue;
      }
      case OP.callLocal: {
        m.slot = pc;
        const target = img.calls[pc] as FunctionTarget;
        enterFrame(m, img, pc + 1);
        enter(sectionImage(m, target.section), target.slot);
        continue;
      }
      case OP.callKfunc:
        m.slot = pc;
        callKfunc(m, img.kfuncs[pc] ?? '?');
        pc++;
        continue;
      case OP.exit: {
        if (m.depth === baseDepth) {
          m.instructions = count;
          return;
        }
        const f = leaveFrame(m);
        enter(f.returnImage as SectionImage, f.returnPc);
        continue;
      }
      case OP.addrSpaceCast:
        fail('VM_UNSUPPORTED', `${img.name}+${pc}: addr_space_cast (arena programs)`);
        break;
      default:
        fail('VM_BAD_CALL', `${img.name}+${pc}: no instruction here (op ${o}): a jump into the middle of an lddw or past a function`);
    }
  }
}

/**
 * Runs a function as a callback from a helper: a new frame with r1..r5 set, run to its
 * exit, the frame left again; r0 holds the callback's result.
 */
export function callFunction(m: Machine, target: FunctionTarget, argLo: readonly number[], argHi: readonly number[]): void {
  const section = m.section;
  const slot = m.slot;
  enterFrame(m, undefined, 0);
  for (let i = 0; i < 5; i++) {
    m.regs.lo[1 + i] = argLo[i] >>> 0;
    m.regs.hi[1 + i] = argHi[i] >>> 0;
    m.regs.taint[1 + i] = 0;
  }
  execute(m, sectionImage(m, target.section), target.slot, m.depth);
  leaveFrame(m);
  m.section = section;
  m.slot = slot;
  m.mem.section = section;
}
