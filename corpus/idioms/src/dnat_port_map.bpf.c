// SPDX-License-Identifier: GPL-2.0
/* Port forwarding on the uplink: a published TCP/UDP port is rewritten
 * to the inside server and port the control plane configured. Ports
 * without a rule are delivered unchanged. The reply direction is
 * handled by a separate egress program, not part of this object. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "dnat_port_map.h"

#define IP_CSUM_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, check))
#define IP_DADDR_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, daddr))

SEC("tc")
int dnat_published_ports(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct dnat_key key = {};
	struct dnat_target *t;
	struct l4_ports *ports;
	struct iphdr *ip;
	__be32 old_addr, new_addr;
	__be16 old_port, new_port;
	__u32 hlen, l4_off, csum_off;
	__u64 fl = 0;

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
		return TC_ACT_OK;
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		return TC_ACT_OK;

	key.port = ports->dest;
	key.proto = ip->protocol;
	t = bpf_map_lookup_elem(&dnat_rules, &key);
	if (!t)
		return TC_ACT_OK;

	old_addr = ip->daddr;
	old_port = ports->dest;
	new_addr = t->addr;
	new_port = t->port;
	l4_off = ETH_HLEN + hlen;
	if (key.proto == IPPROTO_TCP) {
		csum_off = l4_off + TCP_CSUM_OFF;
	} else {
		csum_off = l4_off + UDP_CSUM_OFF;
		fl = BPF_F_MARK_MANGLED_0;
	}

	bpf_l4_csum_replace(skb, csum_off, old_addr, new_addr,
			    fl | BPF_F_PSEUDO_HDR | sizeof(new_addr));
	bpf_l4_csum_replace(skb, csum_off, old_port, new_port, fl | sizeof(new_port));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_addr, new_addr, sizeof(new_addr));
	bpf_skb_store_bytes(skb, IP_DADDR_OFF, &new_addr, sizeof(new_addr), 0);
	bpf_skb_store_bytes(skb, l4_off + __builtin_offsetof(struct l4_ports, dest),
			    &new_port, sizeof(new_port), 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
