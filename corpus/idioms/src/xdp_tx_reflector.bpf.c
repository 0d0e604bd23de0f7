// SPDX-License-Identifier: GPL-2.0
/* Answer IPv4 pings in the driver: the echo request is turned into the
 * reply in place and bounced out of the port it came in on. Used on
 * anycast health-check addresses so that probes are answered even when
 * the host stack is overloaded. Everything else goes up the stack. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdp_tx_reflector.h"

SEC("xdp")
int xdp_ping_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct icmp_echo *icmp;
	struct iphdr *ip;
	__u8 mac[ETH_ALEN];
	__be32 addr;
	__u32 csum;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	/* Options would shift the ICMP header; leave those to the stack. */
	if (*(__u8 *)ip != 0x45 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end)
		return XDP_PASS;
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);

	/* Swapping the addresses leaves the IP header checksum valid. */
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->ttl = 64;
	ip->check = 0;
	csum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	ip->check = ~csum;

	/* Type 8 -> 0 lowers the first 16-bit word by 0x0800; RFC 1624
	 * incremental update of the ICMP checksum. */
	icmp->type = ICMP_ECHOREPLY;
	csum = (__u16)~icmp->checksum + (__u16)~bpf_htons(ICMP_ECHO << 8) +
	       bpf_htons(ICMP_ECHOREPLY << 8);
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	icmp->checksum = ~csum;

	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
