/**
 * eBPF instructions as plain data: one variant per kind of instruction, each carrying the
 * raw fields it was decoded from and what they mean.
 *
 * An instruction is one 8-byte slot (`lddw` is two):
 *
 *     msb                                                        lsb
 *     +------------------------+----------------+----+----+--------+
 *     |immediate               |offset          |src |dst |opcode  |
 *     +------------------------+----------------+----+----+--------+
 *      bytes 4..7 (s32)         bytes 2..3 (s16) byte 1    byte 0
 *
 * Byte 1 holds the registers: dst in the low nibble and src in the high nibble in
 * little-endian objects, the other way round in big-endian ones; off and imm follow the
 * object's byte order.
 *
 * The opcode byte splits by class (low 3 bits):
 *
 *     ALU, ALU64, JMP, JMP32          LD, LDX, ST, STX
 *     +--------+----+-------+         +--------+------+-------+
 *     |op (4)  |s(1)|class 3|         |mode (3)|sz (2)|class 3|
 *     +--------+----+-------+         +--------+------+-------+
 *
 * s is the source: K (0, the immediate) or X (1, the src register). sz is W 0, H 1, B 2,
 * DW 3. Which combinations exist is decided in decode.ts; everything that decodes is one
 * of the variants below.
 */

/** r0..r10; r10 is the read-only frame pointer. */
export type Register = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export type InsnClass = 'ld' | 'ldx' | 'st' | 'stx' | 'alu' | 'jmp' | 'jmp32' | 'alu64';

/** Operand source: `imm` is BPF_K (the immediate), `reg` is BPF_X (the src register). */
export type OperandSource = 'imm' | 'reg';

/** Memory access width in bytes: B 1, H 2, W 4, DW 8. */
export type AccessSize = 1 | 2 | 4 | 8;

/** Fields every instruction has, exactly as encoded. */
export interface InsnFields {
  /** Index of the (first) 8-byte slot within its section: byte offset / 8. */
  readonly slot: number;
  /** 1, or 2 for `lddw`. */
  readonly slots: 1 | 2;
  readonly cls: InsnClass;
  /** The raw opcode byte. */
  readonly opcode: number;
  readonly dst: Register;
  /** The raw src nibble; a register except in `lddw`, where it is the pseudo subtype. */
  readonly src: number;
  /** Signed 16 bits. */
  readonly off: number;
  /** Signed 32 bits. */
  readonly imm: number;
}

export type AluOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg'
  | 'mod' | 'smod' | 'xor' | 'mov' | 'movsx' | 'arsh';

/**
 * ALU (32-bit, result zero-extended) and ALU64 arithmetic. `sdiv`/`smod` are DIV/MOD with
 * off = 1, `movsx` is MOV X with off = 8/16/32 (cpu v4).
 */
export interface AluInsn extends InsnFields {
  readonly kind: 'alu';
  readonly cls: 'alu' | 'alu64';
  readonly width: 32 | 64;
  readonly op: AluOp;
  readonly source: OperandSource;
  readonly src: Register;
  /** For `movsx`: the width of the source that is sign-extended; null for every other op. */
  readonly signExtendFrom: 8 | 16 | 32 | null;
}

export type SwapKind = 'le' | 'be' | 'bswap';

/**
 * BPF_END. `le`/`be` (ALU class, 0xd4/0xdc) convert to that byte order, which on one host
 * order is a swap and on the other a truncation to `bits`; `bswap` (ALU64, 0xd7, cpu v4)
 * always swaps.
 */
export interface SwapInsn extends InsnFields {
  readonly kind: 'swap';
  readonly cls: 'alu' | 'alu64';
  readonly swap: SwapKind;
  readonly bits: 16 | 32 | 64;
}

/**
 * ALU64 MOV X with off = 1 (BPF_ADDR_SPACE_CAST, arena programs): dst = src converted from
 * address space imm & 0xffff to address space imm >> 16.
 */
export interface AddrSpaceCastInsn extends InsnFields {
  readonly kind: 'addrSpaceCast';
  readonly cls: 'alu64';
  readonly src: Register;
  readonly dstAddrSpace: number;
  readonly srcAddrSpace: number;
}

export type JumpOp =
  | 'ja' | 'jeq' | 'jgt' | 'jge' | 'jset' | 'jne' | 'jsgt' | 'jsge'
  | 'jlt' | 'jle' | 'jslt' | 'jsle' | 'may_goto';

/**
 * Jumps other than call and exit. `ja` in class JMP jumps by off; in class JMP32 it is
 * `gotol` and jumps by imm. `may_goto` (0xe5) jumps while the kernel's loop budget lasts
 * and falls through once it is spent. Conditional ops compare dst with src or imm, over
 * 64 bits (JMP) or the low 32 (JMP32).
 */
export interface JumpInsn extends InsnFields {
  readonly kind: 'jump';
  readonly cls: 'jmp' | 'jmp32';
  readonly width: 32 | 64;
  readonly op: JumpOp;
  readonly source: OperandSource;
  readonly src: Register;
  /** Slot jumped to: slot + 1 + off (imm for gotol). May lie outside the section. */
  readonly target: number;
}

interface CallFields extends InsnFields {
  readonly kind: 'call';
  readonly cls: 'jmp';
}

/** src = 0: a kernel helper, imm = helper id. */
export interface HelperCallInsn extends CallFields {
  readonly callKind: 'helper';
  readonly helperId: number;
}

/**
 * src = 1 (BPF_PSEUDO_CALL): a bpf-to-bpf call. `target` is slot + 1 + imm within this
 * section; a call into another section carries a relocation instead, and then `target`
 * means nothing (clang writes imm = -1 or an addend).
 */
export interface SubprogramCallInsn extends CallFields {
  readonly callKind: 'subprogram';
  readonly target: number;
}

/**
 * src = 2 (BPF_PSEUDO_KFUNC_CALL), as the loader rewrites it: imm = BTF id, off = index
 * of the BTF object fd. In a clang object a kfunc call still looks like a subprogram call
 * with a relocation to an undefined symbol.
 */
export interface KfuncCallInsn extends CallFields {
  readonly callKind: 'kfunc';
  readonly btfId: number;
  readonly btfFdIndex: number;
}

export type CallInsn = HelperCallInsn | SubprogramCallInsn | KfuncCallInsn;

export interface ExitInsn extends InsnFields {
  readonly kind: 'exit';
  readonly cls: 'jmp';
}

/** `lddw` src subtypes (BPF_PSEUDO_*). Clang objects only contain `imm64`. */
export type LddwPseudo =
  | 'imm64' // 0: a 64-bit constant (or a relocated address)
  | 'map_fd' // 1: imm = map fd
  | 'map_value' // 2: imm = map fd, imm2 = offset into the value
  | 'btf_id' // 3: imm = BTF id of a kernel variable
  | 'func' // 4: imm = instruction offset of a callback
  | 'map_idx' // 5: imm = index into the fd array
  | 'map_idx_value'; // 6: like 2, by index

/** LD | IMM | DW, two slots; the second slot has code, registers and off zero. */
export interface LddwInsn extends InsnFields {
  readonly kind: 'lddw';
  readonly cls: 'ld';
  readonly slots: 2;
  readonly pseudo: LddwPseudo;
  /** Immediate of the second slot (signed 32 bits). */
  readonly imm2: number;
  /** (u32)imm | (u32)imm2 << 32, unsigned. */
  readonly value: bigint;
}

/**
 * Legacy LD | ABS / LD | IND: r0 = a big-endian load from the packet of the skb in r6, at
 * imm (ABS) or src + imm (IND).
 */
export interface PacketLoadInsn extends InsnFields {
  readonly kind: 'packetLoad';
  readonly cls: 'ld';
  readonly mode: 'abs' | 'ind';
  readonly size: 1 | 2 | 4;
  readonly src: Register;
}

/** LDX | MEM (zero-extending) or LDX | MEMSX (sign-extending, cpu v4): dst = *(src + off). */
export interface LoadInsn extends InsnFields {
  readonly kind: 'load';
  readonly cls: 'ldx';
  readonly size: AccessSize;
  readonly signExtend: boolean;
  readonly src: Register;
}

/** ST | MEM: *(dst + off) = imm. */
export interface StoreImmInsn extends InsnFields {
  readonly kind: 'storeImm';
  readonly cls: 'st';
  readonly size: AccessSize;
}

/** STX | MEM: *(dst + off) = src. */
export interface StoreInsn extends InsnFields {
  readonly kind: 'store';
  readonly cls: 'stx';
  readonly size: AccessSize;
  readonly src: Register;
}

export type AtomicOp = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg' | 'load_acquire' | 'store_release';

/**
 * STX | ATOMIC, operation in imm. Read-modify-write ops (W or DW) act on *(dst + off)
 * with src; with `fetch` src receives the old value (cmpxchg compares with r0 and puts the
 * old value in r0). `load_acquire` (imm 0x100) is dst = *(src + off) and `store_release`
 * (imm 0x110) is *(dst + off) = src, at any size.
 */
export interface AtomicInsn extends InsnFields {
  readonly kind: 'atomic';
  readonly cls: 'stx';
  readonly size: AccessSize;
  readonly op: AtomicOp;
  /** True for the FETCH forms, and always for xchg and cmpxchg. */
  readonly fetch: boolean;
  readonly src: Register;
}

export type Insn =
  | AluInsn
  | SwapInsn
  | AddrSpaceCastInsn
  | JumpInsn
  | CallInsn
  | ExitInsn
  | LddwInsn
  | PacketLoadInsn
  | LoadInsn
  | StoreImmInsn
  | StoreInsn
  | AtomicInsn;

export type InsnKind = Insn['kind'];

/** The helper id of `bpf_tail_call`: control does not come back when it succeeds. */
export const TAIL_CALL_HELPER_ID = 12;

/** For exhaustive switches: a call that type-checks only when every case is handled. */
export function unreachable(x: never): never {
  throw new Error(`unhandled case ${JSON.stringify(x)}`);
}
