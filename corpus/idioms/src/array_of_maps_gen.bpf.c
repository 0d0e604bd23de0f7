// SPDX-License-Identifier: GPL-2.0
/* Source deny list with atomic replacement through an array of maps.
 * If the generation slot is empty (agent restarting), traffic passes:
 * an empty deny list and a missing one mean the same thing. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "array_of_maps_gen.h"

SEC("tc")
int deny_current_generation(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 zero = 0, gen;
	__u32 *active;
	void *set;
	__be32 saddr;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	active = bpf_map_lookup_elem(&deny_active, &zero);
	if (!active)
		return TC_ACT_OK;
	gen = *active & (GENERATIONS - 1);

	set = bpf_map_lookup_elem(&deny_generations, &gen);
	if (!set)
		return TC_ACT_OK;

	saddr = ip->saddr;
	if (bpf_map_lookup_elem(set, &saddr))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

__typeof__(deny_generations) deny_generations SEC(".maps") = {
	.values = { (void *)&deny_gen0, (void *)&deny_gen1 },
};

char LICENSE[] SEC("license") = "GPL";
