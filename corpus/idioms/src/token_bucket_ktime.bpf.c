// SPDX-License-Identifier: GPL-2.0
/* Per-source ping rate limit: each source address gets a token bucket
 * refilled from the monotonic clock. Everything that is not an ICMP echo
 * request is untouched. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "token_bucket_ktime.h"

SEC("tc")
int ping_rate_limit(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct icmp_common *icmp;
	struct tb_bucket *b;
	struct iphdr *ip;
	__u64 now, credit;
	__be32 saddr;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;
	icmp = (void *)ip + hlen;
	if ((void *)(icmp + 1) > data_end)
		return TC_ACT_OK;
	if (icmp->type != ICMP_ECHO)
		return TC_ACT_OK;

	saddr = ip->saddr;
	now = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&echo_buckets, &saddr);
	if (!b) {
		/* A new source starts with a full bucket minus this packet. */
		struct tb_bucket fresh = {
			.credit_ns = TB_CAP_NS - TB_COST_NS,
			.last_ns = now,
		};
		bpf_map_update_elem(&echo_buckets, &saddr, &fresh, BPF_ANY);
		return TC_ACT_OK;
	}

	/* Racy read-modify-write across CPUs is accepted: at worst a few
	 * extra pings get through. */
	credit = b->credit_ns + (now - b->last_ns);
	if (credit > TB_CAP_NS)
		credit = TB_CAP_NS;
	b->last_ns = now;
	if (credit < TB_COST_NS) {
		b->credit_ns = credit;
		return TC_ACT_SHOT;
	}
	b->credit_ns = credit - TB_COST_NS;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
