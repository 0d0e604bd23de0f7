// SPDX-License-Identifier: GPL-2.0
/* Built for an old toolchain pipeline that strips debug info: per
 * (destination, protocol) rules, each either passing or dropping, with
 * a hit counter the agent scrapes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nobtf_legacy.h"

SEC("classifier")
int nb_dst_proto_filter(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct nb_key key = {};
	struct nb_verdict *v;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	v = bpf_map_lookup_elem(&nb_rules, &key);
	if (!v)
		return TC_ACT_OK;

	__sync_fetch_and_add(&v->hits, 1);
	return v->action == NB_ACTION_DROP ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
