// SPDX-License-Identifier: GPL-2.0
/* The classic "tc filter add dev eth0 ingress bpf da obj x.o" blocker:
 * sources in the globally pinned blocked_src map are dropped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "legacy_elf_map.h"

SEC("classifier")
int cls_blocked_src(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 zero = 0;
	__u64 *drops;
	__be32 saddr;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	saddr = ip->saddr;
	if (!bpf_map_lookup_elem(&blocked_src, &saddr))
		return TC_ACT_OK;

	drops = bpf_map_lookup_elem(&blocked_drops, &zero);
	if (drops)
		__sync_fetch_and_add(drops, 1);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
