#ifndef SNAT_SESSION_H
#define SNAT_SESSION_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* Inside network 10.0.0.0/8 is hidden behind 198.51.100.1 (host order). */
#define NAT_INTERNAL_NET 0x0a000000
#define NAT_INTERNAL_MASK 0xff000000
#define NAT_EXTERNAL_ADDR 0xc6336401

/* External ports handed out round-robin from 20000..29999. */
#define NAT_PORT_MIN 20000
#define NAT_PORT_COUNT 10000

#define NAT_SESSIONS_MAX 65536

#define IP_FRAG_OFFSET_MASK 0x1fff
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6

/* Outbound 5-tuple as the inside host sent it. */
struct nat_flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct nat_binding {
	__be16 ext_port;
	__u16 pad;
	__u32 pad2;
	__u64 last_seen_ns;
};

/* Reply direction as seen on the wire: remote end plus our external
 * port identify the session. */
struct nat_rev_key {
	__be32 raddr;
	__be16 rport;
	__be16 ext_port;
	__u8 proto;
	__u8 pad[3];
};

struct nat_orig {
	__be32 saddr;
	__be16 sport;
	__u16 pad;
};

struct nat_port_cursor {
	__u32 next;
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct nat_flow_key);
	__type(value, struct nat_binding);
	__uint(max_entries, NAT_SESSIONS_MAX);
} nat_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct nat_rev_key);
	__type(value, struct nat_orig);
	__uint(max_entries, NAT_SESSIONS_MAX);
} nat_reverse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct nat_port_cursor);
	__uint(max_entries, 1);
} nat_ports SEC(".maps");

#endif
