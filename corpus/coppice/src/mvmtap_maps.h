/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps private to mvmtap.bpf.c: its DNS tail-call chain and per-CPU scratch.
 * Kept in a header of declarations only, so `bpf2pf inspect --schema` can read
 * them as it reads coppice_maps.h.
 */
#ifndef MVMTAP_MAPS_H
#define MVMTAP_MAPS_H

#include "coppice_maps.h"

/* Slots of the DNS query parser chain. */
#define CUBE_DNS_HDR 0
#define CUBE_DNS_NAME 1
#define CUBE_DNS_MATCH 2
#define CUBE_DNS_STAGES 3

int cube_dns_hdr(struct __sk_buff *skb);
int cube_dns_name(struct __sk_buff *skb);
int cube_dns_match(struct __sk_buff *skb);

/*
 * The query parser is split over tail calls so that each stage's bounded
 * loop is verified on its own, not multiplied by every path of from_cube.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	/* by size: the kernel refuses BTF key/value types on a PROG_ARRAY */
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, CUBE_DNS_STAGES);
	__array(values, int (void *));
} cube_dns_progs SEC(".maps") = {
	.values = {
		[CUBE_DNS_HDR] = (void *)&cube_dns_hdr,
		[CUBE_DNS_NAME] = (void *)&cube_dns_name,
		[CUBE_DNS_MATCH] = (void *)&cube_dns_match,
	},
};

/* Carries the parsed frame and the query name across the tail calls. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct cube_scratch);
	__uint(max_entries, 1);
} cube_percpu SEC(".maps");

#endif /* MVMTAP_MAPS_H */
