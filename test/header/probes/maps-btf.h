/* libbpf BTF-defined maps: every attribute, sizes-only maps, map-in-map, prog arrays. */
// expect-types: struct mb_key, struct mb_value, struct mb_inner
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct mb_key { __u32 src; __u32 dst; __u16 port; __u8 proto; };
struct mb_value { __u64 packets; __u64 bytes; struct bpf_spin_lock lock; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct mb_key);
	__type(value, struct mb_value);
	__uint(max_entries, 1 << 20);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE);
	__uint(numa_node, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mb_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 24);
	__uint(max_entries, 4);
} mb_sizes_only SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} mb_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} mb_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 1000);
	__ulong(map_extra, 3);
} mb_bloom SEC(".maps");

struct {
	__uint(type, 33 /* BPF_MAP_TYPE_ARENA, newer than the 6.1 uapi headers */);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 10);
	__ulong(map_extra, 0x1ULL << 44);
} mb_arena SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __be32);
	__type(value, __u8[6]);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
} mb_lru SEC(".maps");

struct mb_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, 8);
	__type(value, __u32);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 8192);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct mb_inner);
} mb_allow_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(key_size, sizeof(int));
	__uint(max_entries, 2);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_ARRAY);
		__type(key, int);
		__type(value, long);
		__uint(max_entries, 1);
	});
} mb_outer SEC(".maps") = {
	.values = { [1] = &mb_sizes_only },
};

int mb_prog_a(void *ctx);
int mb_prog_b(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} mb_jump SEC(".maps") = {
	.values = {
		[2] = &mb_prog_a,
		[5] = mb_prog_b,
		mb_prog_a,
	},
};
