// SPDX-License-Identifier: GPL-2.0
/* Ingress on a management port: only known source networks may talk to
 * us over IPv4. Non-IPv4 frames are not this program's business. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lpm_allow_src.h"

SEC("tc")
int allow_src_prefixes(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct src4_key key;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	/* A truncated IPv4 header cannot prove where it came from. */
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;

	key.prefixlen = 32;
	key.saddr = ip->saddr;
	if (!bpf_map_lookup_elem(&allow_src, &key))
		return TC_ACT_SHOT;

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
