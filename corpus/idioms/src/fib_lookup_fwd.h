#ifndef FIB_LOOKUP_FWD_H
#define FIB_LOOKUP_FWD_H

#define AF_INET 2

#endif
