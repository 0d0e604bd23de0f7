// SPDX-License-Identifier: GPL-2.0
/* Blocklist of abusive source prefixes, fed from threat-intel feeds for
 * both address families. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lpm_deny_src.h"

SEC("tc")
int deny_src_prefixes(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		struct deny4_key k4;

		if ((void *)(ip + 1) > data_end)
			return TC_ACT_OK;
		k4.prefixlen = 32;
		k4.addr = ip->saddr;
		if (bpf_map_lookup_elem(&deny_src4, &k4))
			return TC_ACT_SHOT;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct deny6_key k6;

		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_OK;
		k6.prefixlen = 128;
		__builtin_memcpy(k6.addr, &ip6->saddr, sizeof(k6.addr));
		if (bpf_map_lookup_elem(&deny_src6, &k6))
			return TC_ACT_SHOT;
	}

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
