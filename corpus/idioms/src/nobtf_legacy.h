#ifndef NOBTF_LEGACY_H
#define NOBTF_LEGACY_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* This object is built without -g, so it carries no BTF: the layouts
 * below are the only description of the map keys and values. */

#define NB_RULES_MAX 2048

#define NB_ACTION_PASS 0
#define NB_ACTION_DROP 1

struct bpf_map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

/* Destination address (network order) and IP protocol. */
struct nb_key {
	__be32 daddr;
	__u8 proto;
	__u8 pad[3];
};

struct nb_verdict {
	__u32 action;
	__u32 pad;
	__u64 hits;
};

struct bpf_map_def SEC("maps") nb_rules = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct nb_key),
	.value_size = sizeof(struct nb_verdict),
	.max_entries = NB_RULES_MAX,
};

#endif
