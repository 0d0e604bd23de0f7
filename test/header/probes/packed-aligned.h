/* packed and aligned on structs, members and typedefs; _Alignas; trailing padding. */
// expect-types: struct pa_packed, struct pa_aligned, struct pa_member_aligned, low_int, struct pa_low, struct pa_packed_aligned_member, struct pa_bare_aligned, struct pa_outer, struct pa_alignas, struct pa_packed_member, big_u32, struct pa_tail, pa_td_packed, struct pa_pre, struct pa_uses
struct pa_packed { char a; int b; long long c; short d; } __attribute__((packed));
struct pa_aligned { char a; } __attribute__((aligned(8)));
struct pa_member_aligned { char a; int b __attribute__((aligned(16))); char c; };
typedef int low_int __attribute__((aligned(2)));
struct pa_low { char a; low_int b; };
struct __attribute__((packed)) pa_packed_aligned_member { char a; int b __attribute__((aligned(2))); long long c; };
struct pa_bare_aligned { char x; struct { char y; } __attribute__((aligned)) z; };
struct pa_outer { char a; struct pa_packed p; struct pa_aligned q; char r; };
struct pa_alignas { char a; _Alignas(8) char b; _Alignas(long long) short c; };
struct pa_packed_member { char a; int b __attribute__((packed)); long long c __attribute__((__packed__)); };
typedef __u32 big_u32 __attribute__((aligned(8)));
struct pa_tail { long long a; char b; };
/* packed after a typedef's name, or before the struct keyword, does not reach the struct (clang warns). */
typedef struct { char a; int b; } pa_td_packed __attribute__((packed));
__attribute__((packed)) struct pa_pre { char a; int b; };
struct pa_uses { char x; pa_td_packed t; struct pa_pre p; big_u32 q; low_int r[3]; };
