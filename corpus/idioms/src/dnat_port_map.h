#ifndef DNAT_PORT_MAP_H
#define DNAT_PORT_MAP_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DNAT_RULES_MAX 1024

#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

/* Published port (network order) and protocol. */
struct dnat_key {
	__be16 port;
	__u8 proto;
	__u8 pad;
};

/* Inside server that really answers on it. */
struct dnat_target {
	__be32 addr;
	__be16 port;
	__u16 pad;
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct dnat_key);
	__type(value, struct dnat_target);
	__uint(max_entries, DNAT_RULES_MAX);
} dnat_rules SEC(".maps");

#endif
