#ifndef TCP_FLAGS_GUARD_H
#define TCP_FLAGS_GUARD_H

/* TCP flag bits as they appear in byte 13 of the TCP header. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCP_FLAGS_OFF 13

#endif
