// SPDX-License-Identifier: GPL-2.0
/* Masquerade for a small site router: TCP and UDP from the inside
 * network leave with the external address and a port from a session
 * table; replies are mapped back through the reverse table. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "snat_session.h"

#define IP_CSUM_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, check))
#define IP_SADDR_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, saddr))
#define IP_DADDR_OFF (ETH_HLEN + __builtin_offsetof(struct iphdr, daddr))

static __always_inline int parse_l4(struct __sk_buff *skb, struct iphdr **ipp,
				    struct l4_ports **portsp, __u32 *l4_off)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct l4_ports *ports;
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
	ports = (void *)ip + hlen;
	if ((void *)(ports + 1) > data_end)
		return -1;
	*ipp = ip;
	*portsp = ports;
	*l4_off = ETH_HLEN + hlen;
	return 0;
}

static __always_inline __u32 l4_csum_off(__u8 proto, __u32 l4_off)
{
	return l4_off + (proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF);
}

static __always_inline __u64 l4_csum_flags(__u8 proto)
{
	/* A zero UDP checksum means "none" and must stay zero. */
	return proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
}

SEC("tc")
int snat_egress(struct __sk_buff *skb)
{
	__be32 ext_addr = bpf_htonl(NAT_EXTERNAL_ADDR);
	struct nat_flow_key key = {};
	struct nat_rev_key rkey = {};
	struct nat_orig orig = {};
	struct nat_binding *b;
	struct nat_binding nb = {};
	struct nat_port_cursor *cur;
	struct l4_ports *ports;
	struct iphdr *ip;
	__u32 l4_off;
	__be32 old_saddr;
	__be16 old_sport, ext_port;
	__u32 zero = 0, n, csum_off;
	__u64 fl;
	__u8 proto;

	if (parse_l4(skb, &ip, &ports, &l4_off))
		return TC_ACT_OK;
	if ((ip->saddr & bpf_htonl(NAT_INTERNAL_MASK)) != bpf_htonl(NAT_INTERNAL_NET))
		return TC_ACT_OK;
	/* Without ports a later fragment cannot be matched to a session. */
	if (ip->frag_off & bpf_htons(IP_FRAG_OFFSET_MASK))
		return TC_ACT_SHOT;

	proto = ip->protocol;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = ports->source;
	key.dport = ports->dest;
	key.proto = proto;

	b = bpf_map_lookup_elem(&nat_sessions, &key);
	if (b) {
		b->last_seen_ns = bpf_ktime_get_ns();
		ext_port = b->ext_port;
	} else {
		cur = bpf_map_lookup_elem(&nat_ports, &zero);
		if (!cur)
			return TC_ACT_SHOT;
		n = __sync_fetch_and_add(&cur->next, 1);
		ext_port = bpf_htons(NAT_PORT_MIN + n % NAT_PORT_COUNT);

		nb.ext_port = ext_port;
		nb.last_seen_ns = bpf_ktime_get_ns();
		if (bpf_map_update_elem(&nat_sessions, &key, &nb, BPF_NOEXIST))
			return TC_ACT_SHOT;

		rkey.raddr = key.daddr;
		rkey.rport = key.dport;
		rkey.ext_port = ext_port;
		rkey.proto = proto;
		orig.saddr = key.saddr;
		orig.sport = key.sport;
		if (bpf_map_update_elem(&nat_reverse, &rkey, &orig, BPF_ANY)) {
			bpf_map_delete_elem(&nat_sessions, &key);
			return TC_ACT_SHOT;
		}
	}

	old_saddr = key.saddr;
	old_sport = key.sport;
	csum_off = l4_csum_off(proto, l4_off);
	fl = l4_csum_flags(proto);

	/* Checksums first: the store helpers invalidate packet pointers,
	 * and everything needed has been copied out already. */
	bpf_l4_csum_replace(skb, csum_off, old_saddr, ext_addr,
			    fl | BPF_F_PSEUDO_HDR | sizeof(ext_addr));
	bpf_l4_csum_replace(skb, csum_off, old_sport, ext_port, fl | sizeof(ext_port));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_saddr, ext_addr, sizeof(ext_addr));
	bpf_skb_store_bytes(skb, IP_SADDR_OFF, &ext_addr, sizeof(ext_addr), 0);
	bpf_skb_store_bytes(skb, l4_off, &ext_port, sizeof(ext_port), 0);
	return TC_ACT_OK;
}

SEC("tc")
int snat_ingress(struct __sk_buff *skb)
{
	struct nat_rev_key rkey = {};
	struct nat_orig *o;
	struct l4_ports *ports;
	struct iphdr *ip;
	__u32 l4_off;
	__be32 old_daddr, new_daddr;
	__be16 old_dport, new_dport;
	__u32 csum_off;
	__u64 fl;
	__u8 proto;

	if (parse_l4(skb, &ip, &ports, &l4_off))
		return TC_ACT_OK;
	if (ip->daddr != bpf_htonl(NAT_EXTERNAL_ADDR))
		return TC_ACT_OK;

	proto = ip->protocol;
	rkey.raddr = ip->saddr;
	rkey.rport = ports->source;
	rkey.ext_port = ports->dest;
	rkey.proto = proto;

	/* No session: traffic for the router itself. */
	o = bpf_map_lookup_elem(&nat_reverse, &rkey);
	if (!o)
		return TC_ACT_OK;

	old_daddr = ip->daddr;
	old_dport = ports->dest;
	new_daddr = o->saddr;
	new_dport = o->sport;
	csum_off = l4_csum_off(proto, l4_off);
	fl = l4_csum_flags(proto);

	bpf_l4_csum_replace(skb, csum_off, old_daddr, new_daddr,
			    fl | BPF_F_PSEUDO_HDR | sizeof(new_daddr));
	bpf_l4_csum_replace(skb, csum_off, old_dport, new_dport, fl | sizeof(new_dport));
	bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_daddr, new_daddr, sizeof(new_daddr));
	bpf_skb_store_bytes(skb, IP_DADDR_OFF, &new_daddr, sizeof(new_daddr), 0);
	bpf_skb_store_bytes(skb, l4_off + __builtin_offsetof(struct l4_ports, dest),
			    &new_dport, sizeof(new_dport), 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
