// SPDX-License-Identifier: GPL-2.0
/* Same trunk policy for a NIC without VLAN offload (or with rx-vlan
 * offload turned off), where the 802.1Q header is still inside the
 * frame: users and voice VLANs may carry IPv4, IPv6 and ARP; other VLAN
 * IDs and stacked tags are dropped; untagged frames pass. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vlan_inpacket_8021q.h"

SEC("tc")
int vlan_allowed_inpacket(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct vlan_tag *tag;
	__u16 vid;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;
	if (eth->h_proto == bpf_htons(ETH_P_8021AD))
		return TC_ACT_SHOT;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return TC_ACT_OK;

	tag = (void *)(eth + 1);
	if ((void *)(tag + 1) > data_end)
		return TC_ACT_SHOT;

	vid = bpf_ntohs(tag->tci) & VLAN_VID_MASK;
	if (vid != VLAN_USERS && vid != VLAN_VOICE)
		return TC_ACT_SHOT;

	switch (tag->encap_proto) {
	case bpf_htons(ETH_P_IP):
	case bpf_htons(ETH_P_IPV6):
	case bpf_htons(ETH_P_ARP):
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
