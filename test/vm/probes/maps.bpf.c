// SPDX-License-Identifier: GPL-2.0
/* Map semantics: update flags, capacity, delete, LPM matching, per-CPU and queue maps. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 3);
} h SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 3);
} a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} t SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} pa SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} ph SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 64);
} l SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 2);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u32);
	__uint(max_entries, 2);
} s SEC(".maps");

__u64 res[64];
__u32 seen;

static __always_inline __u64 lookup64(void *map, __u32 k)
{
	__u64 *v = bpf_map_lookup_elem(map, &k);

	return v ? *v : 0xdead;
}

static __always_inline __u64 lpm(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d)
{
	struct lpm_key k = { len, { a, b, c, d } };
	__u32 *v = bpf_map_lookup_elem(&t, &k);

	return v ? *v : 0xdead;
}

static __always_inline long lpm_set(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d, __u32 val, __u64 flags)
{
	struct lpm_key k = { len, { a, b, c, d } };

	return bpf_map_update_elem(&t, &k, &val, flags);
}

static __always_inline long lpm_del(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d)
{
	struct lpm_key k = { len, { a, b, c, d } };

	return bpf_map_delete_elem(&t, &k);
}

SEC("tc")
int hash(struct __sk_buff *skb)
{
	__u32 k;
	__u64 v = 10;

	k = 1;
	res[0] = bpf_map_update_elem(&h, &k, &v, BPF_EXIST);
	res[1] = bpf_map_update_elem(&h, &k, &v, BPF_NOEXIST);
	v = 11;
	res[2] = bpf_map_update_elem(&h, &k, &v, BPF_NOEXIST);
	res[3] = bpf_map_update_elem(&h, &k, &v, BPF_EXIST);
	res[4] = bpf_map_update_elem(&h, &k, &v, 3);
	res[5] = bpf_map_update_elem(&h, &k, &v, BPF_F_LOCK);
	k = 2;
	res[6] = bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	k = 3;
	res[7] = bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	k = 4;
	res[8] = bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	k = 3;
	v = 33;
	res[9] = bpf_map_update_elem(&h, &k, &v, BPF_ANY);
	res[10] = lookup64(&h, 3);
	res[11] = lookup64(&h, 4);
	k = 9;
	res[12] = bpf_map_delete_elem(&h, &k);
	k = 2;
	res[13] = bpf_map_delete_elem(&h, &k);
	k = 4;
	res[14] = bpf_map_update_elem(&h, &k, &v, BPF_NOEXIST);
	return 0;
}

SEC("tc")
int array(struct __sk_buff *skb)
{
	__u32 k = 1;
	__u64 v = 7, *p;

	res[0] = bpf_map_update_elem(&a, &k, &v, BPF_NOEXIST);
	res[1] = bpf_map_update_elem(&a, &k, &v, BPF_EXIST);
	res[2] = bpf_map_update_elem(&a, &k, &v, 3);
	res[3] = bpf_map_update_elem(&a, &k, &v, BPF_F_LOCK);
	k = 3;
	res[4] = bpf_map_update_elem(&a, &k, &v, BPF_ANY);
	res[5] = bpf_map_lookup_elem(&a, &k) == 0;
	k = 1;
	res[6] = bpf_map_delete_elem(&a, &k);
	res[7] = lookup64(&a, 1);
	res[8] = lookup64(&a, 0);
	p = bpf_map_lookup_elem(&a, &k);
	if (p)
		*p += 5;
	res[9] = lookup64(&a, 1);
	k = 0;
	v = 3;
	res[10] = bpf_map_update_elem(&pa, &k, &v, BPF_ANY);
	res[11] = bpf_map_update_elem(&pa, &k, &v, BPF_F_LOCK);
	res[12] = lookup64(&pa, 0);
	k = 5;
	res[13] = bpf_map_update_elem(&ph, &k, &v, BPF_ANY);
	res[14] = bpf_map_update_elem(&ph, &k, &v, BPF_F_LOCK);
	res[15] = lookup64(&ph, 5);
	return 0;
}

SEC("tc")
int trie(struct __sk_buff *skb)
{
	res[0] = lpm_set(8, 10, 0, 0, 0, 8, BPF_ANY);
	res[1] = lpm_set(24, 10, 1, 2, 0, 24, BPF_ANY);
	res[2] = lpm(32, 10, 1, 2, 3);
	res[3] = lpm(32, 10, 9, 9, 9);
	res[4] = lpm(16, 10, 1, 2, 3);
	res[5] = lpm(32, 11, 1, 2, 3);
	res[6] = lpm(33, 10, 1, 2, 3);
	res[7] = lpm_set(33, 10, 1, 2, 3, 1, BPF_ANY);
	res[8] = lpm_set(24, 10, 1, 2, 77, 25, BPF_NOEXIST);
	res[9] = lpm_set(24, 10, 1, 2, 77, 26, BPF_EXIST);
	res[10] = lpm_set(16, 10, 1, 0, 0, 16, BPF_EXIST);
	res[11] = lpm_set(16, 10, 1, 0, 0, 16, BPF_F_LOCK);
	res[12] = lpm_set(0, 0, 0, 0, 0, 100, BPF_ANY);
	res[13] = lpm_set(32, 1, 2, 3, 4, 32, BPF_ANY);
	res[14] = lpm_set(31, 1, 2, 3, 4, 31, BPF_ANY);
	res[15] = lpm(32, 192, 168, 0, 1);
	res[16] = lpm(0, 10, 1, 2, 3);
	res[17] = lpm_del(24, 10, 1, 2, 99);
	res[18] = lpm_del(24, 10, 1, 2, 99);
	res[19] = lpm_del(16, 10, 1, 2, 3);
	res[20] = lpm_del(40, 10, 1, 2, 3);
	res[21] = lpm(32, 10, 1, 2, 3);
	res[22] = lpm_set(32, 1, 2, 3, 4, 33, BPF_ANY);
	res[23] = lpm_set(7, 254, 0, 0, 0, 7, BPF_ANY);
	res[24] = lpm(32, 255, 1, 1, 1);
	return 0;
}

SEC("tc")
int lru(struct __sk_buff *skb)
{
	__u32 k;
	__u64 v = 1;

	for (k = 0; k < 8; k++)
		bpf_map_update_elem(&l, &k, &v, BPF_ANY);
	k = 3;
	res[0] = bpf_map_update_elem(&l, &k, &v, BPF_NOEXIST);
	res[1] = bpf_map_update_elem(&l, &k, &v, BPF_F_LOCK);
	res[2] = bpf_map_delete_elem(&l, &k);
	res[3] = bpf_map_delete_elem(&l, &k);
	res[4] = lookup64(&l, 4);
	return 0;
}

SEC("tc")
int queue(struct __sk_buff *skb)
{
	__u32 v = 1, out = 0;

	res[0] = bpf_map_push_elem(&q, &v, 0);
	v = 2;
	res[1] = bpf_map_push_elem(&q, &v, 0);
	v = 3;
	res[2] = bpf_map_push_elem(&q, &v, 0);
	res[3] = bpf_map_push_elem(&q, &v, BPF_EXIST);
	res[4] = bpf_map_push_elem(&q, &v, BPF_NOEXIST);
	res[5] = bpf_map_peek_elem(&q, &out);
	res[6] = out;
	res[7] = bpf_map_pop_elem(&q, &out);
	res[8] = out;
	res[9] = bpf_map_pop_elem(&q, &out);
	res[10] = out;
	res[11] = bpf_map_pop_elem(&q, &out);
	v = 1;
	res[12] = bpf_map_push_elem(&s, &v, 0);
	v = 2;
	res[13] = bpf_map_push_elem(&s, &v, 0);
	v = 3;
	res[14] = bpf_map_push_elem(&s, &v, BPF_EXIST);
	res[15] = bpf_map_pop_elem(&s, &out);
	res[16] = out;
	res[17] = bpf_map_pop_elem(&s, &out);
	res[18] = out;
	res[19] = bpf_map_pop_elem(&s, &out);
	return 0;
}

static long sum_cb(__u32 i, void *ctx)
{
	__u64 *acc = ctx;

	*acc += i;
	return *acc > 100;
}

static long visit(void *map, __u32 *key, __u64 *val, void *ctx)
{
	__u64 *acc = ctx;

	*acc = *acc * 31 + *key + *val;
	*val += 1;
	return *key == 4;
}

SEC("tc")
int loops(struct __sk_buff *skb)
{
	__u64 acc = 0;

	res[0] = bpf_loop(10, sum_cb, &acc, 0);
	res[1] = acc;
	acc = 0;
	res[2] = bpf_loop(100, sum_cb, &acc, 0);
	res[3] = acc;
	res[4] = bpf_loop(5, sum_cb, &acc, 1);
	res[5] = bpf_loop((1 << 23) + 1, sum_cb, &acc, 0);
	acc = 0;
	res[6] = bpf_for_each_map_elem(&a, visit, &acc, 0);
	res[7] = acc;
	res[8] = bpf_for_each_map_elem(&a, visit, &acc, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
