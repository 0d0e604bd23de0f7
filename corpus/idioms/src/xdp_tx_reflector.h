#ifndef XDP_TX_REFLECTOR_H
#define XDP_TX_REFLECTOR_H

#include <linux/types.h>

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct icmp_echo {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be16 id;
	__be16 sequence;
};

#endif
