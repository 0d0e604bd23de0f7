#ifndef SPIN_LOCK_POLICER_H
#define SPIN_LOCK_POLICER_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NSEC_PER_SEC 1000000000
/* 100 Mbit/s shared by all inbound UDP, with a 256 KiB burst. */
#define POLICER_BYTES_PER_SEC 12500000
#define POLICER_BURST_BYTES 262144

struct udp_policer {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tokens;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct udp_policer);
	__uint(max_entries, 1);
} udp_policer SEC(".maps");

#endif
