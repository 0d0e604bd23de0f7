// SPDX-License-Identifier: GPL-2.0
/* Layer-2 hygiene on an access port: only IPv4, IPv6 and well-formed
 * Ethernet/IPv4 ARP requests and replies get in. Everything else (STP,
 * LLDP, raw 802.3 frames, malformed or gratuitous-looking ARP with a
 * zero sender) is dropped before the stack sees it. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "arp_eth_classifier.h"

SEC("tc")
int l2_ethertype_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct arp_eth_ipv4 *arp;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;

	if (eth->h_proto == bpf_htons(ETH_P_IP) ||
	    eth->h_proto == bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_ARP))
		return TC_ACT_SHOT;

	arp = (void *)(eth + 1);
	if ((void *)(arp + 1) > data_end)
		return TC_ACT_SHOT;
	if (arp->htype != bpf_htons(ARPHRD_ETHER) ||
	    arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != ETH_ALEN || arp->plen != 4)
		return TC_ACT_SHOT;
	if (arp->oper != bpf_htons(ARPOP_REQUEST) &&
	    arp->oper != bpf_htons(ARPOP_REPLY))
		return TC_ACT_SHOT;
	/* A 0.0.0.0 sender is an address probe; the hosts here never
	 * need one and it is a favourite of ARP-scan tools. */
	if (arp->spa == 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
