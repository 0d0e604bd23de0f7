// SPDX-License-Identifier: GPL-2.0
/* Host-local fast path: packets for addresses we know are delivered
 * straight to the owning interface, skipping the routing stack. Unknown
 * destinations fall back to the stack. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "redirect_map_ifindex.h"

SEC("tc")
int redirect_by_dst(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct egress_target *t;
	struct iphdr *ip;
	__be32 daddr;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	daddr = ip->daddr;
	t = bpf_map_lookup_elem(&egress_routes, &daddr);
	if (!t)
		return TC_ACT_OK;

	/* Only the ingress bit is honoured: a stray value in flags must not
	 * turn into an invalid redirect that drops the packet. */
	return bpf_redirect(t->ifindex, t->flags & BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
