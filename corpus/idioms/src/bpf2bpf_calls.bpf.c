// SPDX-License-Identifier: GPL-2.0
/* Web-server ingress policy written as real functions instead of one
 * inlined blob: a static parser, a static bogon check and a global
 * port-policy function that the verifier checks on its own (so it can
 * later be replaced with freplace without reloading the entry). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpf2bpf_calls.h"

static __noinline int parse_flow4(struct __sk_buff *skb, struct flow4 *f)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct udphdr *l4;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return -1;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return -1;

	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->proto = ip->protocol;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;

	/* Source and destination ports sit at the same offsets in TCP and
	 * UDP, so the UDP layout serves both. */
	l4 = (void *)ip + hlen;
	if ((void *)(l4 + 1) > data_end)
		return -1;
	f->sport = bpf_ntohs(l4->source);
	f->dport = bpf_ntohs(l4->dest);
	return 0;
}

/* Sources that can never be legitimate on a public interface. */
static __noinline int is_bogon_source(__be32 saddr)
{
	__u32 a = bpf_ntohl(saddr);

	if ((a & 0xff000000) == 0x00000000 ||	/* 0.0.0.0/8 */
	    (a & 0xff000000) == 0x7f000000 ||	/* 127.0.0.0/8 */
	    (a & 0xffff0000) == 0xa9fe0000 ||	/* 169.254.0.0/16 */
	    (a & 0xf0000000) == 0xe0000000)	/* 224.0.0.0/4 */
		return 1;
	return 0;
}

__noinline int port_policy(__u32 proto, __u32 dport)
{
	if (proto == IPPROTO_TCP)
		return (dport == PORT_HTTP || dport == PORT_HTTPS) ? TC_ACT_OK : TC_ACT_SHOT;
	if (proto == IPPROTO_UDP)
		return dport == PORT_DNS ? TC_ACT_OK : TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int web_ingress(struct __sk_buff *skb)
{
	struct flow4 f = {};

	if (parse_flow4(skb, &f))
		return TC_ACT_OK;
	if (is_bogon_source(f.saddr))
		return TC_ACT_SHOT;
	return port_policy(f.proto, f.dport);
}

char LICENSE[] SEC("license") = "GPL";
