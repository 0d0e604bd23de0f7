// SPDX-License-Identifier: GPL-2.0
/* Admin-access policy whose knobs are set by the loader before the
 * object is loaded (.rodata, frozen), plus a runtime enforce switch and
 * a drop counter the agent reads (.data / .bss). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "rodata_config.h"

/* Defaults; the loader overrides them through the skeleton's rodata. */
const volatile __u16 cfg_admin_port = 22;
const volatile __be32 cfg_admin_net = bpf_htonl(0xc0000200);	/* 192.0.2.0 */
const volatile __be32 cfg_admin_mask = bpf_htonl(0xffffff00);	/* /24 */
const volatile __u8 cfg_allow_icmp = 1;

/* 1 = enforce, 0 = monitor only (count, never drop). Written at runtime
 * by the agent through the mmapped .data map. */
volatile __u32 enforce = 1;

__u64 admin_drops;

static __always_inline int drop(void)
{
	__sync_fetch_and_add(&admin_drops, 1);
	return enforce ? TC_ACT_SHOT : TC_ACT_OK;
}

SEC("tc")
int admin_access(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	if (ip->protocol == IPPROTO_ICMP)
		return cfg_allow_icmp ? TC_ACT_OK : drop();
	if (ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;

	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return drop();
	tcp = (void *)ip + hlen;
	if ((void *)(tcp + 1) > data_end)
		return drop();
	if (tcp->dest != bpf_htons(cfg_admin_port))
		return TC_ACT_OK;

	if ((ip->saddr & cfg_admin_mask) == cfg_admin_net)
		return TC_ACT_OK;
	return drop();
}

char LICENSE[] SEC("license") = "GPL";
