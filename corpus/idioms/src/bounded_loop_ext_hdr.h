#ifndef BOUNDED_LOOP_EXT_HDR_H
#define BOUNDED_LOOP_EXT_HDR_H

#include <linux/types.h>

/* Longest extension-header chain we are willing to walk. */
#define MAX_EXT_HDRS 6

#define NEXTHDR_HOP 0
#define NEXTHDR_TCP 6
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60

#define PORT_TELNET 23

/* Fragment offset bits of the fragment header, host order. */
#define IP6_FRAG_OFFSET_MASK 0xfff8

/* Common start of hop-by-hop, routing and destination-options headers. */
struct ext_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

#endif
