/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts of every map key and value the Coppice dataplane shares with its
 * user-space agent. The agent writes these byte for byte, so nothing here may
 * change size or offset without a matching agent release.
 *
 * This header is also read by bpf2pf's own schema parser: keep it to plain
 * struct definitions and integer #defines (no functions, no other macros).
 */
#ifndef COPPICE_STRUCTS_H
#define COPPICE_STRUCTS_H

#include <linux/types.h>
#include <linux/bpf.h>

#define MVM_UUID_LEN 64
#define DNS_NAME_MAX 128

/*
 * Flag bits carried in the u32 value of an allow_out entry. Zero is a plain
 * allow. The agent sets ALLOW_F_L7 for destinations that may only be reached
 * through the host's transparent proxy; ALLOW_F_LEARNED marks /32 entries the
 * DNS learner inserted, the only ones it may refresh and that the agent
 * expires through dns_allow_expiry.
 */
#define ALLOW_F_L7 1
#define ALLOW_F_LEARNED 0x80000000

/* skb->mark values the transparent proxy on cube-dev keys its rules on. */
#define L7_MARK_MASK 0xFFFF0000
#define L7_MARK_HTTP 0xCE010000
#define L7_MARK_HTTPS 0xCE020000

/*
 * nat_session.state. TCP follows the kernel conntrack numbering so the
 * agent's reaper can share its timeout table; UDP and ICMP reuse the field.
 */
#define CT_TCP_NONE 0
#define CT_TCP_SYN_SENT 1
#define CT_TCP_SYN_RECV 2
#define CT_TCP_ESTABLISHED 3
#define CT_TCP_FIN_WAIT 4
#define CT_TCP_CLOSE_WAIT 5
#define CT_TCP_LAST_ACK 6
#define CT_TCP_TIME_WAIT 7
#define CT_TCP_CLOSE 8
#define CT_UDP_UNREPLIED 1
#define CT_UDP_REPLIED 2
#define CT_ICMP_ACTIVE 1

/* nat_session.active_close: who sent the first FIN. */
#define CT_CLOSER_NONE 0
#define CT_CLOSER_SANDBOX 1
#define CT_CLOSER_REMOTE 2

/* One registered sandbox, keyed by its TAP ifindex. 128 bytes. */
struct mvm_meta {
	__u32 version;
	__be32 ip;
	__u8 uuid[MVM_UUID_LEN];
	__u8 reserved[56];
};

/* A forwarded port: where a host port lands inside a sandbox. 8 bytes. */
struct mvm_port {
	__u32 ifindex;
	__be16 listen_port;
	__u16 reserved;
};

/*
 * 5-tuple of a NATed flow plus the sandbox incarnation, so a recycled TAP
 * ifindex never inherits its predecessor's sessions. Ports in network order;
 * for ICMP echo the identifier stands in for the sandbox-side port.
 * 20 bytes, no implicit padding (it is hashed byte for byte).
 */
struct session_key {
	__be32 src_ip;
	__be32 dst_ip;
	__be16 src_port;
	__be16 dst_port;
	__u32 version;
	__u8 protocol;
	__u8 reserved[3];
};

/* Connection-tracking entry on the sandbox side. 64 bytes. */
struct nat_session {
	__u64 access_time;
	__u32 node_ifindex;
	__be32 node_ip;
	__u32 vm_ifindex;
	__be32 vm_ip;
	__be16 node_port;
	__be16 vm_port;
	__u8 state;
	__u8 active_close;
	__u8 reserved[34];
};

/* Reverse entry, keyed by the external side of a flow. 16 bytes. */
struct ingress_session {
	__u32 version;
	__be32 vm_ip;
	__be16 vm_port;
	__u16 reserved[3];
};

/* One SNAT address with its port waterline (host order). 16 bytes. */
struct snat_ip {
	struct bpf_spin_lock lock;
	__u32 ifindex;
	__be32 ip;
	__u16 max_port;
	__u16 reserved;
};

/* Key of the allow_out / deny_out inner tries: prefixlen in host order. */
struct lpm_v4_key {
	__u32 prefixlen;
	__be32 ip;
};

/*
 * Per-sandbox egress rate. The agent writes bytes_per_sec (0 = unlimited);
 * the datapath owns the departure clock and the drop counter.
 */
struct mvm_rate {
	__u64 bytes_per_sec;
	__u64 next_departure_ns;
	__u64 dropped;
};

/*
 * Key of a per-sandbox domain trie: the query name as ".www.example.com",
 * lower case, byte-reversed ("moc.elpmaxe.www."), so that one prefix entry
 * "moc.elpmaxe." covers the domain and all its subdomains but not
 * "badexample.com".
 */
struct dns_name_key {
	__u32 prefixlen;
	__u8 name[DNS_NAME_MAX];
};

/* A DNS query in flight, by TAP, sandbox-side source port and DNS id. */
struct dns_pending_key {
	__u32 ifindex;
	__be16 port;
	__be16 id;
};

/* The query name travels with it so learned addresses can be attributed. */
struct dns_pending {
	__u64 created_ns;
	__u32 flags;
	__u32 reserved;
	struct dns_name_key qname;
	__u32 reserved2;
};

/*
 * A learned allow_out entry: the TAP and the exact trie key, so the agent's
 * reaper can delete the /32 without rebuilding the key.
 */
struct allow_expiry_key {
	__u32 ifindex;
	struct lpm_v4_key addr;
};

/*
 * When it runs out (bpf_ktime_get_ns clock) and which query taught it, so
 * withdrawing a domain can withdraw what was learned through it.
 */
struct dns_learned {
	__u64 expires_ns;
	struct dns_name_key qname;
	__u32 reserved;
};

/* What the parser learned about a frame; handed across tail calls. */
struct pkt_info {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u16 l4_off;
	__u8 proto;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 frag;
	__u16 reserved;
	__u32 ifindex;
	__be32 vm_ip;
	__u32 vm_version;
};

/* Per-CPU state of the DNS query parser in from_cube. */
struct cube_scratch {
	struct pkt_info pi;
	__be16 dns_id;
	__u16 name_len;
	__u32 reserved;
	__u8 name[DNS_NAME_MAX];
	struct dns_pending pend;
};

/* Per-CPU state of the DNS answer parser in from_world. */
struct world_scratch {
	__u32 ifindex;
	__u16 l4_off;
	__be16 vm_port;
	__u32 flags;
	__u16 ancount;
	__u16 reserved;
	__u32 ans_off;
	__u32 reserved2;
	__u8 name[DNS_NAME_MAX];
	struct dns_learned learned;
};

#endif /* COPPICE_STRUCTS_H */
