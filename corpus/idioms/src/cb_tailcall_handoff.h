#ifndef CB_TAILCALL_HANDOFF_H
#define CB_TAILCALL_HANDOFF_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* skb->cb[] words shared between the two stages. */
#define CB_CLASS 0
#define CB_DPORT 1

#define CLASS_NOT_IPV4 0
#define CLASS_WEB 1
#define CLASS_DNS 2
#define CLASS_OTHER 3

#define SLOT_ENFORCE 0

#define PORT_HTTP 80
#define PORT_HTTPS 443
#define PORT_DNS 53

struct l4_ports {
	__be16 source;
	__be16 dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
	__uint(max_entries, 1);
	__array(values, int (struct __sk_buff *));
} handoff SEC(".maps");

#endif
