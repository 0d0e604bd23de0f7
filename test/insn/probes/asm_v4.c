#include "probe.h"

/* Instructions clang emits only from inline assembly; built for -mcpu=v4 only. */
SEC("tc") int asm_v4(struct __sk_buff *skb) {
  __u32 n = 0;
#if PROBE_CPU >= 4
  asm volatile goto("may_goto %l[done]" :::: done);
  n = skb->len;
  asm volatile("gotol +1\n\t"
               "r0 = 5\n\t"
               "r0 = bswap16 r0\n\t"
               "w0 = (s8)w0\n\t"
               "r0 = (s32)r0\n\t"
               "r0 = *(s16 *)(r10 - 8)\n\t"
               "*(u64 *)(r10 - 16) = 7\n\t"
               "r0 s/= 3\n\t"
               "w0 s%%= w0\n\t" ::: "r0");
done:
#endif
  return n;
}
