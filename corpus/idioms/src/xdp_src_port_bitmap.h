#ifndef XDP_SRC_PORT_BITMAP_H
#define XDP_SRC_PORT_BITMAP_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SRC_RULES_MAX 4096

/* What a set bit means for the source that owns the bitmap. */
#define MODE_ALLOW 1
#define MODE_DENY 2

/* One bit per destination port (host order): word = port / 64,
 * bit = port % 64. The same bitmap covers TCP and UDP. */
#define PORT_WORDS 1024

struct src_rule {
	__u32 mode;
	__u32 pad;
	__u64 ports[PORT_WORDS];
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* Exact IPv4 source address, network order. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, struct src_rule);
	__uint(max_entries, SRC_RULES_MAX);
} src_rules SEC(".maps");

#endif
