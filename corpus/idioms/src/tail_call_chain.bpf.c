// SPDX-License-Identifier: GPL-2.0
/* A parser pipeline split into tail-called stages so each stays small
 * and can be replaced on its own: dispatch on EtherType, then per-family
 * stages, then a TCP stage. If a stage is missing the packet is dropped:
 * a half-installed pipeline must not let traffic through unchecked. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tail_call_chain.h"

static __always_inline struct iphdr *ipv4_header(struct __sk_buff *skb, __u32 *hlen)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return NULL;
	*hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (*hlen < sizeof(*ip))
		return NULL;
	return ip;
}

SEC("tc")
int stage_tcp4(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__u32 hlen;

	ip = ipv4_header(skb, &hlen);
	if (!ip)
		return TC_ACT_SHOT;
	tcp = (void *)ip + hlen;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	if (tcp->dest == bpf_htons(PORT_TELNET))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int stage_ipv4(struct __sk_buff *skb)
{
	void *data_end = (void *)(long)skb->data_end;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 hlen;

	ip = ipv4_header(skb, &hlen);
	if (!ip)
		return TC_ACT_SHOT;

	if (ip->protocol == IPPROTO_TCP) {
		bpf_tail_call(skb, &stages, STAGE_TCP4);
		return TC_ACT_SHOT;
	}
	if (ip->protocol == IPPROTO_UDP) {
		udp = (void *)ip + hlen;
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_SHOT;
		if (udp->dest == bpf_htons(PORT_CHARGEN))
			return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

SEC("tc")
int stage_ipv6(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	struct udphdr *udp;

	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_SHOT;
	if (ip6->nexthdr != IPPROTO_UDP)
		return TC_ACT_OK;
	udp = (void *)(ip6 + 1);
	if ((void *)(udp + 1) > data_end)
		return TC_ACT_SHOT;
	if (udp->dest == bpf_htons(PORT_CHARGEN))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int pipeline_entry(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_SHOT;

	if (eth->h_proto == bpf_htons(ETH_P_IP))
		bpf_tail_call(skb, &stages, STAGE_IPV4);
	else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		bpf_tail_call(skb, &stages, STAGE_IPV6);
	else
		return TC_ACT_OK;

	return TC_ACT_SHOT;
}

/* Re-declares the map from the header with its initial slots; the
 * header keeps only the layout. */
__typeof__(stages) stages SEC(".maps") = {
	.values = {
		[STAGE_IPV4] = (void *)&stage_ipv4,
		[STAGE_IPV6] = (void *)&stage_ipv6,
		[STAGE_TCP4] = (void *)&stage_tcp4,
	},
};

char LICENSE[] SEC("license") = "GPL";
