// SPDX-License-Identifier: GPL-2.0
/* Steer traffic for the lab network through the inspection appliance by
 * handing the frame straight to its port; everything else takes the
 * normal path. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "redirect_const_ifindex.h"

SEC("tc")
int steer_to_inspection(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	if ((ip->daddr & bpf_htonl(INSPECT_MASK)) == bpf_htonl(INSPECT_NET))
		return bpf_redirect(INSPECT_IFINDEX, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
