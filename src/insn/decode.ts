import { ByteWindow } from '../bytes.js';
import { fail } from '../errors.js';
import type {
  AccessSize, AtomicInsn, AtomicOp, CallInsn, Insn, InsnClass, InsnFields, JumpOp, LddwInsn,
  LddwPseudo, Register,
} from './types.js';

/**
 * Decoding one section's instruction bytes. What is accepted follows the kernel verifier's
 * structural checks (`bpf_opcode_in_insntable`, the "uses reserved fields" checks in
 * check_alu_op, do_check, check_ld_abs, check_atomic, resolve_pseudo_ldimm64):
 *
 * - INSN_INVALID: an opcode outside the instruction set; a size or mode that does not exist
 *   for its class; a register number above r10 in a field the instruction uses; a non-zero
 *   field the kernel requires to be zero (src of a K form, imm of an X form, off of
 *   anything but DIV/MOD (off 1: signed), MOV X (off 8/16/32: movsx; ALU64 off 1 with
 *   imm 1 or 0x10000: addr_space_cast), jumps, memory and kfunc calls, dst/src of
 *   ja/call/exit, etc.); a call whose src is not 0, 1 or 2; callx (0x8d), which LLVM
 *   knows but the kernel does not; an `lddw` with a non-zero off, an unknown src subtype, no
 *   second slot, or a second slot whose code, registers or off are non-zero, or whose imm
 *   is non-zero for the map_fd/btf_id/map_idx subtypes.
 * - Merely unusual, decoded without complaint: values the verifier rejects only when it
 *   reasons about them, such as shift counts out of range, division by a constant zero,
 *   jumps that leave the section (the CFG checks targets), writes to r10, and a non-zero
 *   off on `exit` (neither the kernel nor LLVM looks at it).
 */

export interface DecodeOptions {
  /** Named in error messages, e.g. the section name. */
  readonly section?: string;
  /** Slot number of the first instruction, when decoding a piece of a section. */
  readonly firstSlot?: number;
}

/** The five fields of one slot; registers as the raw nibbles 0..15. */
interface RawSlot {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}

/** Where we are, for error messages. */
interface Site {
  readonly where: string;
  readonly slot: number;
  readonly raw: RawSlot;
}

const LDDW = 0x18;

const SIZES: readonly AccessSize[] = [4, 2, 1, 8]; // BPF_W, BPF_H, BPF_B, BPF_DW by (code >> 3) & 3

const CLASSES: readonly InsnClass[] = ['ld', 'ldx', 'st', 'stx', 'alu', 'jmp', 'jmp32', 'alu64'];

const LDDW_PSEUDO: readonly LddwPseudo[] = ['imm64', 'map_fd', 'map_value', 'btf_id', 'func', 'map_idx', 'map_idx_value'];

/** Subtypes whose second-slot imm the kernel requires to be zero. */
const LDDW_IMM2_ZERO: ReadonlySet<LddwPseudo> = new Set(['map_fd', 'btf_id', 'map_idx']);

const ALU_BINARY_OPS = new Map<number, 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'xor' | 'arsh'>([
  [0x00, 'add'], [0x10, 'sub'], [0x20, 'mul'], [0x30, 'div'], [0x40, 'or'], [0x50, 'and'],
  [0x60, 'lsh'], [0x70, 'rsh'], [0x90, 'mod'], [0xa0, 'xor'], [0xc0, 'arsh'],
]);

const CONDITIONAL_JUMP_OPS = new Map<number, JumpOp>([
  [0x10, 'jeq'], [0x20, 'jgt'], [0x30, 'jge'], [0x40, 'jset'], [0x50, 'jne'], [0x60, 'jsgt'],
  [0x70, 'jsge'], [0xa0, 'jlt'], [0xb0, 'jle'], [0xc0, 'jslt'], [0xd0, 'jsle'],
]);

const ATOMIC_OPS = new Map<number, { op: AtomicOp; fetch: boolean }>([
  [0x00, { op: 'add', fetch: false }], [0x01, { op: 'add', fetch: true }],
  [0x40, { op: 'or', fetch: false }], [0x41, { op: 'or', fetch: true }],
  [0x50, { op: 'and', fetch: false }], [0x51, { op: 'and', fetch: true }],
  [0xa0, { op: 'xor', fetch: false }], [0xa1, { op: 'xor', fetch: true }],
  [0xe1, { op: 'xchg', fetch: true }], [0xf1, { op: 'cmpxchg', fetch: true }],
  [0x100, { op: 'load_acquire', fetch: false }], [0x110, { op: 'store_release', fetch: false }],
]);

/**
 * Decodes a section's bytes into instructions, in order; `lddw` takes two slots and every
 * instruction keeps its slot number so that jump targets and relocation offsets (/ 8)
 * line up. Throws INSN_INVALID naming the slot for anything outside the instruction set.
 */
export function decodeInstructions(bytes: Uint8Array, littleEndian: boolean, options: DecodeOptions = {}): readonly Insn[] {
  const where = options.section ?? 'instructions';
  const firstSlot = options.firstSlot ?? 0;
  if (bytes.length % 8 !== 0) {
    fail('INSN_INVALID', `${where}: ${bytes.length} bytes is not a whole number of 8-byte instructions`);
  }
  const window = new ByteWindow(bytes, littleEndian, where, 'INSN_INVALID');
  const count = bytes.length / 8;
  const out: Insn[] = [];
  for (let i = 0; i < count; ) {
    const site: Site = { where, slot: firstSlot + i, raw: readSlot(window, i) };
    if (site.raw.code === LDDW) {
      if (i + 1 >= count) invalid(site, 'lddw is missing its second slot');
      out.push(decodeLddw(site, readSlot(window, i + 1)));
      i += 2;
    } else {
      out.push(decodeSingle(site));
      i += 1;
    }
  }
  return out;
}

function readSlot(w: ByteWindow, index: number): RawSlot {
  const at = index * 8;
  const regs = w.u8(at + 1, 'registers');
  // Big-endian objects put dst in the high nibble (reference §3.1).
  const hi = regs >> 4;
  const lo = regs & 0xf;
  return {
    code: w.u8(at, 'opcode'),
    dst: w.littleEndian ? lo : hi,
    src: w.littleEndian ? hi : lo,
    off: w.i16(at + 2, 'offset'),
    imm: w.i32(at + 4, 'immediate'),
  };
}

function invalid(site: Site, why: string): never {
  const code = site.raw.code.toString(16).padStart(2, '0');
  fail('INSN_INVALID', `${site.where}: slot ${site.slot}: ${why} (opcode 0x${code})`);
}

function register(site: Site, n: number, field: 'dst' | 'src'): Register {
  if (n > 10) invalid(site, `${field} register r${n} does not exist`);
  return n as Register;
}

function reserved(site: Site, field: 'dst' | 'src' | 'off' | 'imm'): void {
  const value = site.raw[field];
  if (value !== 0) invalid(site, `reserved field ${field} = ${value} must be 0`);
}

function fields(site: Site, cls: InsnClass): InsnFields {
  const { raw } = site;
  return {
    slot: site.slot, slots: 1, cls, opcode: raw.code,
    dst: register(site, raw.dst, 'dst'), src: raw.src, off: raw.off, imm: raw.imm,
  };
}

function decodeSingle(site: Site): Insn {
  const cls = CLASSES[site.raw.code & 7];
  switch (cls) {
    case 'alu':
    case 'alu64':
      return decodeAlu(site, cls);
    case 'jmp':
    case 'jmp32':
      return decodeJump(site, cls);
    case 'ld':
      return decodeLd(site);
    case 'ldx':
      return decodeLdx(site);
    case 'st':
      return decodeSt(site);
    case 'stx':
      return decodeStx(site);
  }
}

function decodeAlu(site: Site, cls: 'alu' | 'alu64'): Insn {
  const { raw } = site;
  const op = raw.code & 0xf0;
  const byReg = (raw.code & 0x08) !== 0;
  const width = cls === 'alu64' ? 64 : 32;
  const base = fields(site, cls);
  if (op === 0xd0) {
    if (cls === 'alu64' && byReg) invalid(site, 'bswap has no register-source form');
    reserved(site, 'src');
    reserved(site, 'off');
    if (raw.imm !== 16 && raw.imm !== 32 && raw.imm !== 64) invalid(site, `byte swap width ${raw.imm} is not 16, 32 or 64`);
    const swap = cls === 'alu64' ? 'bswap' : byReg ? 'be' : 'le';
    return { ...base, kind: 'swap', cls, swap, bits: raw.imm };
  }
  if (op === 0x80) {
    if (byReg) invalid(site, 'neg has no register-source form');
    reserved(site, 'src');
    reserved(site, 'off');
    reserved(site, 'imm');
    return { ...base, kind: 'alu', cls, width, op: 'neg', source: 'imm', src: 0, signExtendFrom: null };
  }
  if (op === 0xb0) return decodeMov(site, cls, byReg);
  const binary = ALU_BINARY_OPS.get(op);
  if (binary === undefined) invalid(site, `unknown ALU operation 0x${op.toString(16)}`);
  const signed = raw.off === 1 && (binary === 'div' || binary === 'mod');
  if (raw.off !== 0 && !signed) invalid(site, `reserved field off = ${raw.off} must be 0${binary === 'div' || binary === 'mod' ? ' or 1' : ''}`);
  const name = signed ? (binary === 'div' ? 'sdiv' : 'smod') : binary;
  if (byReg) {
    reserved(site, 'imm');
    return { ...base, kind: 'alu', cls, width, op: name, source: 'reg', src: register(site, raw.src, 'src'), signExtendFrom: null };
  }
  reserved(site, 'src');
  return { ...base, kind: 'alu', cls, width, op: name, source: 'imm', src: 0, signExtendFrom: null };
}

function decodeMov(site: Site, cls: 'alu' | 'alu64', byReg: boolean): Insn {
  const { raw } = site;
  const width = cls === 'alu64' ? 64 : 32;
  const base = fields(site, cls);
  if (!byReg) {
    reserved(site, 'src');
    reserved(site, 'off');
    return { ...base, kind: 'alu', cls, width, op: 'mov', source: 'imm', src: 0, signExtendFrom: null };
  }
  const src = register(site, raw.src, 'src');
  if (cls === 'alu64' && raw.off === 1) {
    if (raw.imm !== 1 && raw.imm !== 0x10000) invalid(site, `addr_space_cast between address spaces 0x${raw.imm.toString(16)} is not supported`);
    return { ...base, kind: 'addrSpaceCast', cls, src, dstAddrSpace: raw.imm >>> 16, srcAddrSpace: raw.imm & 0xffff };
  }
  reserved(site, 'imm');
  if (raw.off === 0) return { ...base, kind: 'alu', cls, width, op: 'mov', source: 'reg', src, signExtendFrom: null };
  if (raw.off === 8 || raw.off === 16 || (raw.off === 32 && cls === 'alu64')) {
    return { ...base, kind: 'alu', cls, width, op: 'movsx', source: 'reg', src, signExtendFrom: raw.off };
  }
  invalid(site, `mov with off = ${raw.off}: sign extension is from 8, 16${cls === 'alu64' ? ' or 32' : ''} bits`);
}

function decodeJump(site: Site, cls: 'jmp' | 'jmp32'): Insn {
  const { raw } = site;
  const op = raw.code & 0xf0;
  const byReg = (raw.code & 0x08) !== 0;
  const width = cls === 'jmp32' ? 32 : 64;
  const base = fields(site, cls);
  const target = site.slot + 1 + raw.off;
  if (op === 0x00) {
    if (byReg) invalid(site, 'ja has no register-source form');
    reserved(site, 'dst');
    reserved(site, 'src');
    // JMP ja jumps by off; JMP32 ja (gotol) by imm.
    reserved(site, cls === 'jmp' ? 'imm' : 'off');
    const by = cls === 'jmp' ? raw.off : raw.imm;
    return { ...base, kind: 'jump', cls, width, op: 'ja', source: 'imm', src: 0, target: site.slot + 1 + by };
  }
  if (op === 0x80 || op === 0x90 || op === 0xe0) {
    if (cls === 'jmp32') invalid(site, `${op === 0x80 ? 'call' : op === 0x90 ? 'exit' : 'may_goto'} does not exist in class JMP32`);
    if (byReg) invalid(site, `${op === 0x80 ? 'call' : op === 0x90 ? 'exit' : 'may_goto'} has no register-source form`);
    reserved(site, 'dst');
    if (op === 0x80) return decodeCall(site);
    reserved(site, 'src');
    reserved(site, 'imm');
    if (op === 0x90) return { ...base, kind: 'exit', cls: 'jmp' };
    return { ...base, kind: 'jump', cls, width, op: 'may_goto', source: 'imm', src: 0, target };
  }
  const cond = CONDITIONAL_JUMP_OPS.get(op);
  if (cond === undefined) invalid(site, `unknown jump operation 0x${op.toString(16)}`);
  if (byReg) {
    reserved(site, 'imm');
    return { ...base, kind: 'jump', cls, width, op: cond, source: 'reg', src: register(site, raw.src, 'src'), target };
  }
  reserved(site, 'src');
  return { ...base, kind: 'jump', cls, width, op: cond, source: 'imm', src: 0, target };
}

function decodeCall(site: Site): CallInsn {
  const { raw } = site;
  const base = { ...fields(site, 'jmp'), kind: 'call' as const, cls: 'jmp' as const };
  switch (raw.src) {
    case 0:
      reserved(site, 'off');
      return { ...base, callKind: 'helper', helperId: raw.imm };
    case 1:
      reserved(site, 'off');
      return { ...base, callKind: 'subprogram', target: site.slot + 1 + raw.imm };
    case 2:
      return { ...base, callKind: 'kfunc', btfId: raw.imm, btfFdIndex: raw.off };
    default:
      return invalid(site, `call with src = ${raw.src} is neither a helper (0), a bpf-to-bpf call (1) nor a kfunc (2)`);
  }
}

function decodeLddw(site: Site, second: RawSlot): LddwInsn {
  const { raw } = site;
  reserved(site, 'off');
  const pseudo = LDDW_PSEUDO[raw.src];
  if (pseudo === undefined) invalid(site, `unknown lddw subtype src = ${raw.src}`);
  if (second.code !== 0 || second.dst !== 0 || second.src !== 0 || second.off !== 0) {
    invalid(site, `second slot of lddw must have code, registers and off zero (has code 0x${second.code.toString(16)}, dst ${second.dst}, src ${second.src}, off ${second.off})`);
  }
  if (second.imm !== 0 && LDDW_IMM2_ZERO.has(pseudo)) invalid(site, `lddw ${pseudo} must have a zero second immediate`);
  const value = BigInt(raw.imm >>> 0) | (BigInt(second.imm >>> 0) << 32n);
  return { ...fields(site, 'ld'), kind: 'lddw', cls: 'ld', slots: 2, pseudo, imm2: second.imm, value };
}

function decodeLd(site: Site): Insn {
  const { raw } = site;
  const mode = raw.code & 0xe0;
  const size = SIZES[(raw.code >> 3) & 3];
  if (mode === 0x00) invalid(site, 'LD | IMM exists only as lddw (size DW); a stray second half of lddw?');
  if (mode !== 0x20 && mode !== 0x40) invalid(site, `LD mode 0x${mode.toString(16)} does not exist (only IMM, ABS, IND)`);
  if (size === 8) invalid(site, 'packet loads (LD ABS/IND) have no DW size');
  reserved(site, 'dst');
  reserved(site, 'off');
  if (mode === 0x20) reserved(site, 'src');
  const src: Register = mode === 0x40 ? register(site, raw.src, 'src') : 0;
  return { ...fields(site, 'ld'), kind: 'packetLoad', cls: 'ld', mode: mode === 0x20 ? 'abs' : 'ind', size, src };
}

function decodeLdx(site: Site): Insn {
  const { raw } = site;
  const mode = raw.code & 0xe0;
  const size = SIZES[(raw.code >> 3) & 3];
  if (mode !== 0x60 && mode !== 0x80) invalid(site, `LDX mode 0x${mode.toString(16)} does not exist (only MEM, MEMSX)`);
  if (mode === 0x80 && size === 8) invalid(site, 'sign-extending load (MEMSX) has no DW size');
  reserved(site, 'imm');
  const src = register(site, raw.src, 'src');
  return { ...fields(site, 'ldx'), kind: 'load', cls: 'ldx', size, signExtend: mode === 0x80, src };
}

function decodeSt(site: Site): Insn {
  const mode = site.raw.code & 0xe0;
  if (mode !== 0x60) invalid(site, `ST mode 0x${mode.toString(16)} does not exist (only MEM)`);
  reserved(site, 'src');
  return { ...fields(site, 'st'), kind: 'storeImm', cls: 'st', size: SIZES[(site.raw.code >> 3) & 3] };
}

function decodeStx(site: Site): Insn {
  const { raw } = site;
  const mode = raw.code & 0xe0;
  const size = SIZES[(raw.code >> 3) & 3];
  if (mode === 0x60) {
    reserved(site, 'imm');
    return { ...fields(site, 'stx'), kind: 'store', cls: 'stx', size, src: register(site, raw.src, 'src') };
  }
  if (mode !== 0xc0) invalid(site, `STX mode 0x${mode.toString(16)} does not exist (only MEM, ATOMIC)`);
  const atomic = ATOMIC_OPS.get(raw.imm);
  if (atomic === undefined) invalid(site, `unknown atomic operation imm = 0x${(raw.imm >>> 0).toString(16)}`);
  const ordered = atomic.op === 'load_acquire' || atomic.op === 'store_release';
  if (!ordered && size !== 4 && size !== 8) invalid(site, `atomic ${atomic.op} exists only for sizes W and DW`);
  const insn: AtomicInsn = { ...fields(site, 'stx'), kind: 'atomic', cls: 'stx', size, ...atomic, src: register(site, raw.src, 'src') };
  return insn;
}
