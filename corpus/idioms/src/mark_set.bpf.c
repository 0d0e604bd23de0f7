// SPDX-License-Identifier: GPL-2.0
/* Ingress classifier: label management ssh and DNS with fwmarks so the
 * policy routing rules can send them over the out-of-band link. It
 * marks and never drops. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mark_set.h"

SEC("tc")
int mark_mgmt_traffic(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;

	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)ip + hlen;

		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		if (tcp->dest == bpf_htons(PORT_SSH))
			skb->mark = MARK_SSH;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)ip + hlen;

		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		if (udp->dest == bpf_htons(PORT_DNS))
			skb->mark = MARK_DNS;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
