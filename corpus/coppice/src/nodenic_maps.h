/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps private to nodenic.bpf.c: its DNS tail-call chain and per-CPU scratch.
 * Kept in a header of declarations only, so `bpf2pf inspect --schema` can read
 * them as it reads coppice_maps.h.
 */
#ifndef NODENIC_MAPS_H
#define NODENIC_MAPS_H

#include "coppice_maps.h"

/* Slots of the DNS answer parser chain. */
#define WORLD_DNS_HDR 0
#define WORLD_DNS_QUESTION 1
#define WORLD_DNS_ANSWERS 2
#define WORLD_DNS_STAGES 3

int world_dns_hdr(struct __sk_buff *skb);
int world_dns_question(struct __sk_buff *skb);
int world_dns_answers(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	/* by size: the kernel refuses BTF key/value types on a PROG_ARRAY */
	__uint(key_size, sizeof(__u32));
	__uint(max_entries, WORLD_DNS_STAGES);
	__array(values, int (void *));
} world_dns_progs SEC(".maps") = {
	.values = {
		[WORLD_DNS_HDR] = (void *)&world_dns_hdr,
		[WORLD_DNS_QUESTION] = (void *)&world_dns_question,
		[WORLD_DNS_ANSWERS] = (void *)&world_dns_answers,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct world_scratch);
	__uint(max_entries, 1);
} world_percpu SEC(".maps");

#endif /* NODENIC_MAPS_H */
