/* Several program sections, static and global subprograms in .text, and CO-RE
 * relocations: material for func_info, line_info and core_relo records. */
#include "probe.h"

struct pkt_meta {
	__u32 len;
	__u32 mark;
	__u16 proto;
} __attribute__((preserve_access_index));

static __attribute__((noinline)) int add_twice(int a, int b)
{
	int r = a + b;
	return r + b;
}

__attribute__((noinline)) int global_mix(int a)
{
	if (a > 10)
		return add_twice(a, 3);
	return a * 7;
}

SEC("tc")
int lines_tc(struct __sk_buff *skb)
{
	int v = global_mix(skb->len);
	if (skb->mark == 7)
		v += add_twice(v, 1);
	return v & 1;
}

SEC("xdp")
int lines_xdp(struct xdp_md *ctx)
{
	struct pkt_meta *m = (void *)(long)ctx->data;
	int a = m->mark;
	a += __builtin_preserve_field_info(m->proto, 2);
	a += sizeof(*m) + __builtin_preserve_type_info(*m, 1);
	return global_mix(a) ? 2 : 1;
}

SEC("tc/ingress")
int lines_second(struct __sk_buff *skb)
{
	return add_twice(skb->len, skb->mark) > 3 ? 0 : 2;
}

char LICENSE[] SEC("license") = "GPL";
