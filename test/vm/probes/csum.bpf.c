// SPDX-License-Identifier: GPL-2.0
/* Checksum helpers on an Ethernet/IPv4/TCP or UDP frame (IP at 14, L4 at 34). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

__u64 res[40];

#define IP_CSUM 24
#define IP_SADDR 26
#define IP_DADDR 30

static __always_inline int l4_csum_off(struct __sk_buff *skb)
{
	__u8 proto = 0;

	bpf_skb_load_bytes(skb, 23, &proto, 1);
	return proto == 17 ? 40 : 50;
}

SEC("tc")
int csum(struct __sk_buff *skb)
{
	__u32 old = 0, new = 0x0900000a, w[4] = {};
	__u16 oldp = 0, newp = 0x5000;
	int l4 = l4_csum_off(skb);
	__s64 d;

	res[0] = bpf_skb_load_bytes(skb, IP_SADDR, &old, 4);
	res[1] = bpf_l4_csum_replace(skb, l4, old, new, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | 4);
	res[2] = bpf_l3_csum_replace(skb, IP_CSUM, old, new, 4);
	res[3] = bpf_skb_store_bytes(skb, IP_SADDR, &new, 4, 0);
	bpf_skb_load_bytes(skb, 34, &oldp, 2);
	res[4] = bpf_l4_csum_replace(skb, l4, oldp, newp, BPF_F_MARK_MANGLED_0 | 2);
	res[5] = bpf_skb_store_bytes(skb, 34, &newp, 2, BPF_F_RECOMPUTE_CSUM);
	bpf_skb_load_bytes(skb, IP_DADDR, &old, 4);
	new = old ^ 0x01020304;
	d = bpf_csum_diff(&old, 4, &new, 4, 0);
	res[6] = d;
	res[7] = bpf_l3_csum_replace(skb, IP_CSUM, 0, d, 0);
	res[8] = bpf_l4_csum_replace(skb, l4, 0, d, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0);
	res[9] = bpf_skb_store_bytes(skb, IP_DADDR, &new, 4, 0);
	res[10] = bpf_l3_csum_replace(skb, 25, 0, 0, 2);
	res[11] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, 3);
	res[12] = bpf_l3_csum_replace(skb, IP_CSUM, 1, 2, 0);
	res[13] = bpf_l4_csum_replace(skb, 2000, 0, 0, 2);
	res[14] = bpf_l3_csum_replace(skb, IP_CSUM, 0, 0, 0x100);
	res[15] = bpf_l4_csum_replace(skb, l4, 0, 0, 0x200);
	bpf_skb_load_bytes(skb, 14, w, 16);
	res[16] = bpf_csum_diff(w, 8, 0, 0, 0x12345678);
	res[17] = bpf_csum_diff(0, 0, w, 16, 0xdeadbeef);
	res[18] = bpf_csum_diff(w, 4, &w[1], 12, 7);
	res[19] = bpf_csum_diff(w, 16, w, 16, 0);
	res[20] = bpf_csum_diff(0, 0, 0, 0, 0xffffffff);
	res[21] = bpf_csum_diff(0, 0, 0, 0, 0);
	w[0] = 0xffffffff;
	res[22] = bpf_csum_diff(w, 4, 0, 0, 0);
	w[1] = 0;
	res[23] = bpf_csum_diff(0, 0, &w[1], 4, 0);
	res[24] = bpf_csum_update(skb, 5);
	res[25] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	res[26] = bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	res[27] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	res[28] = bpf_csum_level(skb, BPF_CSUM_LEVEL_INC);
	res[29] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	res[30] = bpf_csum_level(skb, BPF_CSUM_LEVEL_DEC);
	res[31] = bpf_csum_level(skb, BPF_CSUM_LEVEL_RESET);
	res[32] = bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY);
	res[33] = bpf_csum_level(skb, 9);
	return 0;
}

/* Forces the L4 checksum to a value the replacement turns into 0 (MARK_MANGLED_0 makes it 0xffff). */
SEC("tc")
int mangled(struct __sk_buff *skb)
{
	__u16 sum = 0, zero = 0;
	int l4 = l4_csum_off(skb);

	bpf_skb_load_bytes(skb, l4, &sum, 2);
	if (skb->mark == 1) {
		res[0] = bpf_skb_store_bytes(skb, l4, &zero, 2, 0);
		res[1] = bpf_l4_csum_replace(skb, l4, 0x1111, 0x2222, BPF_F_MARK_MANGLED_0 | 2);
		res[2] = bpf_l4_csum_replace(skb, l4, 0x1111, 0x2222, BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2);
	} else {
		res[0] = bpf_l4_csum_replace(skb, l4, 0, sum, BPF_F_MARK_MANGLED_0 | 2);
		res[1] = bpf_l4_csum_replace(skb, l4, 0, 0, 2);
		res[2] = bpf_l3_csum_replace(skb, IP_CSUM, 0x4500, 0x4500, 2);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
