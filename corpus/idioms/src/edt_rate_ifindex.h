#ifndef EDT_RATE_IFINDEX_H
#define EDT_RATE_IFINDEX_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NSEC_PER_SEC 1000000000
/* Packets that would have to wait longer than this are dropped instead
 * of filling the fq qdisc's queue. */
#define EDT_HORIZON_NS 2000000000
#define EDT_IFACES_MAX 64

/* Shaping rate per egress interface, in bytes per second. */
struct edt_rate {
	__u64 bytes_per_sec;
};

struct edt_clock {
	__u64 next_departure_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct edt_rate);
	__uint(max_entries, EDT_IFACES_MAX);
} edt_rates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct edt_clock);
	__uint(max_entries, EDT_IFACES_MAX);
} edt_clocks SEC(".maps");

#endif
