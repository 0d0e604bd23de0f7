#ifndef BPF_LOOP_RANGES_H
#define BPF_LOOP_RANGES_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PORT_RANGES_MAX 16

#define RANGE_PASS 1
#define RANGE_DROP 2

/* One ordered rule: ports in host order, inclusive. Rules are packed
 * from slot 0; the first slot with proto 0 ends the list. */
struct port_range {
	__u16 lo;
	__u16 hi;
	__u8 proto;
	__u8 action;
	__u16 pad;
};

/* State shared between the program and its bpf_loop callback. */
struct range_search {
	__u16 dport;
	__u8 proto;
	__u8 verdict;
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct port_range);
	__uint(max_entries, PORT_RANGES_MAX);
} port_ranges SEC(".maps");

#endif
