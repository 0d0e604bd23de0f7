#ifndef LRU_CONNTRACK_H
#define LRU_CONNTRACK_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define CT_FLOWS_MAX 65536
/* A flow not seen for two minutes no longer admits replies. */
#define CT_IDLE_TIMEOUT_NS 120000000000
#define PORT_SSH 22

/* Flow as seen from this host: local end first, both directions use
 * the same key. */
struct ct_key {
	__be32 local;
	__be32 remote;
	__be16 lport;
	__be16 rport;
	__u8 proto;
	__u8 pad[3];
};

struct ct_entry {
	__u64 last_seen_ns;
	__u64 packets_out;
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* LRU: under pressure the oldest flows are forgotten instead of new
 * ones being refused. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_FLOWS_MAX);
} ct_flows SEC(".maps");

#endif
