// SPDX-License-Identifier: GPL-2.0
/*
 * Idiom: reading the packet through kernel functions (kfuncs) instead of
 * direct packet access. A dynptr over the skb and a slice of it replace the
 * data/data_end bounds dance; the calls are relocations against undefined
 * symbols in .ksyms that the loader resolves against the kernel's BTF.
 *
 * Policy: drop IPv6 frames, pass everything else.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "kfunc_dynptr_read.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;

SEC("tc")
int drop_ipv6_by_dynptr(struct __sk_buff *skb)
{
	struct bpf_dynptr ptr;
	struct kd_ethhdr copy;
	struct kd_ethhdr *eth;

	if (bpf_dynptr_from_skb(skb, 0, &ptr))
		return TC_ACT_OK;
	/* The slice points into the packet, or into `copy` when the header is not linear. */
	eth = bpf_dynptr_slice(&ptr, 0, &copy, sizeof(copy));
	if (!eth)
		return TC_ACT_OK;
	return eth->proto == bpf_htons(KD_ETH_P_IPV6) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
