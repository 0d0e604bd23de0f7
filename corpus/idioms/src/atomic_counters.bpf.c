// SPDX-License-Identifier: GPL-2.0
/* Accounting only: count packets and bytes per IPv4 protocol for the
 * metrics exporter. Never changes the packet's fate. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "atomic_counters.h"

SEC("tc")
int count_by_proto(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct traffic_counter *c;
	struct iphdr *ip;
	__u32 slot = SLOT_NOT_IPV4;

	if ((void *)(eth + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) <= data_end)
			slot = ip->protocol;
	}

	c = bpf_map_lookup_elem(&proto_counters, &slot);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
