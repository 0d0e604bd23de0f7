// SPDX-License-Identifier: GPL-2.0
/* Stealth host: a connection attempt (SYN) to a port where no local
 * socket would take it is dropped silently, so scanners see no RST and
 * cannot tell closed ports from filtered ones. Established traffic and
 * everything that is not a bare SYN are left alone. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sk_lookup_listener.h"

SEC("tc")
int drop_syn_no_listener(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	struct tcphdr *tcp;
	struct iphdr *ip;
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
		return TC_ACT_OK;
	tcp = (void *)ip + hlen;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;

	flags = ((__u8 *)tcp)[TCP_FLAGS_OFF];
	if ((flags & (TH_SYN | TH_ACK)) != TH_SYN)
		return TC_ACT_OK;

	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = tcp->dest;

	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_SHOT;
	/* The reference must be dropped on every path or the verifier
	 * rejects the program. */
	bpf_sk_release(sk);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
