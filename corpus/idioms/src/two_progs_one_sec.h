#ifndef TWO_PROGS_ONE_SEC_H
#define TWO_PROGS_ONE_SEC_H

#define PORT_SMTP 25
#define PORT_TELNET 23
#define PORT_RDP 3389

/* The only host allowed to receive our outbound mail: 192.0.2.25,
 * host byte order. */
#define MAIL_RELAY_ADDR 0xc0000219

#endif
