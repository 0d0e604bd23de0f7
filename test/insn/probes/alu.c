#include "probe.h"

volatile __u64 sink64;
volatile __u32 sink32;
volatile __s64 ssink;

SEC("tc") int alu_ops(struct __sk_buff *skb) {
  __u64 a = skb->len, b = skb->mark | 1;
  __u32 x = skb->priority, y = skb->hash | 1;
  __s64 sa = (__s64)(__s32)skb->len - 100;
  __s32 sx = (__s32)x - 7;
  sink64 = a + b; sink64 = a - b; sink64 = a * b; sink64 = a / b; sink64 = a % b;
  sink64 = a & b; sink64 = a | b; sink64 = a ^ b; sink64 = a << (b & 63); sink64 = a >> (b & 63);
  ssink = sa >> (b & 63); sink64 = -a;
  sink32 = x + y; sink32 = x - y; sink32 = x * y; sink32 = x / y; sink32 = x % y;
  sink32 = x & y; sink32 = x | y; sink32 = x ^ y; sink32 = x << (y & 31); sink32 = x >> (y & 31);
  ssink = sx >> (y & 31); sink32 = -x;
  sink64 = a + 12345; sink64 = a * 3; sink64 = a / 7; sink64 = a % 10; sink64 = a << 3;
  ssink = sa >> 2; sink32 = x ^ 0xff; sink32 = x - 0x7fffffff; sink64 = a & 0xffffffff00ull;
  sink64 = 0x1234567890abcdefull; sink64 = -0x80000000ll; sink32 = -1;
  sink32 = __builtin_bswap16((__u16)x); sink32 = __builtin_bswap32(x); sink64 = __builtin_bswap64(a);
  ssink = (__s64)(__s8)a; ssink = (__s64)(__s16)a; ssink = (__s64)(__s32)a;
  ssink = (__s32)(__s8)x; ssink = (__s32)(__s16)x;
#if PROBE_CPU >= 4
  ssink = sa / (__s64)b; ssink = sa % (__s64)b; ssink = sx / (__s32)y; ssink = sx % (__s32)y;
  ssink = sa / -3; ssink = sx % 5;
#endif
  volatile __s8 c8 = (__s8)x;
  volatile __s16 c16 = (__s16)x;
  volatile __s32 c32 = (__s32)x;
  volatile __u8 u8 = 200;
  ssink = c8 + c16 + c32 + u8;
  return (int)(a + x);
}
