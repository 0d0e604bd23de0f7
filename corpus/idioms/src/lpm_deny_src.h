#ifndef LPM_DENY_SRC_H
#define LPM_DENY_SRC_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DENY_SRC4_MAX 65536
#define DENY_SRC6_MAX 16384

struct deny4_key {
	__u32 prefixlen;
	__be32 addr;
};

struct deny6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct deny4_key);
	__type(value, __u8);
	__uint(max_entries, DENY_SRC4_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_src4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct deny6_key);
	__type(value, __u8);
	__uint(max_entries, DENY_SRC6_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_src6 SEC(".maps");

#endif
