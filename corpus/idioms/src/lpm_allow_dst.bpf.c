// SPDX-License-Identifier: GPL-2.0
/* Egress allow-list: hosts behind this interface may only reach the
 * destination prefixes the control plane has put in allow_dst. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lpm_allow_dst.h"

SEC("tc")
int allow_dst_only(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct ipv4_lpm_key key;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;

	/* ARP must keep working or nothing resolves its next hop; IPv6 is
	 * not offered on this segment at all. */
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_SHOT;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;

	key.prefixlen = 32;
	key.addr = ip->daddr;
	if (bpf_map_lookup_elem(&allow_dst, &key))
		return TC_ACT_OK;

	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
