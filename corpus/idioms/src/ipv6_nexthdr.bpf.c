// SPDX-License-Identifier: GPL-2.0
/* IPv6 hygiene at the edge: only packets whose first next-header is an
 * upper-layer protocol we serve are accepted. Extension headers
 * (hop-by-hop, routing, fragment, destination options) are refused
 * outright rather than parsed. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "ipv6_nexthdr.h"

SEC("tc")
int ipv6_nexthdr_check(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;

	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_SHOT;

	switch (ip6->nexthdr) {
	case NEXTHDR_TCP:
	case NEXTHDR_UDP:
	case NEXTHDR_ICMPV6:
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
