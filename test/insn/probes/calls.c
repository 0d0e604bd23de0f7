#include "probe.h"

struct {
  __uint(type, 3); /* BPF_MAP_TYPE_PROG_ARRAY */
  __uint(max_entries, 4);
  __type(key, __u32);
  __type(value, __u32);
} jmp_table SEC(".maps");

extern int bpf_probe_kfunc(int x) __ksym;

static NOINLINE int helper_static(int x) { return x * 7 + 1; }

NOINLINE int global_fn(int x) { return x ^ 0x55; }

static NOINLINE SEC("tc") int in_section(int x) { return x > 10 ? x - 10 : x + 3; }

static int loop_cb(__u32 idx, void *ctx) {
  *(int *)ctx += idx;
  return idx > 5;
}

SEC("tc") int caller(struct __sk_buff *skb) {
  int v = skb->len;
  bpf_tail_call(skb, &jmp_table, skb->mark & 3);
  bpf_loop(8, loop_cb, &v, 0);
  if (skb->mark == 99)
    v += bpf_probe_kfunc(v);
  v += helper_static(v) + global_fn(v) + in_section(v);
  return v & 1 ? 2 : 0;
}

SEC("tc") int only_tail(struct __sk_buff *skb) {
  bpf_tail_call(skb, &jmp_table, 0);
  return 2;
}
