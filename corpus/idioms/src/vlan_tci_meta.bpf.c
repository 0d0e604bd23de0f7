// SPDX-License-Identifier: GPL-2.0
/* Trunk port ingress with hardware VLAN offload: the tag has already
 * been moved out of the frame into skb metadata. Only the users and
 * voice VLANs are carried; untagged (native) traffic is accepted. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "vlan_tci_meta.h"

SEC("tc")
int vlan_allowed_meta(struct __sk_buff *skb)
{
	__u32 vid;

	if (!skb->vlan_present)
		return TC_ACT_OK;

	/* An 802.1ad outer tag means someone is trying to tunnel a QinQ
	 * stack through an access trunk. */
	if (skb->vlan_proto != bpf_htons(ETH_P_8021Q))
		return TC_ACT_SHOT;

	vid = skb->vlan_tci & VLAN_VID_MASK;
	if (vid == VLAN_USERS || vid == VLAN_VOICE)
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
