// SPDX-License-Identifier: GPL-2.0
/* Classification and enforcement are owned by different teams: the
 * classifier parses once and leaves its result in skb->cb[], and the
 * enforcement stage (tail-called) decides from cb[] alone without
 * re-parsing. If enforcement is not installed, traffic passes: the
 * classifier alone must never cut a host off. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "cb_tailcall_handoff.h"

SEC("tc")
int cb_enforce(struct __sk_buff *skb)
{
	switch (skb->cb[CB_CLASS]) {
	case CLASS_NOT_IPV4:
	case CLASS_WEB:
	case CLASS_DNS:
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

SEC("tc")
int cb_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct l4_ports *ports;
	struct iphdr *ip;
	__u32 class = CLASS_NOT_IPV4, dport = 0, hlen;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		goto out;
	ip = (void *)(eth + 1);
	class = CLASS_OTHER;
	if ((void *)(ip + 1) > data_end)
		goto out;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		goto out;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		goto out;
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		goto out;
	dport = bpf_ntohs(ports->dest);

	if (ip->protocol == IPPROTO_TCP && (dport == PORT_HTTP || dport == PORT_HTTPS))
		class = CLASS_WEB;
	else if (ip->protocol == IPPROTO_UDP && dport == PORT_DNS)
		class = CLASS_DNS;
out:
	skb->cb[CB_CLASS] = class;
	skb->cb[CB_DPORT] = dport;
	bpf_tail_call(skb, &handoff, SLOT_ENFORCE);
	return TC_ACT_OK;
}

__typeof__(handoff) handoff SEC(".maps") = {
	.values = {
		[SLOT_ENFORCE] = (void *)&cb_enforce,
	},
};

char LICENSE[] SEC("license") = "GPL";
