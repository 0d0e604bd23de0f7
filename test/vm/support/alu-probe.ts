/**
 * A probe program that applies every ALU, jump, sign-extending load and atomic form to
 * two operands a and b read from the packet (bytes 14..29, little endian) and stores
 * each result in `res[]`. Each case is one inline asm block, so the instruction under
 * test is exactly the one written, whatever the optimiser would have preferred.
 */
const BIN = ['+=', '-=', '*=', '/=', '%=', 's/=', 's%=', '|=', '&=', '<<=', '>>=', 's>>=', '^='];
const CONDS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'];

export const ALU_CASES: readonly string[] = [
  ...BIN.map((op) => `r0 ${op} r1`),
  ...BIN.map((op) => `w0 ${op} w1`),
  ...['/= -3', '%= -3', 's/= -3', 's%= -3', 's/= -1', 's%= -1', '+= -1', '&= -2', '*= -7', '<<= 63', 's>>= 63', '>>= 33', '^= -1'].map((op) => `r0 ${op}`),
  ...['/= -3', '%= -3', 's/= -3', 's%= -3', 's/= -1', 's%= -1', '+= -1', '&= -2', '*= -7', '<<= 31', 's>>= 31', '>>= 1'].map((op) => `w0 ${op}`),
  'r0 = -r0',
  'w0 = -w0',
  'r0 = (s8)r1',
  'r0 = (s16)r1',
  'r0 = (s32)r1',
  'w0 = (s8)w1',
  'w0 = (s16)w1',
  'w0 = w1',
  'r0 = r1',
  'r0 = bswap16 r0',
  'r0 = bswap32 r0',
  'r0 = bswap64 r0',
  'r0 = be16 r0',
  'r0 = be32 r0',
  'r0 = be64 r0',
  'r0 = le16 r0',
  'r0 = le32 r0',
  'r0 = le64 r0',
  ...CONDS.flatMap((c) => [
    `r2 = 0; if r0 ${c} r1 goto +1; r2 = 1; r0 = r2`,
    `r2 = 0; if w0 ${c} w1 goto +1; r2 = 1; r0 = r2`,
    `r2 = 0; if r0 ${c} -5 goto +1; r2 = 1; r0 = r2`,
    `r2 = 0; if w0 ${c} -5 goto +1; r2 = 1; r0 = r2`,
  ]),
  ...['s8', 's16', 's32', 'u8', 'u16', 'u32'].map((t) => `*(u64 *)(r10 - 8) = r0; r0 = *(${t} *)(r10 - 8)`),
  '*(u64 *)(r10 - 8) = r0; lock *(u64 *)(r10 - 8) += r1; r0 = *(u64 *)(r10 - 8)',
  '*(u64 *)(r10 - 8) = r0; lock *(u32 *)(r10 - 8) += w1; r0 = *(u64 *)(r10 - 8)',
  ...['add', 'or', 'and', 'xor'].flatMap((op) => [
    `*(u64 *)(r10 - 8) = r0; r1 = atomic_fetch_${op}((u64 *)(r10 - 8), r1); r0 = *(u64 *)(r10 - 8); r0 ^= r1`,
    `*(u64 *)(r10 - 8) = r0; w1 = atomic_fetch_${op}((u32 *)(r10 - 8), w1); r0 = *(u64 *)(r10 - 8); r0 += r1`,
  ]),
  '*(u64 *)(r10 - 8) = r0; r1 = xchg_64(r10 - 8, r1); r0 = *(u64 *)(r10 - 8); r0 -= r1',
  '*(u64 *)(r10 - 8) = r0; w1 = xchg32_32(r10 - 8, w1); r0 = *(u64 *)(r10 - 8); r0 -= r1',
  '*(u64 *)(r10 - 8) = r0; r0 = cmpxchg_64(r10 - 8, r0, r1); r2 = *(u64 *)(r10 - 8); r0 ^= r2',
  '*(u64 *)(r10 - 8) = r0; r0 += 1; r0 = cmpxchg_64(r10 - 8, r0, r1); r2 = *(u64 *)(r10 - 8); r0 ^= r2',
  '*(u64 *)(r10 - 8) = r0; w0 = cmpxchg32_32(r10 - 8, w0, w1); r2 = *(u64 *)(r10 - 8); r0 ^= r2',
  '*(u64 *)(r10 - 8) = r1; w0 = cmpxchg32_32(r10 - 8, w0, w1); r2 = *(u64 *)(r10 - 8); r0 += r2',
  // may_goto falls through while its budget lasts.
  'r0 = 1; may_goto +1; r0 = 2',
  'r0 = 3; if r1 > 5 goto +1; gotol +1; r0 = 4',
];

export function aluProbeSource(): string {
  const cases = ALU_CASES.map(
    (c, i) =>
      `\tasm volatile("r0 = %[a]; r1 = %[b]; ${c.replace(/%/g, '%%')}; %[r] = r0" : [r]"=r"(r) : [a]"r"(a), [b]"r"(b) : "r0", "r1", "r2", "memory");\n\tres[${i}] = r;`,
  );
  return `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 res[${ALU_CASES.length}];

SEC("tc")
int alu(struct __sk_buff *skb)
{
	__u64 a, b, r;

	if (bpf_skb_load_bytes(skb, 14, &a, 8) || bpf_skb_load_bytes(skb, 22, &b, 8))
		return 1;
${cases.join('\n')}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

/** Interesting 64-bit operands: zero, ones, sign boundaries of every width, shift counts. */
export const EDGE_VALUES: readonly bigint[] = [
  0n, 1n, 2n, 3n, 5n, 7n, 31n, 32n, 33n, 63n, 64n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1_0000_0005n, 0x7fffffffffffffffn, 0x8000000000000000n,
  0xffffffffffffffffn, 0xfffffffffffffffdn, 0xfffffffffffffffbn, 0xffffffff80000000n, 0x123456789abcdef0n,
];

/** A 64-byte frame (local experimental EtherType) carrying a and b. */
export function aluFrame(a: bigint, b: bigint): Uint8Array {
  const p = new Uint8Array(64);
  p.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xb5]);
  const v = new DataView(p.buffer);
  v.setBigUint64(14, a, true);
  v.setBigUint64(22, b, true);
  return p;
}
