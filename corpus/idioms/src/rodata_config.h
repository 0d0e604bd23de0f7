#ifndef RODATA_CONFIG_H
#define RODATA_CONFIG_H

/* TCP flag bits, byte 13 of the TCP header. */
#define TH_SYN 0x02
#define TH_ACK 0x10
#define TCP_FLAGS_OFF 13

#endif
