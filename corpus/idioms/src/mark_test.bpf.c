// SPDX-License-Identifier: GPL-2.0
/* Egress enforcement that keys off marks applied elsewhere (iptables,
 * SO_MARK, another tc program): quarantined workloads are cut off,
 * the trusted agent is exempt, and nobody else may speak SMTP out. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "mark_test.h"

SEC("tc")
int enforce_marks(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__u32 mark = skb->mark;
	__u32 hlen;

	if (mark == MARK_QUARANTINE)
		return TC_ACT_SHOT;
	if (mark & MARK_TRUSTED_BIT)
		return TC_ACT_OK;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;
	tcp = (void *)ip + hlen;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (tcp->dest == bpf_htons(PORT_SMTP))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
