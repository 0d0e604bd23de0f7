#include "probe.h"

__u64 counter64;
__u32 counter32;
volatile __u64 out64;
volatile __u32 out32;

SEC("tc") int atomics(struct __sk_buff *skb) {
  __u64 d = skb->len;
  __u32 w = skb->mark;
  __sync_fetch_and_add(&counter64, d);
  __sync_fetch_and_add(&counter32, w);
#if PROBE_CPU >= 3
  out64 = __sync_fetch_and_add(&counter64, d);
  out32 = __sync_fetch_and_add(&counter32, w);
  __sync_fetch_and_or(&counter64, d);
  __sync_fetch_and_and(&counter32, w);
  __sync_fetch_and_xor(&counter64, d);
  out64 = __sync_fetch_and_or(&counter64, d);
  out64 = __sync_fetch_and_and(&counter64, d);
  out32 = __sync_fetch_and_xor(&counter32, w);
  out64 = __sync_lock_test_and_set(&counter64, d);
  out32 = __sync_lock_test_and_set(&counter32, w);
  out64 = __sync_val_compare_and_swap(&counter64, d, 7);
  out32 = __sync_val_compare_and_swap(&counter32, w, 9);
#endif
  return 0;
}
