/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inline helpers shared by the Coppice programs: header parsing, checksum
 * arithmetic, address/port rewrites and the jhash used to spread sandboxes
 * over the SNAT pool.
 *
 * Parsing reads the packet directly once, into a struct pkt_info; every
 * later change goes through skb helpers with offsets. Helpers that change
 * the packet invalidate packet pointers, and re-deriving and re-checking them
 * after every rewrite is where -O1 and -mcpu=v1 builds lose the bounds the
 * verifier needs.
 */
#ifndef COPPICE_HELPERS_H
#define COPPICE_HELPERS_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "coppice_structs.h"
#include "coppice_config.h"

/* linux/if_arp.h and linux/icmp.h drag in libc headers; the values are ABI. */
#define CP_ARPHRD_ETHER 1
#define CP_ARPOP_REQUEST 1
#define CP_ARPOP_REPLY 2
#define CP_ICMP_ECHOREPLY 0
#define CP_ICMP_ECHO 8

#define CP_TCP_FIN 0x01
#define CP_TCP_SYN 0x02
#define CP_TCP_RST 0x04
#define CP_TCP_ACK 0x10

#define CP_IP_MF 0x2000
#define CP_IP_OFFMASK 0x1fff

/* pkt_info.frag bits */
#define PKT_FRAG_MORE 1
#define PKT_FRAG_LATER 2 /* not the first fragment: no L4 header */

#define IP_OFF_CSUM (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_OFF_SADDR (ETH_HLEN + offsetof(struct iphdr, saddr))
#define IP_OFF_DADDR (ETH_HLEN + offsetof(struct iphdr, daddr))

#define NSEC_PER_SEC 1000000000ULL

/* Ethernet/IPv4 ARP body; the uapi struct arphdr stops before the addresses. */
struct cp_arp_eth {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
};

struct cp_dnshdr {
	__be16 id;
	__be16 flags;
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};

/* Resource record after its owner name; TTL split so there is no padding. */
struct cp_dns_rr {
	__be16 type;
	__be16 class;
	__be16 ttl_hi;
	__be16 ttl_lo;
	__be16 rdlength;
};

#define DNS_PORT 53
#define DNS_QR 0x8000
#define DNS_OPCODE_MASK 0x7800
#define DNS_RCODE_MASK 0x000f
#define DNS_TYPE_A 1
#define DNS_CLASS_IN 1

/* ------------------------------------------------------------------ jhash */

/*
 * Bob Jenkins' lookup3 hashword() for a one-word key, written from the
 * published description: three lanes seeded with 0xdeadbeef + length*4 +
 * initval, the key added to lane a, then the final() mix.
 */
#define CP_JHASH_GOLDEN 0xdeadbeef

static __always_inline __u32 cp_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

static __always_inline __u32 cp_jhash_final(__u32 a, __u32 b, __u32 c)
{
	c ^= b;
	c -= cp_rol32(b, 14);
	a ^= c;
	a -= cp_rol32(c, 11);
	b ^= a;
	b -= cp_rol32(a, 25);
	c ^= b;
	c -= cp_rol32(b, 16);
	a ^= c;
	a -= cp_rol32(c, 4);
	b ^= a;
	b -= cp_rol32(a, 14);
	c ^= b;
	c -= cp_rol32(b, 24);
	return c;
}

static __always_inline __u32 cp_jhash_1word(__u32 k, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = CP_JHASH_GOLDEN + (1 << 2) + initval;
	a += k;
	return cp_jhash_final(a, b, c);
}

/* -------------------------------------------------------------- checksums */

static __always_inline __u16 cp_csum_fold(__u32 sum)
{
	/* Two folds absorb any carry a 32-bit sum of 16-bit words can hold. */
#pragma unroll
	for (int i = 0; i < 2; i++)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * RFC 1624 eqn. 3 for one 16-bit word: HC' = ~(~HC + ~m + m'). Works on the
 * words as they sit in the packet, so byte order does not matter.
 */
static __always_inline __u16 cp_csum_replace2(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old;
	sum += new;
	return cp_csum_fold(sum);
}

static __always_inline __u32 cp_l4_csum_off(const struct pkt_info *pi)
{
	switch (pi->proto) {
	case IPPROTO_TCP:
		return pi->l4_off + 16;
	case IPPROTO_UDP:
		return pi->l4_off + offsetof(struct udphdr, check);
	default:
		return pi->l4_off + 2;
	}
}

/* Flags for l4_csum_replace; a zero UDP checksum means "none" and must stay. */
static __always_inline __u64 cp_l4_csum_flags(const struct pkt_info *pi)
{
	return pi->proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
}

/* Does the frame carry a TCP or UDP header whose checksum covers addresses? */
static __always_inline int cp_has_pseudo_csum(const struct pkt_info *pi)
{
	if (pi->frag & PKT_FRAG_LATER)
		return 0;
	return pi->proto == IPPROTO_TCP || pi->proto == IPPROTO_UDP;
}

static __always_inline int cp_tcp_bare_syn(__u8 flags)
{
	return (flags & (CP_TCP_SYN | CP_TCP_ACK | CP_TCP_RST)) == CP_TCP_SYN;
}

/* ---------------------------------------------------------------- parsing */

/*
 * Fills pi from the IPv4 header behind an Ethernet header the caller has
 * already checked. The version/IHL byte and the TCP flags byte are read as
 * bytes: the uapi bitfields follow the host's bitfield order, which is wrong
 * for a bpfeb build made with x86 headers.
 */
static __always_inline int cp_parse_ipv4(struct __sk_buff *skb, struct pkt_info *pi)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u8 *l4;
	__u32 hlen;
	__u16 frag;

	if ((void *)(ip + 1) > data_end)
		return -1;
	if ((*(__u8 *)ip >> 4) != 4)
		return -1;
	hlen = (*(__u8 *)ip & 0x0f) << 2;
	if (hlen < sizeof(*ip))
		return -1;

	pi->saddr = ip->saddr;
	pi->daddr = ip->daddr;
	pi->proto = ip->protocol;
	pi->l4_off = ETH_HLEN + hlen;
	pi->sport = 0;
	pi->dport = 0;
	pi->tcp_flags = 0;
	pi->icmp_type = 0;
	pi->frag = 0;

	frag = bpf_ntohs(ip->frag_off);
	if (frag & CP_IP_MF)
		pi->frag |= PKT_FRAG_MORE;
	if (frag & CP_IP_OFFMASK) {
		pi->frag |= PKT_FRAG_LATER;
		return 0;
	}

	l4 = (__u8 *)ip + hlen;
	switch (pi->proto) {
	case IPPROTO_TCP:
		if (l4 + 20 > (__u8 *)data_end)
			return -1;
		pi->sport = *(__be16 *)l4;
		pi->dport = *(__be16 *)(l4 + 2);
		pi->tcp_flags = l4[13];
		break;
	case IPPROTO_UDP:
		if (l4 + sizeof(struct udphdr) > (__u8 *)data_end)
			return -1;
		pi->sport = *(__be16 *)l4;
		pi->dport = *(__be16 *)(l4 + 2);
		break;
	case IPPROTO_ICMP:
		if (l4 + 8 > (__u8 *)data_end)
			return -1;
		pi->icmp_type = l4[0];
		/* The echo identifier plays the part of the source port. */
		pi->sport = *(__be16 *)(l4 + 4);
		break;
	}
	return 0;
}

/* --------------------------------------------------------------- rewrites */

static __always_inline int cp_set_eth(struct __sk_buff *skb, __be32 dst1, __be16 dst2,
				      __be32 src1, __be16 src2)
{
	__u8 macs[2 * ETH_ALEN];

	__builtin_memcpy(&macs[0], &dst1, 4);
	__builtin_memcpy(&macs[4], &dst2, 2);
	__builtin_memcpy(&macs[6], &src1, 4);
	__builtin_memcpy(&macs[10], &src2, 2);
	return bpf_skb_store_bytes(skb, 0, macs, sizeof(macs), 0);
}

/* Replace an IPv4 address word (at ip_off) with from/to checksum updates. */
static __always_inline int cp_rewrite_ip4(struct __sk_buff *skb, const struct pkt_info *pi,
					  __u32 ip_off, __be32 old, __be32 new)
{
	if (cp_has_pseudo_csum(pi) &&
	    bpf_l4_csum_replace(skb, cp_l4_csum_off(pi), old, new,
				BPF_F_PSEUDO_HDR | cp_l4_csum_flags(pi) | sizeof(new)) < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, IP_OFF_CSUM, old, new, sizeof(new)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, ip_off, &new, sizeof(new), 0);
}

/*
 * Same, but from a bpf_csum_diff() delta: one diff feeds both the IP header
 * checksum and the L4 pseudo-header checksum.
 */
static __always_inline int cp_rewrite_ip4_diff(struct __sk_buff *skb, const struct pkt_info *pi,
					       __u32 ip_off, __be32 old, __be32 new)
{
	__s64 diff = bpf_csum_diff(&old, sizeof(old), &new, sizeof(new), 0);

	if (diff < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, IP_OFF_CSUM, 0, diff, 0) < 0)
		return -1;
	if (cp_has_pseudo_csum(pi) &&
	    bpf_l4_csum_replace(skb, cp_l4_csum_off(pi), 0, diff,
				BPF_F_PSEUDO_HDR | cp_l4_csum_flags(pi)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, ip_off, &new, sizeof(new), 0);
}

/* TCP/UDP port at port_off (l4_off for the source, l4_off + 2 for the dest). */
static __always_inline int cp_rewrite_port(struct __sk_buff *skb, const struct pkt_info *pi,
					   __u32 port_off, __be16 old, __be16 new)
{
	if (bpf_l4_csum_replace(skb, cp_l4_csum_off(pi), old, new,
				cp_l4_csum_flags(pi) | sizeof(new)) < 0)
		return -1;
	return bpf_skb_store_bytes(skb, port_off, &new, sizeof(new), 0);
}

/*
 * ICMP echo identifier. The checksum (offset 2) and the identifier (offset 4)
 * are adjacent, so both go back in one store.
 */
static __always_inline int cp_rewrite_icmp_id(struct __sk_buff *skb, const struct pkt_info *pi,
					      __be16 new_id)
{
	struct {
		__u16 check;
		__be16 id;
	} w;

	if (bpf_skb_load_bytes(skb, pi->l4_off + 2, &w, sizeof(w)) < 0)
		return -1;
	w.check = cp_csum_replace2(w.check, w.id, new_id);
	w.id = new_id;
	return bpf_skb_store_bytes(skb, pi->l4_off + 2, &w, sizeof(w), 0);
}

/* Source or destination transport identifier, whatever the protocol. */
static __always_inline int cp_rewrite_l4_id(struct __sk_buff *skb, const struct pkt_info *pi,
					    int dest, __be16 old, __be16 new)
{
	if (pi->proto == IPPROTO_ICMP)
		return cp_rewrite_icmp_id(skb, pi, new);
	return cp_rewrite_port(skb, pi, pi->l4_off + (dest ? 2 : 0), old, new);
}

#endif /* COPPICE_HELPERS_H */
