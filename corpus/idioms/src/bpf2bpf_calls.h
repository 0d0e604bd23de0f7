#ifndef BPF2BPF_CALLS_H
#define BPF2BPF_CALLS_H

#include <linux/types.h>

#define PORT_DNS 53
#define PORT_HTTP 80
#define PORT_HTTPS 443

/* What the parser hands to the policy functions; ports in host order. */
struct flow4 {
	__be32 saddr;
	__be32 daddr;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	__u8 pad[3];
};

#endif
