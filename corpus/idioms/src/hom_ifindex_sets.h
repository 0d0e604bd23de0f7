#ifndef HOM_IFINDEX_SETS_H
#define HOM_IFINDEX_SETS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SANDBOXES_MAX 256
#define SANDBOX_DESTS_MAX 1024

/* One inner set per sandbox, keyed by the ifindex of its tap device.
 * Each inner set holds the destination IPv4 addresses (network order)
 * that sandbox may reach. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, SANDBOXES_MAX);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __be32);
		__type(value, __u8);
		__uint(max_entries, SANDBOX_DESTS_MAX);
	});
} sandbox_dests SEC(".maps");

#endif
