// SPDX-License-Identifier: GPL-2.0
/* Stateful firewall in two tc programs on the same uplink: egress
 * remembers every TCP/UDP flow this host starts, ingress lets in only
 * replies to remembered flows plus new ssh connections. Non-TCP/UDP
 * traffic is not tracked and passes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lru_conntrack.h"

static __always_inline int parse(struct __sk_buff *skb, struct iphdr **ipp,
				 struct l4_ports **pp)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	__u32 hlen;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return -1;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return -1;
	hlen = (*(__u8 *)ip & 0x0f) * 4;
	if (hlen < sizeof(*ip))
		return -1;
	*pp = (void *)ip + hlen;
	if ((void *)(*pp + 1) > data_end)
		return -1;
	*ipp = ip;
	return 0;
}

SEC("tc")
int ct_egress(struct __sk_buff *skb)
{
	struct ct_key key = {};
	struct ct_entry fresh = {};
	struct ct_entry *e;
	struct l4_ports *ports;
	struct iphdr *ip;
	__u64 now;

	if (parse(skb, &ip, &ports))
		return TC_ACT_OK;

	key.local = ip->saddr;
	key.remote = ip->daddr;
	key.lport = ports->source;
	key.rport = ports->dest;
	key.proto = ip->protocol;

	now = bpf_ktime_get_ns();
	e = bpf_map_lookup_elem(&ct_flows, &key);
	if (e) {
		e->last_seen_ns = now;
		__sync_fetch_and_add(&e->packets_out, 1);
	} else {
		fresh.last_seen_ns = now;
		fresh.packets_out = 1;
		bpf_map_update_elem(&ct_flows, &key, &fresh, BPF_ANY);
	}
	return TC_ACT_OK;
}

SEC("tc")
int ct_ingress(struct __sk_buff *skb)
{
	struct ct_key key = {};
	struct l4_ports *ports;
	struct ct_entry *e;
	struct iphdr *ip;
	__u64 now;

	if (parse(skb, &ip, &ports))
		return TC_ACT_OK;

	key.local = ip->daddr;
	key.remote = ip->saddr;
	key.lport = ports->dest;
	key.rport = ports->source;
	key.proto = ip->protocol;

	e = bpf_map_lookup_elem(&ct_flows, &key);
	if (e) {
		now = bpf_ktime_get_ns();
		if (now - e->last_seen_ns <= CT_IDLE_TIMEOUT_NS) {
			e->last_seen_ns = now;
			return TC_ACT_OK;
		}
	}

	if (ip->protocol == IPPROTO_TCP && ports->dest == bpf_htons(PORT_SSH))
		return TC_ACT_OK;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
