/* Bitfields: packing into units, straddling, zero width, unnamed, packed, wide, enum and bool. */
// expect-types: struct bf_basic, struct bf_straddle, struct bf_zero, struct bf_unnamed, struct bf_packed, struct bf_wide, enum bf_kind, struct bf_enum, union bf_union, struct bf_mixed, struct bf_member_packed

struct bf_basic { unsigned int a : 3, b : 5, c : 24; unsigned char d; };
struct bf_straddle { char x; unsigned int a : 20; unsigned int b : 20; unsigned short c : 9; unsigned short d : 9; };
struct bf_zero { char a; int : 0; char b; long long : 0; char c : 3; unsigned short : 0; char d; };
struct bf_unnamed { char a; int : 3; int b : 4; long long : 7; short c; };
struct bf_packed { char a; unsigned int b : 4; unsigned int c : 30; unsigned long long d : 33; } __attribute__((packed));
struct bf_wide { unsigned long long a : 60; unsigned long long b : 10; __u64 c : 1; __s64 d : 63; };
enum bf_kind { BK_A, BK_B, BK_C = 7 };
struct bf_enum { enum bf_kind k : 3; _Bool flag : 1; __u8 rest : 4; enum bf_kind k2 : 20; };
union bf_union { char a; int b : 20; long long c : 3; unsigned short d : 16; };
struct bf_mixed { __u16 a; __u32 b : 4; __u8 c; __u32 d : 12; __u64 e; __u8 f : 1; };
struct bf_member_packed { char a; int b : 4 __attribute__((packed)); int c : 30; };
