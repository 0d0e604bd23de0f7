#ifndef SK_LOOKUP_LISTENER_H
#define SK_LOOKUP_LISTENER_H

#define TH_SYN 0x02
#define TH_ACK 0x10
#define TCP_FLAGS_OFF 13

#endif
