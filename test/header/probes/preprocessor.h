/* Includes, guards, conditionals, object-like and function-like macros, renaming aliases. */
// expect-types: struct pp_addr, struct pp_renamed_struct, struct pp_v6, struct pp_counted, struct pp_stringy
#include "_inc/pp-common.h"
#include "_inc/pp-types.h"
#include <linux/bpf.h>

#if defined(PP_FEATURE_V6) && PP_FEATURE_V6 >= 1 && !defined(PP_MISSING)
struct pp_v6 { __u8 addr[16]; };
#elif PP_FEATURE_V6 == 0
struct pp_v6 { __u8 wrong; };
#else
#error "unreachable"
#endif

#ifdef PP_MISSING
# error "PP_MISSING is not defined"
#endif

#if (PP_BASE << 2) != 64 || (-1 > 0u) != 1 || ('a' != 97) || (0x7fffffffffffffff + 0 < 0)
#error "integer rules in #if"
#endif

#if 0
this is not C: ' unmatched quote @ and #notadirective
#endif

/* renaming: the struct and the map are known by their new names only */
#define pp_old_map pp_new_map
struct pp_rename { __u32 a; struct pp_addr addr; };

#define FIELD(t, n) t n;
#define ARRAY_OF(t, n, len) t n[len]
#define CAT(a, b) a##b
#define STR(x) #x
#define VA(first, ...) first, __VA_ARGS__

struct pp_counted {
	FIELD(__u32, count)
	ARRAY_OF(__u8, slots, PP_SLOTS);
	__u16 CAT(half, _a), CAT(half, _b);
	char name[sizeof(STR(hello))];
	int VA(x, y, z);
};

struct pp_stringy { char s[sizeof("a" "bc")]; __u32 line; } \
	__attribute__((aligned(PP_BASE)));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct pp_addr);
	__type(value, struct pp_rename);
	__uint(max_entries, PP_SLOTS);
} pp_old_map SEC(".maps");
