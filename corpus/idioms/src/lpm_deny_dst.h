#ifndef LPM_DENY_DST_H
#define LPM_DENY_DST_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DENY_DST_MAX 16384

struct deny_dst_key {
	__u32 prefixlen;
	__u8 addr[4];
};

/* The value is the reason code shown to operators; the datapath only
 * cares whether a prefix matched. */
struct deny_dst_info {
	__u32 reason;
	__u32 added_by;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct deny_dst_key);
	__type(value, struct deny_dst_info);
	__uint(max_entries, DENY_DST_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} deny_dst SEC(".maps");

#endif
