// SPDX-License-Identifier: GPL-2.0
/* Ordered port-range rules (first match wins) kept in an array map and
 * evaluated with bpf_loop, so raising PORT_RANGES_MAX costs no verifier
 * complexity. Ports that match no rule are accepted. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpf_loop_ranges.h"

static long match_range(__u32 index, void *data)
{
	struct range_search *s = data;
	struct port_range *r;

	r = bpf_map_lookup_elem(&port_ranges, &index);
	if (!r || r->proto == 0)
		return 1;
	if (r->proto == s->proto && s->dport >= r->lo && s->dport <= r->hi) {
		s->verdict = r->action;
		return 1;
	}
	return 0;
}

SEC("tc")
int port_range_rules(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct range_search s = {};
	struct l4_ports *ports;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_SHOT;
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		return TC_ACT_SHOT;

	s.dport = bpf_ntohs(ports->dest);
	s.proto = ip->protocol;
	bpf_loop(PORT_RANGES_MAX, match_range, &s, 0);

	return s.verdict == RANGE_DROP ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
