#ifndef DSCP_PRIORITY_H
#define DSCP_PRIORITY_H

/* DSCP code points (upper six bits of the TOS byte). */
#define DSCP_CS1 8
#define DSCP_AF41 34
#define DSCP_EF 46

/* skb->priority values; with a prio/mqprio qdisc these select bands. */
#define PRIO_BULK 1
#define PRIO_VIDEO 5
#define PRIO_VOICE 6

#endif
