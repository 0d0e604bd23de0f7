#ifndef PINNED_BLOCKLIST_H
#define PINNED_BLOCKLIST_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define BLOCKLIST_MAX 65536

/* Pinned by name so that every object attached on this host (and the
 * agent that feeds it) shares one blocklist under /sys/fs/bpf. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __u32);
	__uint(max_entries, BLOCKLIST_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} idiom_blocklist SEC(".maps");

#endif
