#include "probe.h"

SEC("tc") int branches(struct __sk_buff *skb) {
  __u32 s = 0;
#pragma clang loop unroll(disable)
  for (int i = 0; i < 16; i++) {
    if (skb->cb[i & 3] > (__u32)i)
      s += i;
    else
      s ^= i;
  }
  switch (skb->protocol) {
  case 0x0008: s += 1; break;
  case 0xdd86: s += 2; break;
  case 0x0608: s -= 3; break;
  case 17: s *= 5; break;
  case 6: s |= 0x100; break;
  case 1: s &= 0xff; break;
  case 58: s = 0; break;
  case 47: s += skb->len; break;
  default: s ^= 0x55;
  }
  if (skb->mark & 0x4) s++;
  if ((__s32)skb->mark < -5) s--;
  if (skb->len <= 100) s += 7;
  if ((__s64)skb->priority >= (__s64)skb->hash) s <<= 1;
  __u32 n = skb->len;
#pragma clang loop unroll(disable)
  while (n > 3) {
    n -= 3;
    if (n == 50) continue;
    if (n == 77) break;
    s += n;
  }
  return s > 1000 ? 2 : 0;
}
