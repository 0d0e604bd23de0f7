// SPDX-License-Identifier: GPL-2.0
/* Egress classifier: turn DSCP markings set by applications into
 * skb->priority so the qdisc can queue voice ahead of bulk traffic.
 * It never drops. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "dscp_priority.h"

SEC("tc")
int dscp_to_priority(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u8 dscp;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	/* The low two TOS bits are ECN and say nothing about the class. */
	dscp = ip->tos >> 2;
	switch (dscp) {
	case DSCP_EF:
		skb->priority = PRIO_VOICE;
		break;
	case DSCP_AF41:
		skb->priority = PRIO_VIDEO;
		break;
	case DSCP_CS1:
		skb->priority = PRIO_BULK;
		break;
	default:
		break;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
