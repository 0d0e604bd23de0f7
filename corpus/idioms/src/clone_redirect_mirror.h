#ifndef CLONE_REDIRECT_MIRROR_H
#define CLONE_REDIRECT_MIRROR_H

/* Port facing the DNS analytics collector, fixed by the deployment. */
#define MIRROR_IFINDEX 5
#define PORT_DNS 53

#endif
