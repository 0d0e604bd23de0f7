// SPDX-License-Identifier: GPL-2.0
/* Driver-level per-source port policy: a source with MODE_ALLOW may
 * only reach the ports set in its bitmap, a source with MODE_DENY may
 * reach all but those. Sources without an entry are not managed here
 * and pass, as does anything that is not TCP or UDP. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_src_port_bitmap.h"

SEC("xdp")
int xdp_src_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct l4_ports *ports;
	struct src_rule *rule;
	struct iphdr *ip;
	__be32 saddr;
	__u32 hlen;
	__u16 dport;
	int bit;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;

	saddr = ip->saddr;
	rule = bpf_map_lookup_elem(&src_rules, &saddr);
	if (!rule)
		return XDP_PASS;

	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return XDP_DROP;
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		return XDP_DROP;

	dport = bpf_ntohs(ports->dest);
	bit = (rule->ports[dport >> 6] >> (dport & 63)) & 1;

	if (rule->mode == MODE_ALLOW)
		return bit ? XDP_PASS : XDP_DROP;
	if (rule->mode == MODE_DENY)
		return bit ? XDP_DROP : XDP_PASS;
	/* An entry with an unknown mode is a control-plane bug; fail closed
	 * for that source rather than guess. */
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
