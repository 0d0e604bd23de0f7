// SPDX-License-Identifier: GPL-2.0
/* One object, one "tc" section, two programs: the loader attaches
 * ingress_guard to clsact ingress and egress_guard to clsact egress of
 * the same uplink. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "two_progs_one_sec.h"

static __always_inline struct tcphdr *tcp_header(struct __sk_buff *skb,
						 struct iphdr **ipp)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return NULL;
	if (ip->protocol != IPPROTO_TCP)
		return NULL;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return NULL;
	tcp = (void *)ip + hlen;
	if ((void *)(tcp + 1) > data_end)
		return NULL;
	*ipp = ip;
	return tcp;
}

/* Remote-console protocols are never exposed on the uplink. */
SEC("tc")
int ingress_guard(struct __sk_buff *skb)
{
	struct iphdr *ip;
	struct tcphdr *tcp = tcp_header(skb, &ip);

	if (!tcp)
		return TC_ACT_OK;
	if (tcp->dest == bpf_htons(PORT_TELNET) ||
	    tcp->dest == bpf_htons(PORT_RDP))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

/* Mail leaves only through the relay; direct-to-MX is how spambots on
 * compromised hosts get us blacklisted. */
SEC("tc")
int egress_guard(struct __sk_buff *skb)
{
	struct iphdr *ip;
	struct tcphdr *tcp = tcp_header(skb, &ip);

	if (!tcp)
		return TC_ACT_OK;
	if (tcp->dest != bpf_htons(PORT_SMTP))
		return TC_ACT_OK;
	if (ip->daddr == bpf_htonl(MAIL_RELAY_ADDR))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
