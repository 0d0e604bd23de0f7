#ifndef REDIRECT_CONST_IFINDEX_H
#define REDIRECT_CONST_IFINDEX_H

/* ifindex of the inspection appliance's port, fixed by the deployment. */
#define INSPECT_IFINDEX 4

/* 10.99.0.0/16, host byte order. */
#define INSPECT_NET 0x0a630000
#define INSPECT_MASK 0xffff0000

#endif
