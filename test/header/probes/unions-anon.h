/* Unions, anonymous members, nested named definitions, nested arrays, flexible arrays. */
// expect-types: union un_basic, struct un_anon, struct un_inner_def, struct un_nested_named, struct un_arrays, struct un_flex, struct un_zero_len, struct un_deep
#define ROWS 3
#define COLS (ROWS + 1)
union un_basic { __u32 word; __u8 bytes[4]; __u64 wide; };
struct un_anon {
	__u32 tag;
	union { __u32 v4; __u8 v6[16]; };
	struct { __u16 sport, dport; };
	__u8 tail;
};
struct un_inner_def { struct un_nested_named { __u8 a; __u32 b; } first; struct un_nested_named second; };
struct un_arrays { __u8 m[ROWS][COLS]; __u32 n[2][2][2]; __u16 sz[sizeof(__u64) * 2]; char c[COLS << 1]; };
struct un_flex { __u32 len; __u8 data[]; };
struct un_zero_len { __u16 len; __u64 data[0]; };
struct un_deep { union { struct { __u8 a; __u32 b; }; __u64 c; } u; struct { union { __u16 d; char e[3]; }; } s[2]; };
