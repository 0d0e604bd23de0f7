// SPDX-License-Identifier: GPL-2.0
/* Fixed edge policy for a small server: ssh and web over TCP, DNS and
 * NTP over UDP, ICMP for diagnostics; every other IPv4 packet dropped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "proto_port_const.h"

SEC("tc")
int edge_policy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;
	struct udphdr *udp;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;

	if (ip->protocol == IPPROTO_ICMP)
		return TC_ACT_OK;

	/* Later fragments carry no ports, so they cannot prove they belong
	 * to an allowed service. */
	if (ip->frag_off & bpf_htons(IP_FRAG_OFFSET_MASK))
		return TC_ACT_SHOT;

	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_SHOT;

	switch (ip->protocol) {
	case IPPROTO_TCP:
		tcp = (void *)ip + hlen;
		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_SHOT;
		if (tcp->dest == bpf_htons(PORT_SSH) ||
		    tcp->dest == bpf_htons(PORT_HTTP) ||
		    tcp->dest == bpf_htons(PORT_HTTPS))
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	case IPPROTO_UDP:
		udp = (void *)ip + hlen;
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_SHOT;
		if (udp->dest == bpf_htons(PORT_DNS) ||
		    udp->dest == bpf_htons(PORT_NTP))
			return TC_ACT_OK;
		return TC_ACT_SHOT;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
