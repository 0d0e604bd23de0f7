#ifndef KFUNC_DYNPTR_READ_H
#define KFUNC_DYNPTR_READ_H

#include <linux/types.h>

/* Only what is read through the slice: the Ethernet header. */
struct kd_ethhdr {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
};

#define KD_ETH_P_IPV6 0x86DD

#endif
