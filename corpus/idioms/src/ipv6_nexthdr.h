#ifndef IPV6_NEXTHDR_H
#define IPV6_NEXTHDR_H

#define NEXTHDR_TCP 6
#define NEXTHDR_UDP 17
#define NEXTHDR_ICMPV6 58

#endif
