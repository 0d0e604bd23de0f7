/* Type variety for the BTF reader: every kind clang emits, bitfields, unions,
 * anonymous members, modifier chains and tags. */
#include "probe.h"

struct fwd_only;
union fwd_union;

typedef __u32 counter_t;
typedef const volatile counter_t cv_counter_t;
typedef cv_counter_t *cv_counter_ptr;

enum colour { RED, GREEN = 5, BLUE };
enum signed_e { MINUS = -3, PLUS = 7 } __attribute__((packed));
#if __clang_major__ >= 15
enum wide_e { WIDE_LO = 1, WIDE_HI = 0x1234567890ULL };
enum wide_signed { WNEG = -0x100000000LL, WPOS = 2 };
#endif

struct inner_pt { __be16 port; __u8 proto; __u8 pad; };

struct flags_rec {
	unsigned int flag_a : 1;
	unsigned int flag_b : 3;
	signed int small : 5;
	unsigned int : 0;
	__u8 tail : 4;
	enum colour col : 4;
	unsigned long long wide : 44;
	_Bool ok;
};

union addr_u {
	__be32 v4;
	__u8 bytes[16];
	__u32 words[4];
};

struct with_anon {
	int kind;
	union {
		struct { __u16 lo, hi; };
		__u32 whole;
	};
	struct { int x; } named;
	struct inner_pt pts[3];
	char label[8];
	__u8 matrix[2][3];
	float ratio;
	double precise;
	counter_t cnt;
	cv_counter_t cvc;
	volatile const __u64 *vp;
	struct fwd_only *fwd;
	union fwd_union *fwdu;
	int __tag("member_tag") tagged;
	void *opaque;
	char flex[];
};

typedef struct { int a; int b; } anon_pair_t;
typedef union { int i; float f; } anon_union_t;

struct node { struct node *next; struct node *prev; int v; };

struct all_types {
	struct flags_rec f;
	union addr_u a;
	anon_pair_t p;
	anon_union_t u;
	enum colour c;
	enum signed_e s;
#if __clang_major__ >= 15
	enum wide_e w;
	enum wide_signed ws;
#endif
	struct node n;
	cv_counter_ptr cvp;
	long double ld;
	__s64 big;
	const char *restrict rs;
#if __clang_major__ >= 19
	int __attribute__((btf_type_tag("user"))) *utag;
#endif
};

struct all_types sink_all;
/* A global function pointer keeps a varargs FUNC_PROTO in BTF. */
long (*varargs_fn)(const char *fmt, ...);
struct with_anon sink_anon;

static __attribute__((noinline)) int helper_static(int a, struct inner_pt *p)
{
	return a + p->port;
}

__attribute__((noinline)) int helper_global(struct flags_rec *r __tag("param_tag"), int n) __tag("func_tag")
{
	return r->flag_b + n;
}

extern int bpf_kfunc_probe(int x, struct node *n) __ksym;

typedef int __tag("typedef_tag") tagged_int;
tagged_int tagged_global __tag("var_tag");

struct tagged_struct { int a; int b __tag("b_tag"); } __tag("struct_tag");
struct tagged_struct tagged_struct_g;

SEC("tc")
int types_prog(struct __sk_buff *skb)
{
	struct inner_pt pt = { .port = 1 };
	int r = helper_static(skb->len, &pt) + helper_global(&sink_all.f, skb->mark);
	bpf_trace_printk("x %d\n", 6, r);
	if (skb->mark == 42)
		r += bpf_kfunc_probe(r, &sink_all.n);
	return r + sink_anon.kind + tagged_global + tagged_struct_g.b;
}

char LICENSE[] SEC("license") = "GPL";
