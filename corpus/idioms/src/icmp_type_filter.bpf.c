// SPDX-License-Identifier: GPL-2.0
/* Keep ping, traceroute and PMTU discovery working and drop the rest of
 * ICMP (redirects, timestamp and address-mask requests, ...). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "icmp_type_filter.h"

SEC("tc")
int icmp_types(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct icmp_common *icmp;
	struct iphdr *ip;
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
		return TC_ACT_SHOT;
	icmp = (void *)ip + hlen;
	if ((void *)(icmp + 1) > data_end)
		return TC_ACT_SHOT;

	switch (icmp->type) {
	case ICMP_ECHOREPLY:
	case ICMP_DEST_UNREACH:
	case ICMP_ECHO:
	case ICMP_TIME_EXCEEDED:
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
