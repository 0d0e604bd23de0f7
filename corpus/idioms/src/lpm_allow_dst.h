#ifndef LPM_ALLOW_DST_H
#define LPM_ALLOW_DST_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ALLOW_DST_MAX 4096

/* LPM trie keys: prefix length in host order, then the address bytes
 * exactly as they sit in the packet. */
struct ipv4_lpm_key {
	__u32 prefixlen;
	__be32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u8);
	__uint(max_entries, ALLOW_DST_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} allow_dst SEC(".maps");

#endif
