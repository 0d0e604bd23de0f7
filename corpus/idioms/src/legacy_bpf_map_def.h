#ifndef LEGACY_BPF_MAP_DEF_H
#define LEGACY_BPF_MAP_DEF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define UDP_DENY_MAX 1024
/* XDP_ABORTED .. XDP_REDIRECT */
#define XDP_ACTION_SLOTS 5

/* libbpf's pre-1.0 map definition (20 bytes), as older XDP programs
 * were written; libbpf 1.x headers dropped it. */
struct bpf_map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

/* UDP destination ports to drop, host byte order. */
struct bpf_map_def SEC("maps") udp_deny_ports = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u16),
	.value_size = sizeof(__u8),
	.max_entries = UDP_DENY_MAX,
};

/* Packets per XDP verdict, per CPU. */
struct bpf_map_def SEC("maps") xdp_verdicts = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = XDP_ACTION_SLOTS,
};

#endif
