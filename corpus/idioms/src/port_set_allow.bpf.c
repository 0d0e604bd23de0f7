// SPDX-License-Identifier: GPL-2.0
/* Service host ingress: TCP and UDP only reach the ports listed in
 * open_ports (same list for both protocols). Other IP protocols pass. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "port_set_allow.h"

SEC("tc")
int allow_open_ports(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	void *l4;
	__u16 dport;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;

	/* IHL comes from the raw first byte: the uapi iphdr bitfield order
	 * follows the x86 asm headers and would be wrong for bpfeb builds. */
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_SHOT;
	l4 = (void *)ip + hlen;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;

		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_SHOT;
		dport = bpf_ntohs(tcp->dest);
	} else {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > data_end)
			return TC_ACT_SHOT;
		dport = bpf_ntohs(udp->dest);
	}

	if (bpf_map_lookup_elem(&open_ports, &dport))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
