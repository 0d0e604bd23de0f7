/**
 * Runs classic BPF the way FreeBSD's kernel bpf_filter() does (sys/net/bpf_filter.c),
 * which is what ng_bpf(4) calls with wirelen = buflen = the packet length:
 *
 * - A, X and the 16 words of M[] start at 0 on every run (current FreeBSD zeroes M[];
 *   10.4, the JIT and libpcap 1.10.3's userland bpf_filter do not: the tests saw it read
 *   stack garbage. So a program must store before it loads anyway).
 * - Packet loads are big-endian and bounds-checked against the buffer: a load that does
 *   not fit ends the run with 0 (no match); it does not set A to 0. Indexed loads check X
 *   and k separately, so X + k never wraps (Linux wraps; see the tests).
 * - `ld #pktlen` gives the wire length, which may exceed the buffer in a bpf(4) capture.
 * - div and mod by X = 0 end the run with 0.
 * - Shift counts of 32 or more are undefined in C; amd64 (the interpreter's compiled
 *   shifts and the JIT's SHL/SHR alike) uses the count mod 32, and so do we. libpcap's
 *   userland interpreter instead makes `lsh x`/`rsh x` give 0 for X >= 32.
 * - The result is the ret value, a snap length: 0 drops, N cuts the packet to N bytes.
 *
 * `mbufChain` models FreeBSD's other path, used by ng_bpf for packets longer than MHLEN
 * held in an mbuf chain without the JIT: there an out-of-range `ldh [k]` sets A = 0 and
 * carries on (the m_xhalf error is ignored) where every other load still returns 0.
 *
 * Programs are validated first (FreeBSD's rules, without the length limit), so every
 * jump is forward and in range and every run ends within the program's length.
 */
import { validateCbpf } from './validate.js';
import { MEM_WORDS, type AluOp, type CbpfProgram, type LoadSize } from './types.js';

export interface PacketInput {
  /** The bytes the program can read (buflen = bytes.length). */
  readonly bytes: Uint8Array;
  /** What `ld #pktlen` sees; defaults to bytes.length, as in ng_bpf. */
  readonly wireLen?: number;
  /** Run as on an mbuf chain (see above). Default false. */
  readonly mbufChain?: boolean;
}

/**
 * Whose interpreter to follow where they differ on programs FreeBSD accepts. They differ
 * only on `lsh x` / `rsh x` with X >= 32: FreeBSD (amd64) shifts by X mod 32, libpcap's
 * userland bpf_filter (what `tcpdump -r` filters with) sets A = 0.
 */
export type RunSemantics = 'freebsd' | 'libpcap';

export interface RunOptions {
  /** Default 'freebsd'. */
  readonly semantics?: RunSemantics;
}

/** A validated program ready to run on many packets; returns the u32 ret value. */
export type CbpfFilter = (packet: PacketInput) => number;

const SIZE_BYTES: Readonly<Record<LoadSize, number>> = { w: 4, h: 2, b: 1 };

/** Validates once (CBPF_INVALID if FreeBSD would refuse it) and returns the runner. */
export function cbpfFilter(prog: CbpfProgram, options: RunOptions = {}): CbpfFilter {
  validateCbpf(prog, { maxInsns: Infinity, rejectEmpty: true });
  const zeroWideShifts = options.semantics === 'libpcap';
  return (packet) => run(prog, packet, zeroWideShifts);
}

/** One run: the ret value, 0 meaning no match. */
export function runCbpf(prog: CbpfProgram, packet: PacketInput, options: RunOptions = {}): number {
  return cbpfFilter(prog, options)(packet);
}

/** A packet load, or undefined when it does not fit in the buffer. */
function load(bytes: Uint8Array, offset: number, size: LoadSize): number | undefined {
  const n = SIZE_BYTES[size];
  if (offset + n > bytes.length) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + bytes[offset + i];
  return v;
}

/** A op B in 32-bit unsigned arithmetic; undefined for division by zero. */
function alu(op: AluOp, a: number, b: number): number | undefined {
  switch (op) {
    case 'add': return (a + b) >>> 0;
    case 'sub': return (a - b) >>> 0;
    case 'mul': return Math.imul(a, b) >>> 0;
    case 'div': return b === 0 ? undefined : Math.floor(a / b);
    case 'mod': return b === 0 ? undefined : a % b;
    case 'or': return (a | b) >>> 0;
    case 'and': return (a & b) >>> 0;
    case 'xor': return (a ^ b) >>> 0;
    case 'lsh': return (a << (b & 31)) >>> 0;
    case 'rsh': return a >>> (b & 31);
    default: return unreachable(op);
  }
}

function unreachable(x: never): never {
  throw new Error(`unhandled cBPF case ${JSON.stringify(x)}`);
}

function run(prog: CbpfProgram, packet: PacketInput, zeroWideShifts: boolean): number {
  const { bytes } = packet;
  const wireLen = (packet.wireLen ?? bytes.length) >>> 0;
  const mem = new Uint32Array(MEM_WORDS);
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const insn = prog[pc];
    switch (insn.kind) {
      case 'ld-imm': a = insn.k; break;
      case 'ld-abs': {
        const v = load(bytes, insn.k, insn.size);
        if (v === undefined) {
          if (packet.mbufChain && insn.size === 'h') { a = 0; break; }
          return 0;
        }
        a = v;
        break;
      }
      case 'ld-ind': {
        const v = load(bytes, x + insn.k, insn.size);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case 'ld-mem': a = mem[insn.k]; break;
      case 'ld-len': a = wireLen; break;
      case 'ldx-imm': x = insn.k; break;
      case 'ldx-mem': x = mem[insn.k]; break;
      case 'ldx-len': x = wireLen; break;
      case 'ldx-msh': {
        if (insn.k >= bytes.length) return 0;
        x = (bytes[insn.k] & 0xf) * 4;
        break;
      }
      case 'st': mem[insn.k] = a; break;
      case 'stx': mem[insn.k] = x; break;
      case 'alu': {
        if (zeroWideShifts && insn.src === 'x' && x >= 32 && (insn.op === 'lsh' || insn.op === 'rsh')) { a = 0; break; }
        const v = alu(insn.op, a, insn.src === 'k' ? insn.k : x);
        if (v === undefined) return 0;
        a = v;
        break;
      }
      case 'neg': a = (-a) >>> 0; break;
      case 'ja': pc += insn.k; break;
      case 'jcond': {
        const b = insn.src === 'k' ? insn.k : x;
        let taken: boolean;
        switch (insn.cond) {
          case 'jeq': taken = a === b; break;
          case 'jgt': taken = a > b; break;
          case 'jge': taken = a >= b; break;
          case 'jset': taken = (a & b) !== 0; break;
          default: return unreachable(insn.cond);
        }
        pc += taken ? insn.jt : insn.jf;
        break;
      }
      case 'ret': return insn.src === 'k' ? insn.k : a;
      case 'tax': x = a; break;
      case 'txa': a = x; break;
      // Validation refuses unknown codes; the kernel's interpreter would return 0.
      case 'unknown': return 0;
      default: return unreachable(insn);
    }
  }
  // Unreachable after validation: the last instruction is a ret and jumps stay in range.
  return 0;
}
