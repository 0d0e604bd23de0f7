#ifndef RINGBUF_DROP_LOG_H
#define RINGBUF_DROP_LOG_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PORT_TELNET 23
#define PORT_SMB 445

#define REASON_TELNET 1
#define REASON_SMB 2

struct drop_event {
	__u64 ts_ns;
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 reason;
	__u16 pad;
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* 256 KiB of events; the log shipper drains it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 262144);
} drop_events SEC(".maps");

#endif
