#ifndef PROTO_PORT_CONST_H
#define PROTO_PORT_CONST_H

#define PORT_SSH 22
#define PORT_HTTP 80
#define PORT_HTTPS 443
#define PORT_DNS 53
#define PORT_NTP 123

/* Fragment offset bits of iphdr.frag_off, host order. */
#define IP_FRAG_OFFSET_MASK 0x1fff

#endif
