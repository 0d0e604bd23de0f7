// SPDX-License-Identifier: GPL-2.0
/* Drop traffic towards blocked destination prefixes (sinkholed
 * networks, known C2 ranges). Everything else is left alone. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lpm_deny_dst.h"

SEC("tc")
int deny_dst_prefixes(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct deny_dst_key key = { .prefixlen = 32 };

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	__builtin_memcpy(key.addr, &ip->daddr, sizeof(key.addr));
	if (bpf_map_lookup_elem(&deny_dst, &key))
		return TC_ACT_SHOT;

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
