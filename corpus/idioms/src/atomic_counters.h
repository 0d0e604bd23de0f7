#ifndef ATOMIC_COUNTERS_H
#define ATOMIC_COUNTERS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Slots 0..255 are IPv4 protocol numbers; slot 256 counts every frame
 * that is not IPv4. */
#define SLOT_NOT_IPV4 256
#define COUNTER_SLOTS 257

struct traffic_counter {
	__u64 packets;
	__u64 bytes;
};

/* One shared array rather than a per-CPU one so the exporter can read
 * totals without summing CPUs; updates are atomic adds. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct traffic_counter);
	__uint(max_entries, COUNTER_SLOTS);
} proto_counters SEC(".maps");

#endif
