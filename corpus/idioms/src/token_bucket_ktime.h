#ifndef TOKEN_BUCKET_KTIME_H
#define TOKEN_BUCKET_KTIME_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NSEC_PER_SEC 1000000000
/* Echo requests per second per source, and how many may come at once. */
#define TB_RATE_PPS 10
#define TB_BURST 20
/* Credit is kept in nanoseconds: one packet costs 1/rate seconds. */
#define TB_COST_NS (NSEC_PER_SEC / TB_RATE_PPS)
#define TB_CAP_NS (TB_BURST * TB_COST_NS)
#define TB_SOURCES_MAX 65536

#define ICMP_ECHO 8

struct tb_bucket {
	__u64 credit_ns;
	__u64 last_ns;
};

struct icmp_common {
	__u8 type;
	__u8 code;
	__be16 checksum;
};

/* LRU so a spoofed-source flood cannot exhaust the table. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __be32);
	__type(value, struct tb_bucket);
	__uint(max_entries, TB_SOURCES_MAX);
} echo_buckets SEC(".maps");

#endif
