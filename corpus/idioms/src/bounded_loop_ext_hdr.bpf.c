// SPDX-License-Identifier: GPL-2.0
/* Telnet must not get in over IPv6 even when the TCP header hides behind
 * extension headers. The chain is walked with a bounded loop; a chain
 * longer than we are willing to walk is dropped, since nothing benign
 * sends one. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bounded_loop_ext_hdr.h"

SEC("tc")
int ipv6_telnet_guard(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct tcphdr *tcp;
	void *cur;
	__u8 nh;
	int i;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return TC_ACT_OK;
	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > data_end)
		return TC_ACT_OK;

	nh = ip6->nexthdr;
	cur = ip6 + 1;

	/* Kept as a real loop (not unrolled) so the program stays small;
	 * the verifier walks each iteration of the bounded loop. */
#pragma clang loop unroll(disable)
	for (i = 0; i < MAX_EXT_HDRS; i++) {
		if (nh == NEXTHDR_FRAGMENT) {
			struct frag_hdr *fh = cur;

			if ((void *)(fh + 1) > data_end)
				return TC_ACT_SHOT;
			/* Only the first fragment carries the TCP header; the
			 * rest follow its fate in reassembly. */
			if (fh->frag_off & bpf_htons(IP6_FRAG_OFFSET_MASK))
				return TC_ACT_OK;
			nh = fh->nexthdr;
			cur = fh + 1;
		} else if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING ||
			   nh == NEXTHDR_DEST) {
			struct ext_hdr *eh = cur;

			if ((void *)(eh + 1) > data_end)
				return TC_ACT_SHOT;
			nh = eh->nexthdr;
			cur += (eh->hdrlen + 1) * 8;
		} else {
			break;
		}
	}
	if (i == MAX_EXT_HDRS)
		return TC_ACT_SHOT;

	if (nh != NEXTHDR_TCP)
		return TC_ACT_OK;
	tcp = cur;
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	if (tcp->dest == bpf_htons(PORT_TELNET))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
