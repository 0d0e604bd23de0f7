#include "probe.h"

struct key { __u32 addr; __u16 port; __u16 pad; };
struct val { __u64 packets, bytes; };

struct {
  __uint(type, 1); /* BPF_MAP_TYPE_HASH */
  __uint(max_entries, 1024);
  __type(key, struct key);
  __type(value, struct val);
} flows SEC(".maps");

const volatile __u32 cfg_ifindex = 216;
const volatile __u64 cfg_big = 0xfedcba9876543210ull;
__u32 data_var = 5;
__u64 bss_var;

SEC("tc") int globals(struct __sk_buff *skb) {
  struct key k = { .addr = skb->hash, .port = (__u16)skb->mark };
  struct val *v = bpf_map_lookup_elem(&flows, &k);
  if (!v) {
    struct val init = { 1, skb->len };
    bpf_map_update_elem(&flows, &k, &init, 1);
  } else {
    v->packets++;
    v->bytes += skb->len;
  }
  bss_var += cfg_big;
  data_var++;
  if (skb->len > 1500) {
    static const char fmt[] = "big %u\n";
    bpf_trace_printk(fmt, sizeof(fmt), skb->len);
  }
  __u16 port = __builtin_bswap16(8080);
  bpf_skb_store_bytes(skb, 36, &port, 2, 1);
  return bpf_redirect(cfg_ifindex, 0);
}
