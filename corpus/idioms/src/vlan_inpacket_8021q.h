#ifndef VLAN_INPACKET_8021Q_H
#define VLAN_INPACKET_8021Q_H

#include <linux/types.h>

#define VLAN_VID_MASK 0x0fff
#define VLAN_USERS 10
#define VLAN_VOICE 20

/* The four bytes that follow the TPID 0x8100 in a tagged frame. */
struct vlan_tag {
	__be16 tci;
	__be16 encap_proto;
};

#endif
