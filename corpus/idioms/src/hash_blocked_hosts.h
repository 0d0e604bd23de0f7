#ifndef HASH_BLOCKED_HOSTS_H
#define HASH_BLOCKED_HOSTS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BLOCKED_HOSTS_MAX 8192

struct blocked_host_stats {
	__u64 packets;
	__u64 bytes;
};

/* Exact IPv4 host addresses, key in network byte order. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct blocked_host_stats);
	__uint(max_entries, BLOCKED_HOSTS_MAX);
} blocked_hosts SEC(".maps");

#endif
