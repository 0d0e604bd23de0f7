#ifndef REDIRECT_MAP_IFINDEX_H
#define REDIRECT_MAP_IFINDEX_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EGRESS_ROUTES_MAX 4096

struct egress_target {
	__u32 ifindex;
	__u32 flags;
};

/* Exact destination address (network order) to the port that serves it;
 * flags is either 0 (egress) or BPF_F_INGRESS for local delivery into a
 * container's veth. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct egress_target);
	__uint(max_entries, EGRESS_ROUTES_MAX);
} egress_routes SEC(".maps");

#endif
