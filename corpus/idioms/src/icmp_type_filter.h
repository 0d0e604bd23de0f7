#ifndef ICMP_TYPE_FILTER_H
#define ICMP_TYPE_FILTER_H

#include <linux/types.h>

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11

/* Only the fixed part every ICMP message shares; linux/icmp.h drags in
 * libc socket headers that do not build for the BPF target. */
struct icmp_common {
	__u8 type;
	__u8 code;
	__be16 checksum;
};

#endif
