// SPDX-License-Identifier: GPL-2.0
/* Copy every DNS query that reaches our resolver to the analytics port.
 * The original is always delivered; a failed copy is not our problem. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "clone_redirect_mirror.h"

SEC("tc")
int mirror_dns_queries(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct udphdr *l4;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;
	/* The destination port is at the same offset in TCP and UDP. */
	l4 = (void *)ip + hlen;
	if ((void *)(l4 + 1) > data_end)
		return TC_ACT_OK;

	if (l4->dest == bpf_htons(PORT_DNS))
		bpf_clone_redirect(skb, MIRROR_IFINDEX, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
