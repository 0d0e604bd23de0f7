// SPDX-License-Identifier: GPL-2.0
/* Old-style XDP filter: drop UDP to the listed ports (memcached,
 * chargen, SSDP reflection and the like) and count every verdict. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "legacy_bpf_map_def.h"

static __always_inline int verdict(__u32 action)
{
	__u64 *cnt = bpf_map_lookup_elem(&xdp_verdicts, &action);

	if (cnt)
		*cnt += 1;	/* per-CPU slot: no atomic needed */
	return action;
}

SEC("xdp")
int xdp_udp_port_deny(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 hlen;
	__u16 dport;

	if ((void *)(eth + 1) > data_end)
		return verdict(XDP_PASS);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return verdict(XDP_PASS);
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return verdict(XDP_PASS);
	if (ip->protocol != IPPROTO_UDP)
		return verdict(XDP_PASS);
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return verdict(XDP_DROP);
	udp = (void *)ip + hlen;
	if ((void *)(udp + 1) > data_end)
		return verdict(XDP_DROP);

	dport = bpf_ntohs(udp->dest);
	if (bpf_map_lookup_elem(&udp_deny_ports, &dport))
		return verdict(XDP_DROP);
	return verdict(XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
