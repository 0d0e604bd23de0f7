/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-host configuration. The loader rewrites these .rodata values before
 * load, so they are const volatile: the compiler must read them at run time
 * instead of folding the defaults below into the code.
 *
 * Addresses, ports and MAC halves are stored in network byte order whatever
 * the target's endianness, so that the bytes in .rodata are the bytes on the
 * wire (169.254.68.6 is the u32 0x0644fea9 on a little-endian host).
 */
#ifndef COPPICE_CONFIG_H
#define COPPICE_CONFIG_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>

#define COPPICE_IP4(a, b, c, d) \
	__bpf_constant_htonl(((__u32)(a) << 24) | ((__u32)(b) << 16) | \
			     ((__u32)(c) << 8) | (__u32)(d))
/* A MAC is split into its first four bytes (p1) and last two (p2). */
#define COPPICE_MAC_P1(a, b, c, d) COPPICE_IP4(a, b, c, d)
#define COPPICE_MAC_P2(e, f) __bpf_constant_htons(((__u16)(e) << 8) | (__u16)(f))

/* Inside every microVM. */
const volatile __be32 mvm_inner_ip = COPPICE_IP4(169, 254, 68, 6);
const volatile __be32 mvm_gateway_ip = COPPICE_IP4(169, 254, 68, 5);
const volatile __be32 mvm_macaddr_p1 = COPPICE_MAC_P1(0x20, 0x90, 0x6f, 0xfc);
const volatile __be16 mvm_macaddr_p2 = COPPICE_MAC_P2(0xfc, 0xfc);
/* What the sandbox sees as its gateway's MAC: proxy ARP answers with it. */
const volatile __be32 mvm_gateway_macaddr_p1 = COPPICE_MAC_P1(0xee, 0xff, 0xff, 0xff);
const volatile __be16 mvm_gateway_macaddr_p2 = COPPICE_MAC_P2(0xff, 0xff);

/* cube-dev, the host device where the gateway and the L7 proxy live. */
const volatile __be32 cubegw0_ip = COPPICE_IP4(203, 0, 113, 1);
const volatile __u32 cubegw0_ifindex = 216;
const volatile __be32 cubegw0_macaddr_p1 = COPPICE_MAC_P1(0x0e, 0xcb, 0x00, 0x71);
const volatile __be16 cubegw0_macaddr_p2 = COPPICE_MAC_P2(0x00, 0x01);

/* The host NIC and its next hop. */
const volatile __be32 nodenic_ip = COPPICE_IP4(9, 135, 10, 2);
const volatile __u32 nodenic_ifindex = 2;
const volatile __be32 nodenic_macaddr_p1 = COPPICE_MAC_P1(0x52, 0x54, 0x00, 0x0a);
const volatile __be16 nodenic_macaddr_p2 = COPPICE_MAC_P2(0x87, 0x02);
const volatile __be32 nodegw_macaddr_p1 = COPPICE_MAC_P1(0x52, 0x54, 0x00, 0x0a);
const volatile __be16 nodegw_macaddr_p2 = COPPICE_MAC_P2(0x87, 0x01);

/* SNAT port range handed out by the snat_iplist waterline (host order). */
const volatile __u16 snat_port_min = 30000;
const volatile __u16 snat_port_max = 65535;

/* How far ahead of now a paced packet may be scheduled before it drops. */
const volatile __u64 edt_horizon_ns = 2000000000ULL;

/* DNS learning: on/off, and the clamp applied to answer TTLs (seconds). */
const volatile __u32 dns_learning_enabled = 1;
const volatile __u32 dns_ttl_min_sec = 30;
const volatile __u32 dns_ttl_max_sec = 86400;

#endif /* COPPICE_CONFIG_H */
