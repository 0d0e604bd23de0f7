import type { Machine } from '../machine.js';
import { E } from '../maps/errno.js';
import { readBytes, readCString, writeBytes } from '../memory/helper-memory.js';
import { locate } from '../memory/memory.js';
import { formatBpf, type FormatIo } from './bpf-format.js';
import { argHi, argLo, argU32, argU64, retInt, type HelperEntry } from './helper-def.js';

/** Buffer bstr_printf formats into for trace_printk (MAX_BPRINTF_BUF). */
const MAX_BPRINTF_BUF = 1024;
const MAX_TRACE_PRINTK_VARARGS = 3;
const MAX_BPRINTF_VARARGS = 12;

/** trace_printk, trace_vprintk and snprintf; printed lines are captured in the result. */
export const PRINTK_HELPERS: readonly HelperEntry[] = [
  [6, { name: 'trace_printk', args: 5, call: tracePrintk }],
  [177, { name: 'trace_vprintk', args: 4, call: traceVprintk }],
  [165, { name: 'snprintf', args: 5, call: snprintf }],
];

/** The format string: its bytes up to the first NUL within `size`, or undefined when there is no NUL. */
function formatString(m: Machine, reg: number, size: number): string | undefined {
  const r = locate(m.mem, argLo(m, reg), argHi(m, reg), 0, 1);
  if (r === undefined) return undefined;
  const bytes = r.bytes.subarray(m.mem.at, Math.min(r.end, m.mem.at + size));
  const nul = bytes.indexOf(0);
  if (nul < 0) return undefined;
  return String.fromCharCode(...bytes.subarray(0, nul));
}

/** Arguments held in registers (trace_printk) or in an array of u64 in memory (vprintk, snprintf). */
function registerArgs(m: Machine, first: number): FormatIo {
  return pointerArgs(m, (i) => argU64(m, first + i));
}

function arrayArgs(m: Machine, reg: number, count: number): FormatIo {
  const raw = count === 0 ? new Uint8Array(0) : readBytes(m.mem, argLo(m, reg), argHi(m, reg), count * 8, 'printk data');
  const view = new DataView(raw.buffer);
  return pointerArgs(m, (i) => view.getBigUint64(i * 8, m.mem.littleEndian));
}

function pointerArgs(m: Machine, arg: (i: number) => bigint): FormatIo {
  const split = (v: bigint): [number, number] => [Number(v & 0xffffffffn), Number(v >> 32n)];
  return {
    arg,
    string: (i, max) => {
      const [lo, hi] = split(arg(i));
      return readCString(m.mem, lo, hi, max);
    },
    bytes: (i, n) => {
      const [lo, hi] = split(arg(i));
      const r = locate(m.mem, lo, hi, 0, n);
      return r === undefined || r.kind !== 'plain' ? undefined : r.bytes.slice(m.mem.at, m.mem.at + n);
    },
  };
}

function emit(m: Machine, fmt: string | undefined, numArgs: number, io: FormatIo, helper: string, size: number): { text: string; length: number } | undefined {
  if (fmt === undefined) return undefined;
  const r = formatBpf(fmt, numArgs, io, size);
  if (!r.ok) return undefined;
  if (r.hostDependent) m.records.hostDependent.add(helper);
  return r;
}

function tracePrintk(m: Machine): void {
  const r = emit(m, formatString(m, 1, argU32(m, 2)), MAX_TRACE_PRINTK_VARARGS, registerArgs(m, 3), 'trace_printk', MAX_BPRINTF_BUF);
  if (r === undefined) return retInt(m, -E.INVAL);
  m.records.printk.push(r.text);
  retInt(m, r.length);
}

function traceVprintk(m: Machine): void {
  const dataLen = argU32(m, 4);
  if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8) return retInt(m, -E.INVAL);
  if (dataLen && argLo(m, 3) === 0 && argHi(m, 3) === 0) return retInt(m, -E.INVAL);
  const r = emit(m, formatString(m, 1, argU32(m, 2)), dataLen / 8, arrayArgs(m, 3, dataLen / 8), 'trace_vprintk', MAX_BPRINTF_BUF);
  if (r === undefined) return retInt(m, -E.INVAL);
  m.records.printk.push(r.text);
  retInt(m, r.length);
}

/** snprintf: the buffer gets at most size - 1 characters and a NUL; r0 is the full length plus one. */
function snprintf(m: Machine): void {
  const size = argU32(m, 2);
  const dataLen = argU32(m, 5);
  if (dataLen % 8 || dataLen > MAX_BPRINTF_VARARGS * 8) return retInt(m, -E.INVAL);
  if (dataLen && argLo(m, 4) === 0 && argHi(m, 4) === 0) return retInt(m, -E.INVAL);
  const r = emit(m, formatString(m, 3, 0xffffffff), dataLen / 8, arrayArgs(m, 4, dataLen / 8), 'snprintf', size);
  if (r === undefined) return retInt(m, -E.INVAL);
  if (size > 0) {
    const out = new Uint8Array(r.text.length + 1);
    for (let i = 0; i < r.text.length; i++) out[i] = r.text.charCodeAt(i);
    writeBytes(m.mem, argLo(m, 1), argHi(m, 1), out, 'snprintf str');
  }
  retInt(m, r.length + 1);
}
