#ifndef PORT_SET_ALLOW_H
#define PORT_SET_ALLOW_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define OPEN_PORTS_MAX 256

/* Keyed by destination port in host byte order, so operators can write
 * plain numbers with bpftool; the value is unused (set semantics). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, __u8);
	__uint(max_entries, OPEN_PORTS_MAX);
} open_ports SEC(".maps");

#endif
