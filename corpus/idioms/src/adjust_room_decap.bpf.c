// SPDX-License-Identifier: GPL-2.0
/* Terminate IP-in-IP tunnels in tc instead of an ipip netdevice: for
 * packets to our tunnel endpoint the outer IPv4 header is cut out and
 * the inner packet continues up the stack as if it had arrived bare. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "adjust_room_decap.h"

SEC("tc")
int ipip_decap(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *outer, *inner;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return TC_ACT_OK;
	if (outer->protocol != IPPROTO_IPIP ||
	    outer->daddr != bpf_htonl(TUNNEL_LOCAL_ADDR))
		return TC_ACT_OK;

	/* From here on the packet is ours: anything malformed is dropped
	 * rather than delivered as an undecapsulated tunnel packet. */
	if (*(__u8 *)outer != IPV4_VIHL_NO_OPTIONS)
		return TC_ACT_SHOT;
	inner = outer + 1;
	if ((void *)(inner + 1) > data_end)
		return TC_ACT_SHOT;
	if ((*(__u8 *)inner >> 4) != 4)
		return TC_ACT_SHOT;

	if (bpf_skb_adjust_room(skb, -(int)sizeof(struct iphdr), BPF_ADJ_ROOM_MAC, 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
