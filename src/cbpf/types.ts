/**
 * Classic BPF (cBPF) instructions as plain data, the way FreeBSD's bpf(4) and ng_bpf(4)
 * run them. One variant per kind of instruction; every variant keeps the raw fields it
 * came from, so encoding is always `code jt jf k` as stored and nothing is lost.
 *
 * An instruction is one 8-byte `struct bpf_insn`, in the host's byte order:
 *
 *     +----------------+--------+--------+--------------------------------+
 *     | code (u16)     | jt (u8)| jf (u8)| k (u32)                        |
 *     +----------------+--------+--------+--------------------------------+
 *      bytes 0..1        byte 2   byte 3   bytes 4..7
 *
 * The code's low 3 bits are the class; the rest depends on it:
 *
 *     LD, LDX              ALU, JMP                RET             MISC
 *     +------+----+-----+  +--------+---+-----+    +----+---+-----+ +-------+-----+
 *     |mode 3|sz 2|cls 3|  |op 4    |s 1|cls 3|    |    |rv |cls 3| |op 5   |cls 3|
 *     +------+----+-----+  +--------+---+-----+    +----+---+-----+ +-------+-----+
 *
 * mode: IMM 0x00, ABS 0x20, IND 0x40, MEM 0x60, LEN 0x80, MSH 0xa0; size: W 0x00, H 0x08,
 * B 0x10; s: K 0x00, X 0x08; rv: K 0x00, A 0x10. Only 49 codes are valid (opcodes.ts);
 * anything else decodes to `unknown`, which every validator refuses.
 */

/** The four fields of a `struct bpf_insn`, exactly as stored. */
export interface RawInsn {
  /** u16; only values up to 0xff can be valid. */
  readonly code: number;
  /** u8: on a conditional jump, the forward offset from the next instruction when true. */
  readonly jt: number;
  /** u8: the offset when false. */
  readonly jf: number;
  /** u32. */
  readonly k: number;
}

/** Packet load widths: W 4 bytes, H 2, B 1. Multi-byte loads are big-endian. */
export type LoadSize = 'w' | 'h' | 'b';

/** ALU operations with an operand (K or X). MOD and XOR are missing before FreeBSD 12. */
export type AluOp = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'mod' | 'xor';

/** Conditional jumps: all comparisons are unsigned 32-bit. */
export type JumpCond = 'jeq' | 'jgt' | 'jge' | 'jset';

/** Operand source: `k` the constant, `x` the X register. */
export type Source = 'k' | 'x';

/**
 * What an instruction does. Register A is the accumulator, X the index register, M[]
 * the 16 scratch words, P[] the packet.
 */
export type InsnShape =
  | { readonly kind: 'ld-imm' } // A = k
  | { readonly kind: 'ld-abs'; readonly size: LoadSize } // A = P[k:size]
  | { readonly kind: 'ld-ind'; readonly size: LoadSize } // A = P[X+k:size]
  | { readonly kind: 'ld-mem' } // A = M[k]
  | { readonly kind: 'ld-len' } // A = wire length
  | { readonly kind: 'ldx-imm' } // X = k
  | { readonly kind: 'ldx-mem' } // X = M[k]
  | { readonly kind: 'ldx-len' } // X = wire length
  | { readonly kind: 'ldx-msh' } // X = 4 * (P[k] & 0xf), an IPv4 header length
  | { readonly kind: 'st' } // M[k] = A
  | { readonly kind: 'stx' } // M[k] = X
  | { readonly kind: 'alu'; readonly op: AluOp; readonly src: Source } // A = A op (k | X)
  | { readonly kind: 'neg' } // A = -A
  | { readonly kind: 'ja' } // pc += k
  | { readonly kind: 'jcond'; readonly cond: JumpCond; readonly src: Source } // pc += cond ? jt : jf
  | { readonly kind: 'ret'; readonly src: 'k' | 'a' } // return k | A (the snap length; 0 drops)
  | { readonly kind: 'tax' } // X = A
  | { readonly kind: 'txa' } // A = X
  | { readonly kind: 'unknown' }; // any other code: invalid everywhere

export type InsnKind = InsnShape['kind'];

/** One instruction: its meaning and the raw fields it is encoded as. */
export type CbpfInsn = InsnShape & RawInsn;

/** A program is just its instructions; index i is instruction i. */
export type CbpfProgram = readonly CbpfInsn[];

/** BPF_MEMWORDS: the scratch memory M[0..15]. */
export const MEM_WORDS = 16;

/**
 * Instruction limits. FreeBSD's BPF_MAXINSNS is 512 and ng_bpf checks it (through the
 * net.bpf.maxinsns sysctl) before bpf_validate; Linux's BPF_MAXINSNS is 4096; libpcap's
 * userland validator has no limit.
 */
export const FREEBSD_MAX_INSNS = 512;
export const LINUX_MAX_INSNS = 4096;
