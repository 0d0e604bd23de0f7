#ifndef LPM_ALLOW_SRC_H
#define LPM_ALLOW_SRC_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ALLOW_SRC_MAX 1024

struct src4_key {
	__u32 prefixlen;
	__be32 saddr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct src4_key);
	__type(value, __u32);
	__uint(max_entries, ALLOW_SRC_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} allow_src SEC(".maps");

#endif
