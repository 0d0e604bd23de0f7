#pragma once
#include "../_inc/pp-common.h"
struct pp_addr { __be32 ip; __be16 port; };
