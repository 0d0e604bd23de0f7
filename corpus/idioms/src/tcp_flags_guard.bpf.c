// SPDX-License-Identifier: GPL-2.0
/* Drop TCP flag combinations no real stack sends: they are port scans
 * (NULL, Xmas) or attempts to confuse middleboxes (SYN+FIN, SYN+RST). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tcp_flags_guard.h"

SEC("tc")
int tcp_flags_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u8 *th;
	__u8 flags;
	__u32 hlen;

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
		return TC_ACT_SHOT;
	th = (void *)ip + hlen;
	if ((void *)(th + sizeof(struct tcphdr)) > data_end)
		return TC_ACT_OK;

	/* Flags are read as a byte rather than through the tcphdr
	 * bitfields, whose order depends on the host's asm headers. */
	flags = th[TCP_FLAGS_OFF];

	if ((flags & (TH_FIN | TH_SYN | TH_RST | TH_PUSH | TH_ACK | TH_URG)) == 0)
		return TC_ACT_SHOT;
	if ((flags & (TH_FIN | TH_PUSH | TH_URG)) == (TH_FIN | TH_PUSH | TH_URG))
		return TC_ACT_SHOT;
	if ((flags & (TH_SYN | TH_FIN)) == (TH_SYN | TH_FIN))
		return TC_ACT_SHOT;
	if ((flags & (TH_SYN | TH_RST)) == (TH_SYN | TH_RST))
		return TC_ACT_SHOT;

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
