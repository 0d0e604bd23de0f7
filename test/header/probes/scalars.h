/* Every built-in scalar name, as a member, so each keeps its typedef chain in BTF. */
// expect-types: struct scalars, struct kernel_short, struct spelled, my_u32, my_be16, struct floats
#include <linux/types.h>

typedef __u32 my_u32;
typedef __be16 my_be16;

struct scalars {
	__u8 a; __u16 b; __u32 c; __u64 d;
	__s8 e; __s16 f; __s32 g; __s64 h;
	__be16 i; __be32 j; __be64 k;
	__le16 l; __le32 m; __le64 n;
	__sum16 o; __wsum p;
	my_u32 q; my_be16 r;
	bool s; _Bool t;
};

struct kernel_short {
	u8 a; u16 b; u32 c; u64 d; s8 e; s16 f; s32 g; s64 h;
};

struct spelled {
	char a; signed char b; unsigned char c;
	short d; short int e; signed short f; unsigned short g; unsigned short int h;
	int i; signed j; signed int k; unsigned l; unsigned int m;
	long n; long int o; signed long p; unsigned long q; long unsigned int r;
	long long s; long long int t; signed long long u; unsigned long long v; long long unsigned int w;
	__int128 x; unsigned __int128 y;
	const volatile __u32 z;
	void *ptr; struct spelled *self; const char *str; __u64 *p64;
};

struct floats { float a; double b; long double c; char d; };
