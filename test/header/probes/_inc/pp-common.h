#ifndef PP_COMMON_H
#define PP_COMMON_H
#include "pp-types.h"
#include "pp-common.h"   /* guarded re-inclusion of itself: skipped, as in C */

#define PP_FEATURE_V6 1
#define PP_SLOTS (PP_BASE * 2 + sizeof(struct pp_addr))
#define PP_BASE 0x10
#define pp_rename pp_renamed_struct
#endif
