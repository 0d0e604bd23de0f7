/* BTF-defined maps with every kind of field the reader decodes (map_extra as an enum is
 * in map-extra-enum.c, because libbpf 1.1 refuses it and so keeps this object from
 * opening with bpftool 7.1). The expected values in test/btf/maps.test.ts are the
 * numbers written here. */
#include "probe.h"

#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_PROG_ARRAY 3
#define BPF_MAP_TYPE_PERF_EVENT_ARRAY 4
#define BPF_MAP_TYPE_PERCPU_HASH 5
#define BPF_MAP_TYPE_LRU_HASH 9
#define BPF_MAP_TYPE_LPM_TRIE 11
#define BPF_MAP_TYPE_ARRAY_OF_MAPS 12
#define BPF_MAP_TYPE_HASH_OF_MAPS 13
#define BPF_MAP_TYPE_DEVMAP 14
#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_MAP_TYPE_BLOOM_FILTER 30
#define BPF_F_NO_PREALLOC 1
#define BPF_F_RDONLY_PROG 0x80
#define LIBBPF_PIN_BY_NAME 1

struct flow_key {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_val {
	__u64 packets;
	__u64 bytes;
	__u32 flags : 3, kind : 5, rest : 24;
};

struct lpm_v4 {
	__u32 prefixlen;
	__be32 addr;
};

typedef struct flow_val flow_val_t;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, flow_val_t);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, 4);
	__uint(value_size, 24);
} sized_only SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__type(key, struct lpm_v4);
	__type(value, __u32);
	__uint(key_size, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64[4]);
	__uint(numa_node, 1);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__type(value, __u32);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct lpm_v4);
} inner1 SEC(".maps"), inner2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer_arr SEC(".maps") = {
	.values = { [0] = &inner1, [2] = &inner2 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_LRU_HASH);
		__uint(max_entries, 32);
		__type(key, struct flow_key);
		__type(value, __u64);
	});
} outer_hash SEC(".maps");

SEC("tc") int tail_a(struct __sk_buff *skb) { return 1; }
SEC("tc") int tail_b(struct __sk_buff *skb) { return 2; }

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct __sk_buff *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_a, [3] = (void *)&tail_b },
};

typedef struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} devmap_def_t;
devmap_def_t ports SEC(".maps");

SEC("tc")
int maps_prog(struct __sk_buff *skb)
{
	/* Only lookups the verifier accepts for these map types, so that the object stays
	 * loadable (checked by hand with bpftool prog loadall; not part of the tests, which
	 * must not pin maps into the machine's bpffs). */
	struct flow_key k = { .proto = 6 };
	__u32 zero = 0;
	flow_val_t *v = bpf_map_lookup_elem(&flows, &k);
	void *i = bpf_map_lookup_elem(&outer_arr, &zero);
	void *h = bpf_map_lookup_elem(&outer_hash, &zero);
	struct lpm_v4 lk = { .prefixlen = 32 };
	__u32 *b = bpf_map_lookup_elem(&blocklist, &lk);
	void *s = bpf_map_lookup_elem(&sized_only, &zero);
	bpf_tail_call(skb, &jumps, 1);
	return v ? v->kind : (i != 0) + (h != 0) + (b != 0) + (s != 0);
}

char LICENSE[] SEC("license") = "GPL";
