#ifndef VLAN_TCI_META_H
#define VLAN_TCI_META_H

#define VLAN_VID_MASK 0x0fff
#define VLAN_USERS 10
#define VLAN_VOICE 20

#endif
