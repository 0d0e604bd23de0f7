// SPDX-License-Identifier: GPL-2.0
/* Quarantine single hosts: nothing from them and nothing to them.
 * Hits are counted per host so operators can see who is still trying. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "hash_blocked_hosts.h"

static __always_inline int account(struct blocked_host_stats *st, __u32 len)
{
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);
	return TC_ACT_SHOT;
}

SEC("tc")
int block_hosts(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct blocked_host_stats *st;
	struct iphdr *ip;
	__be32 addr;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	addr = ip->saddr;
	st = bpf_map_lookup_elem(&blocked_hosts, &addr);
	if (st)
		return account(st, skb->len);

	addr = ip->daddr;
	st = bpf_map_lookup_elem(&blocked_hosts, &addr);
	if (st)
		return account(st, skb->len);

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
