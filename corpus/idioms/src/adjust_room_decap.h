#ifndef ADJUST_ROOM_DECAP_H
#define ADJUST_ROOM_DECAP_H

/* Our tunnel endpoint, 192.0.2.1, host byte order. */
#define TUNNEL_LOCAL_ADDR 0xc0000201

/* Outer header must be a plain 20-byte IPv4 header. */
#define IPV4_VIHL_NO_OPTIONS 0x45

#endif
