/* Legacy map definitions in section "maps": libbpf's bpf_map_def and iproute2's bpf_elf_map. */
// expect-types: struct lg_key, struct lg_value, struct ____btf_map_lg_annotated
// expect-kv: lg_hash struct lg_key, struct lg_value
// expect-kv: lg_numbers -, -
// expect-kv: lg_elf __u32, __u64
// expect-kv: lg_annotated struct lg_key, __u32
#define __section_maps __section("maps")
#define MAP_INNER_ID 42
#define BPF_ANNOTATE_KV_PAIR(name, type_key, type_val) \
	struct ____btf_map_##name { type_key key; type_val value; }; \
	struct ____btf_map_##name __attribute__ ((section(".maps." #name), used)) ____btf_map_##name = { }

struct lg_key { __u32 addr; __u16 port; __u16 pad; };
struct lg_value { __u64 hits; __u32 flags; };

struct bpf_map_def SEC("maps") lg_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(struct lg_key),
	.value_size = sizeof(struct lg_value),
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,
};

struct bpf_map_def SEC("maps") lg_numbers = { BPF_MAP_TYPE_ARRAY, 4, 16, 8 };

struct bpf_elf_map __section_maps lg_elf = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u64),
	.max_elem = 65536,
	.flags = 0,
	.pinning = PIN_GLOBAL_NS,
};

struct bpf_elf_map __section_maps lg_inner = {
	.type = BPF_MAP_TYPE_ARRAY,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.id = MAP_INNER_ID,
	.inner_idx = 3,
	.pinning = PIN_OBJECT_NS,
	.max_elem = 1,
};

struct bpf_elf_map __section_maps lg_outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.inner_id = MAP_INNER_ID,
	.pinning = PIN_GLOBAL_NS,
	.max_elem = 4,
};

struct bpf_elf_map __section_maps lg_annotated = {
	.type = BPF_MAP_TYPE_HASH,
	.size_key = 8,
	.size_value = 4,
	.max_elem = 16,
};
BPF_ANNOTATE_KV_PAIR(lg_annotated, struct lg_key, __u32);
