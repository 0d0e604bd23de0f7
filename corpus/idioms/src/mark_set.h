#ifndef MARK_SET_H
#define MARK_SET_H

#define PORT_SSH 22
#define PORT_DNS 53

/* fwmark values agreed with the routing policy (ip rule fwmark ...). */
#define MARK_SSH 0x10
#define MARK_DNS 0x20

#endif
