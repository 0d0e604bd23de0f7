// SPDX-License-Identifier: GPL-2.0
/* Tail calls, bpf-to-bpf calls, legacy packet loads, printk, spin locks, timers, ring buffers. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define CLOCK_MONOTONIC 1

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

__u64 res[48];
__u32 hops;

int chain(struct __sk_buff *skb);
int empty_slots(struct __sk_buff *skb);
int answer(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__array(values, int(struct __sk_buff *));
} jt SEC(".maps") = {
	.values = { [0] = &chain, [2] = &empty_slots, [3] = &answer },
};

SEC("tc")
int chain(struct __sk_buff *skb)
{
	hops++;
	bpf_tail_call(skb, &jt, 0);
	return hops;
}

/* Failed tail calls into an empty slot still count against the limit. */
SEC("tc")
int empty_slots(struct __sk_buff *skb)
{
	int i;

	hops++;
	if (hops > 1)
		return 1000 + hops;
	for (i = 0; i < 40; i++) {
		if (i >= (int)skb->mark)
			break;
		bpf_tail_call(skb, &jt, 1);
	}
	bpf_tail_call(skb, &jt, 9);
	bpf_tail_call(skb, &jt, 2);
	return hops;
}

SEC("tc")
int answer(struct __sk_buff *skb)
{
	return 42;
}

/* A tail call from a subprogram replaces the subprogram: its caller gets the target's result. */
static __noinline int tail_from_sub(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jt, 3);
	return skb->len;
}

SEC("tc")
int sub_tail(struct __sk_buff *skb)
{
	return tail_from_sub(skb) + 100;
}

SEC("tc")
int reset(struct __sk_buff *skb)
{
	hops = 0;
	return 0;
}

/* Eight frames: the program and f6 .. f0; every level keeps values in callee-saved registers. */
static __noinline __u64 f0(__u64 x)
{
	return x + 1;
}

#define LEVEL(n, next)                              \
	static __noinline __u64 f##n(__u64 x)       \
	{                                           \
		__u64 keep = x * 3 + n;             \
		return next(keep) ^ (keep << n);    \
	}
LEVEL(1, f0)
LEVEL(2, f1)
LEVEL(3, f2)
LEVEL(4, f3)
LEVEL(5, f4)
LEVEL(6, f5)

SEC("tc")
int nested(struct __sk_buff *skb)
{
	res[0] = f6(skb->len);
	res[1] = f2(skb->mark);
	return 0;
}

static long bump(__u32 i, void *ctx)
{
	*(__u64 *)ctx += i;
	return 0;
}

static __noinline int looped(__u64 *acc)
{
	return bpf_loop(7, bump, acc, 0);
}

SEC("tc")
int callback_depth(struct __sk_buff *skb)
{
	__u64 acc = 5;

	res[0] = looped(&acc);
	res[1] = acc;
	return 0;
}

SEC("tc")
int ldabs(struct __sk_buff *skb)
{
	res[0] = load_byte(skb, 12);
	res[1] = load_half(skb, 12);
	res[2] = load_word(skb, 26);
	res[3] = load_word(skb, skb->mark);
	res[4] = 1;
	return 77;
}

SEC("tc")
int printk(struct __sk_buff *skb)
{
	static const char fmt[] = "%d %u %x %llx %c %s %pI4 %05d|%-4u|";
	static const char str[] = "hi";
	char out[64];
	__u8 ip[4] = { 10, 0, 0, 1 };
	__u64 args[9] = { -5, -5, 255, 0x1234567890ULL, 'z', (__u64)(long)str, (__u64)(long)ip, 42, 7 };

	__builtin_memset(out, 0, sizeof(out));
	res[0] = bpf_snprintf(out, sizeof(out), fmt, args, sizeof(args));
	__builtin_memcpy(&res[1], out, sizeof(out));
	res[9] = bpf_snprintf(out, 8, fmt, args, sizeof(args));
	__builtin_memcpy(&res[10], out, 8);
	res[13] = bpf_trace_printk(fmt, sizeof(fmt), 1, 2, 3);
	return 0;
}

struct locked {
	struct bpf_spin_lock lock;
	__u32 count;
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct locked);
	__uint(max_entries, 1);
} lk SEC(".maps");

static int fire(void *map, __u32 *key, struct locked *v)
{
	return 0;
}

SEC("tc")
int locks(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct locked *v = bpf_map_lookup_elem(&lk, &zero);

	if (!v)
		return 1;
	bpf_spin_lock(&v->lock);
	v->count += 2;
	bpf_spin_unlock(&v->lock);
	res[0] = bpf_timer_set_callback(&v->timer, fire);
	res[1] = bpf_timer_start(&v->timer, 1000000000ULL, 0);
	res[2] = bpf_timer_init(&v->timer, &lk, 5);
	res[3] = bpf_timer_init(&v->timer, &lk, CLOCK_MONOTONIC);
	res[4] = bpf_timer_init(&v->timer, &lk, CLOCK_MONOTONIC);
	res[5] = bpf_timer_start(&v->timer, 1000000000ULL, 0);
	res[6] = bpf_timer_set_callback(&v->timer, fire);
	res[7] = bpf_timer_start(&v->timer, 1000000000000ULL, 4);
	res[8] = bpf_timer_start(&v->timer, 1000000000000ULL, 0);
	res[9] = bpf_timer_cancel(&v->timer);
	res[10] = bpf_timer_cancel(&v->timer);
	res[11] = v->count;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("tc")
int ring(struct __sk_buff *skb)
{
	__u64 *r;
	__u64 big[24] = {};

	r = bpf_ringbuf_reserve(&rb, 8, 0);
	res[0] = r != 0;
	if (r) {
		*r = 0x1234;
		bpf_ringbuf_submit(r, 0);
	}
	r = bpf_ringbuf_reserve(&rb, 8, 1);
	res[1] = r != 0;
	if (r)
		bpf_ringbuf_discard(r, 0);
	r = bpf_ringbuf_reserve(&rb, 8, 0);
	if (r)
		bpf_ringbuf_discard(r, 0);
	res[2] = bpf_ringbuf_output(&rb, big, sizeof(big), 0);
	res[3] = bpf_ringbuf_output(&rb, big, 8, 4);
	res[4] = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA);
	res[5] = bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE);
	r = bpf_ringbuf_reserve(&rb, 4000, 0);
	res[6] = r != 0;
	if (r)
		bpf_ringbuf_discard(r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
