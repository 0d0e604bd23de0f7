// SPDX-License-Identifier: GPL-2.0
/* Attached on ingress of every sandbox tap device: a sandbox may only
 * reach the destinations in its own set. Taps without a set (not yet
 * provisioned, or already torn down) get nothing. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hom_ifindex_sets.h"

SEC("tc")
int sandbox_egress_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 ifindex = skb->ingress_ifindex;
	struct iphdr *ip;
	void *dests;
	__be32 daddr;

	dests = bpf_map_lookup_elem(&sandbox_dests, &ifindex);
	if (!dests)
		return TC_ACT_SHOT;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	/* The guest still needs ARP to find its gateway. */
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_SHOT;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;

	daddr = ip->daddr;
	if (bpf_map_lookup_elem(dests, &daddr))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
