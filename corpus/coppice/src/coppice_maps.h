/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the three Coppice programs share with each other and with the
 * agent. Every object includes all of them with identical definitions:
 * libbpf reuses a pinned map only when type, sizes, max_entries and flags
 * match, so a divergent copy would fail to load next to the others.
 *
 * Read by bpf2pf's schema parser as well: libbpf map definitions and integer
 * #defines only.
 */
#ifndef COPPICE_MAPS_H
#define COPPICE_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "coppice_structs.h"

#define COPPICE_MAX_SANDBOXES 8192
#define COPPICE_MAX_PORTS 65536
#define COPPICE_MAX_SESSIONS 1048576
#define COPPICE_SNAT_POOL 4
#define COPPICE_POLICY_PREFIXES 4096
#define COPPICE_DNS_DOMAINS 1024
#define COPPICE_DNS_PENDING 65536
#define COPPICE_LEARNED_ADDRS 262144

/* Host-side sandbox address -> TAP ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be32);
	__type(value, __u32);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mvmip_to_ifindex SEC(".maps");

/* TAP ifindex -> registered sandbox. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct mvm_meta);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ifindex_to_mvmmeta SEC(".maps");

/* Host port (network order) -> sandbox port it forwards to. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __be16);
	__type(value, struct mvm_port);
	__uint(max_entries, COPPICE_MAX_PORTS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} remote_port_mapping SEC(".maps");

/* Sandbox port -> host port, to recognise replies of forwarded flows. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct mvm_port);
	__type(value, __be16);
	__uint(max_entries, COPPICE_MAX_PORTS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} local_port_mapping SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct session_key);
	__type(value, struct nat_session);
	__uint(max_entries, COPPICE_MAX_SESSIONS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} egress_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct session_key);
	__type(value, struct ingress_session);
	__uint(max_entries, COPPICE_MAX_SESSIONS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ingress_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct snat_ip);
	__uint(max_entries, COPPICE_SNAT_POOL);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} snat_iplist SEC(".maps");

/*
 * Per-sandbox destination policy. The agent creates one trie per TAP and
 * swaps it in whole; the DNS learner adds /32 entries to the allow trie.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);
		__type(key, struct lpm_v4_key);
		__type(value, __u32);
		__uint(max_entries, COPPICE_POLICY_PREFIXES);
		__uint(map_flags, BPF_F_NO_PREALLOC);
	});
} allow_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);
		__type(key, struct lpm_v4_key);
		__type(value, __u32);
		__uint(max_entries, COPPICE_POLICY_PREFIXES);
		__uint(map_flags, BPF_F_NO_PREALLOC);
	});
} deny_out SEC(".maps");

/* TAP ifindex -> egress rate of that sandbox. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct mvm_rate);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} egress_rate SEC(".maps");

/*
 * TAP ifindex -> reversed domain names whose A records the sandbox may learn;
 * the value holds the allow_out flags learned addresses get (ALLOW_F_L7).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, COPPICE_MAX_SANDBOXES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);
		__type(key, struct dns_name_key);
		__type(value, __u32);
		__uint(max_entries, COPPICE_DNS_DOMAINS);
		__uint(map_flags, BPF_F_NO_PREALLOC);
	});
} dns_domains SEC(".maps");

/* Queries for a listed domain, waiting for their answer in from_world. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct dns_pending_key);
	__type(value, struct dns_pending);
	__uint(max_entries, COPPICE_DNS_PENDING);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dns_queries SEC(".maps");

/*
 * Expiry of learned allow_out entries. allow_out values stay a u32, so the
 * deadline lives here and the agent's reaper removes both entries.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct allow_expiry_key);
	__type(value, struct dns_learned);
	__uint(max_entries, COPPICE_LEARNED_ADDRS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} dns_allow_expiry SEC(".maps");

#endif /* COPPICE_MAPS_H */
